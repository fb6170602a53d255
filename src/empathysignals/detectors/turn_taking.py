"""Turn-taking: floor, turns, pauses, gaps, interruptions, backchannels, dead air, hold.

Works on the final voice-activity labels of one or two legs, run by run: Python only does
work where someone starts or stops talking, a threshold is crossed, or hold changes, so the
cost is a few operations per second of audio. Every decision is made at a frame and emitted
at ``context.emitted_at(frame)``; nothing depends on how frames were batched.

Definitions and their sources are in ``docs/concepts.md``. In short, with frames ``t``:

* a *spurt* is a run of a leg's speech; the *floor* holder is the speaker of the current turn,
  who keeps the floor through their own silences shorter than ``backchannel_resume_s``;
* a listener's talk that starts while someone holds the floor is a *candidate* (a bid);
  spurts separated by less than ``listener_pause_max_s`` belong to one bid. It becomes

  - a **backchannel** if it ends within ``backchannel_max_s`` and the holder keeps talking
    (is speaking when it ends, or resumes before the bid is decided: within the longer of
    ``backchannel_resume_s`` and ``listener_pause_max_s``);
  - an **interruption** if the holder had the floor at its onset (was talking, or was in a
    silence they ended within ``backchannel_resume_s``), still has it when the bid reaches
    ``backchannel_max_s``, and they overlapped for ``interruption_min_overlap_s``. A holder
    silent for ``backchannel_resume_s`` or more had left the floor open: if they come back
    in over the listener, they are the one bidding, from that moment;
    announced open while both still talk, closed ``successful=True`` when the holder stops
    and stays silent for ``backchannel_resume_s`` (the floor passes), ``False`` when the
    interrupter stops first;
  - otherwise a **floor transfer** (``turn`` of the old holder, ``gap`` with the offset);

* a holder's silence between own spurts of at least ``min_pause_s`` is a **pause**;
* **dead air**: no leg active for ``dead_air_min_s`` outside hold, announced at the threshold;
* **hold**: music on the hold leg, or the hold leg muted, for ``hold_min_s``; announced at the
  threshold with the start backdated to the run's first frame; music may drop out for
  ``hold_end_tolerance_s``; the agent talking ends it at their onset; host markers override.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..audio import validate_roles
from ..config import TurnTakingConfig, config_or_default
from ..errors import ParameterError
from ..events import (
    BackchannelEvent,
    DeadAirEvent,
    Event,
    GapEvent,
    HoldEvent,
    InterruptionEvent,
    PauseEvent,
    TurnEvent,
)
from .base import DetectorContext
from .frames import N_LINE_BANDS, FrameBlock
from .line_gate import GATE_MIN_MUTED_S, LineGateWatch

__all__ = ["TurnTakingDetector", "customer_and_agent", "hold_leg_index", "turn_taking"]

_NONE = -1
_MUSIC_PROB = 0.5
_MUSIC_ACTIVE_DB = 6.0  # music must stand this far above the noise floor
#: A music hold starts where the hold leg's sound (not speech) began, if that run began at
#: most this long before the music detector, which needs ~1 s of context, said "music".
_MUSIC_BACKDATE_S = 2.0
#: A pause is reported this long after the talk that ends it began, and a floor transfer
#: this long after the newcomer's onset (or when it is decided, if later): long enough to
#: know whether a hold began by then, which cuts the turn they would lie in. Hold music
#: is heard late: the voice-activity labels take its first 0.3-0.9 s for the agent's
#: speech before the music detector has heard enough of it (on tune calls 0-199, 95 % of
#: music holds within 0.8 s of their start, all but two within 0.9 s; those two were heard
#: 2 s late, the most a hold's start is dated back); a muted line counts from 0.1 s.
_HELD_WAIT_S = 1.0
#: Agent talk on the hold leg that, since the hold was last heard, marks the agent as back:
#: a muted line after it is a pause in their talk, not the hold going on.
_HOLD_BACK_S = 0.5
#: Longest silence inside a call-progress tone's cadence (ring-back: 4 s off in North
#: America and much of Europe, ITU-T E.180): silence that soon after a tone is not dead air.
_TONE_CADENCE_S = 4.0
#: Hold-leg onsets kept during a hold, to start the agent's turn at their first words after
#: it (music taken for speech adds onsets; the last ones are the ones that matter).
_HOLD_ONSETS_KEPT = 32
#: During a music hold the agent's own line is away: the leg carries the music, and in its
#: gaps near-silence from the switch. The agent is back when the leg sits at the noise
#: floor it had before the hold (their microphone's background; within _FLOOR_BAND_DB
#: over it, or nearer it than the music's level) for _LINE_BACK_S with no sound from the
#: switch: music, or a frame _SWITCH_QUIET_DB under that floor. _MUSIC_RETURN_S of music
#: puts the hold back. Music detection alone loses sparse or speech-like music, and on
#: continuous music the noise tracker takes the music for the leg's noise after seconds.
#: Rules and their tune-split choice: docs/concepts.md (hold), docs/benchmarks.md.
_LINE_BACK_S = 0.15
_FLOOR_BAND_DB = 4.0
_SWITCH_QUIET_DB = 10.0
_MUSIC_RETURN_S = 0.5
_MUSIC_LEVEL_STEP_DB = 0.2  # dB per frame of the running median of the music's level
#: Talk on the hold leg with no sound from the switch for _TALK_BACK_AFTER_S, _TALK_BACK_S
#: of it, is the agent back even where their noise never settles near its old floor.
_TALK_BACK_AFTER_S = 2.0
_TALK_BACK_S = 1.0
#: ... its pauses at the floor lasting _TALK_BACK_PAUSE_S, at a level steady within
#: _TALK_BACK_STEADY_DB where over the floor band (a queue announcement from the switch
#: dips there between its words, but falls through).
_TALK_BACK_PAUSE_S = 0.1
_TALK_BACK_STEADY_DB = 6.0
#: Safety net: _NET_TALK_S of talk and no music for _NET_NO_MUSIC_S is the agent back even
#: if their line is now much quieter than before the hold (its pauses would otherwise look
#: like the switch's near-silence and keep the hold going for the rest of the call).
_NET_NO_MUSIC_S = 10.0
_NET_TALK_S = 5.0
#: ... and "under the floor" also means under the quietest frame of the leg's quiet
#: stretches in the seconds before the hold (noise with lulls, such as lapping water, dips
#: far under its median): _QUIET_WINDOWS windows of _QUIET_WINDOW_S.
_QUIET_WINDOW_S = 2.0
_QUIET_WINDOWS = 5
_UNDER_QUIETEST_DB = 3.0
#: The line's own noise also has its own spectrum, which music and a recorded voice do not
#: share. Its shape (FrameBlock.band_db minus their mean) is averaged over the hold leg's
#: quiet frames, each with weight _NOISE_SHAPE_WEIGHT (about the last 2 s of them); in a
#: music hold a run at the floor brings the line back only if its shape, over
#: _LINE_BACK_S, is within _LINE_SHAPE_MAX_DB (RMS over the bands) of that. Chosen on the
#: tune split (benchmarks/study_announcements.py): the line's true returns sit at 1-5 dB,
#: quiet passages of music and an announcement's phrase gaps mostly at 7-26 dB.
_NOISE_SHAPE_WEIGHT = 1.0 / 200.0
_LINE_SHAPE_MAX_DB = 6.0


def hold_leg_index(roles: tuple[str, ...]) -> int:
    """The agent's leg, watched for hold: the one named ``"agent"``, else the last leg not
    named ``"customer"`` (a lone leg is its own)."""
    if "agent" in roles:
        return roles.index("agent")
    others = [k for k, role in enumerate(roles) if role != "customer"]
    return others[-1] if others else len(roles) - 1


def customer_and_agent(roles: tuple[str, ...]) -> tuple[str, str]:
    """The caller and the agent, as the coaching rules, state and alerts read them: the
    agent is the hold leg's role (:func:`hold_leg_index`); the caller is the role named
    ``"customer"``, else the first role that is not the agent. So ``("agent", "caller")``
    and ``("rep", "customer")`` read as meant; a lone leg is both."""
    agent = roles[hold_leg_index(roles)]
    if "customer" in roles:
        return "customer", agent
    return next((role for role in roles if role != agent), agent), agent


@dataclass
class _Candidate:
    leg: int
    start: int
    holder_end_in_overlap: int = _NONE
    end: int = _NONE  # frame the spurt ended (exclusive), _NONE while speaking
    resume_deadline: int = _NONE
    bc_deadline: int = _NONE  # listener stopped: one bid unless they go on before this
    holder_resumed: bool = False
    interruption_id: int = _NONE
    holder_stop_deadline: int = _NONE  # open interruption: holder stopped, may resume
    bid_stop_deadline: int = _NONE  # open interruption: interrupter stopped, may resume
    holder_talking_at_start: bool = False
    # A holder who left the floor open (silent when the bid began, or silent for
    # backchannel_resume_s in the overlap): where their talk had ended, and where they first
    # talked again over the listener (then they are the one overlapping).
    holder_end_before: int = _NONE
    holder_back_at: int = _NONE
    # Such a holder's silence: a pause if the bid turns out a backchannel (the holder kept
    # the floor), nothing if the listener takes the floor (it was the gap before their turn).
    pause_start: int = _NONE
    pause_end: int = _NONE


class TurnTakingDetector:
    """Per-call turn-taking state (a :class:`~empathysignals.detectors.base.Detector`).

    Parameters
    ----------
    context : DetectorContext
    config : TurnTakingConfig, optional
    """

    def __init__(self, context: DetectorContext, config: TurnTakingConfig | None = None) -> None:
        self.ctx = context
        self.cfg = config_or_default(config, TurnTakingConfig, "config")
        n = len(context.roles)
        if n not in (1, 2):
            raise ParameterError(f"turn-taking needs one or two legs, got {n}")
        self.n_legs = n
        self.hold_leg = hold_leg_index(context.roles)
        # A lone speaker's leg going quiet is a pause, not a hold: holds are detected on an
        # agent leg (host markers work everywhere).
        self.watch_hold = len(context.roles) == 2 or context.roles[self.hold_leg] == "agent"
        f = 1.0 / context.hop_s
        self._min_pause = round(self.cfg.min_pause_s * f)
        self._bc_max = round(self.cfg.backchannel_max_s * f)
        self._resume = round(self.cfg.backchannel_resume_s * f)
        self._merge = round(self.cfg.listener_pause_max_s * f)
        self._min_overlap = round(self.cfg.interruption_min_overlap_s * f)
        self._dead_air = round(self.cfg.dead_air_min_s * f)
        self._tone_cadence = round(_TONE_CADENCE_S * f)
        self._max_turn = round(self.cfg.max_turn_s * f)  # 0: never split
        self._hold_min = round(self.cfg.hold_min_s * f)
        self._hold_tol = round(self.cfg.hold_end_tolerance_s * f)
        self._hold_back = round(_HOLD_BACK_S * f)
        self._frame = 0  # next frame to process
        self._code = 0  # activity bits of the previous frame
        self.speaking = [False] * n
        self.spurt_start = [_NONE] * n
        self.last_end = [_NONE] * n
        # first frame of the leg's current talk: spurts less than listener_pause_max_s apart
        self.talk_start = [_NONE] * n
        self.floor = _NONE
        self.turn_start = _NONE
        self.turn_last_end = _NONE
        self.turn_part = 1  # part of the current floor turn (max_turn_s)
        self.cand: _Candidate | None = None
        self.silence_start = 0
        self.dead_air_id = _NONE
        self.dead_air_start = _NONE
        self.dead_air_end = _NONE  # frame where the last dead air ended
        # Talk ended the open dead air here while the agent's line was muted in a run that
        # may yet be a hold begun inside it: the event waits for that decision.
        self.dead_air_talk_at = _NONE
        # Pauses and gaps waiting to be reported (_HELD_WAIT_S; and while a hold that may
        # have begun by then is undecided): (due, since, anchor, kind, payload), by due. A
        # hold begun by anchor + the wait that lasted past ``since`` (the turn's start; the
        # gap's start) voids them: it cut, or held, the turn they would lie in.
        self.held: list[tuple[int, int, int, str, tuple[Any, ...]]] = []
        self.last_hold_start = _NONE
        self._held_wait = round(_HELD_WAIT_S * f)
        # hold: detected runs and host markers
        self.hold_run_kind = ""
        self.hold_run_start = _NONE
        self.sounding_since = _NONE  # first frame of the hold leg's current non-speech sound
        self._backdate = round(_MUSIC_BACKDATE_S * f)
        self._min_muted = max(1, round(GATE_MIN_MUTED_S * f))
        self.digital_since = _NONE  # first frame of the hold leg's digital-silence run
        self.hold_absent_since = _NONE
        self.hold_talk_frames = 0  # hold-leg speech since the hold was last present
        self.hold_onsets: list[int] = []  # the hold leg's onsets in the hold (newest last)
        self.end_before_spurt = _NONE  # the holder's turn_last_end before their last spurt
        self.hold_gap_start = _NONE
        self.last_hold_end = 0  # frame where the last hold ended (0: none yet)
        self._hold_seen = ""
        self.hold_id = _NONE
        self.hold_kind = ""
        self.hold_start = _NONE
        # music holds: the hold leg's floor before the hold, and whether its line is back
        self.quiet_floor = float("nan")  # hold leg's noise floor at its last quiet run
        self._quiet_window = round(_QUIET_WINDOW_S * f)
        self.quiet_mins = [np.inf] * _QUIET_WINDOWS  # per window, newest last
        self.quiet_window_index = 0
        self.noise_shape = np.full(N_LINE_BANDS, np.nan)  # of the hold leg's quiet frames
        self._quiet_from = 0  # first frame outside holds not yet in the quiet statistics
        self._block_codes: np.ndarray | None = None
        self._line_back_frames = round(_LINE_BACK_S * f)
        self._music_return = round(_MUSIC_RETURN_S * f)
        self._talk_back_after = round(_TALK_BACK_AFTER_S * f)
        self._talk_back = round(_TALK_BACK_S * f)
        self._talk_back_pause = max(1, round(_TALK_BACK_PAUSE_S * f))
        self._net_no_music = round(_NET_NO_MUSIC_S * f)
        self._net_talk = round(_NET_TALK_S * f)
        self.line_params: np.ndarray | None = None  # set when a music hold starts
        self.line_state = np.zeros(0)
        self._line_frame = 0  # next frame the line state has not seen
        self._block: FrameBlock | None = None
        self.markers: list[tuple[int, bool]] = []
        # silent_holds="auto": a muted hold leg is a hold only on an open line
        self.line_gate = (
            LineGateWatch(hop_s=context.hop_s, hold_min_s=self.cfg.hold_min_s)
            if self.cfg.silent_holds == "auto"
            else None
        )
        self.marker_hold = False
        # The last block's frames where the hold leg is a muted line that counts as a hold
        # (the alert tracker shares this instead of repeating the line-gate work).
        self.silent_hold_frames = np.zeros(0, dtype=bool)
        self._out: list[Event] = []

    # ------------------------------------------------------------------ public
    def mark_hold(self, at_s: float, *, on: bool) -> None:
        """Host marker from telephony metadata: hold starts (``on=True``) or ends at ``at_s``.
        A marker older than the frames already processed applies at the next frame."""
        if (
            isinstance(at_s, bool)
            or not isinstance(at_s, (int, float, np.integer, np.floating))
            or not np.isfinite(at_s)
            or at_s < 0
        ):
            raise ParameterError(
                f"hold marker time must be a finite number of seconds >= 0, got {at_s!r}"
            )
        if not isinstance(on, bool):  # "no" would read as a hold start
            raise ParameterError(f"on must be True (hold starts) or False (ends), got {on!r}")
        frame = max(round(at_s / self.ctx.hop_s), self._frame)
        if self.markers and frame < self.markers[-1][0]:
            raise ParameterError(
                f"hold markers must be given in time order; {at_s} s is before the previous one"
            )
        self.markers.append((frame, on))

    def push(self, frames: FrameBlock) -> list[Event]:
        if frames.first_frame != self._frame:
            raise ParameterError(
                f"frames must be contiguous: expected frame {self._frame}, got {frames.first_frame}"
            )
        n = frames.n_frames
        if n == 0:
            return []
        code = self._codes(frames)
        # The block is at hand while its runs are processed (per-frame levels for holds),
        # never kept in the per-call state.
        self._block, self._block_codes = frames, code
        try:
            changes = np.flatnonzero(np.diff(code)) + 1
            bounds = [0, *changes.tolist(), n]
            for i in range(len(bounds) - 1):
                self._run(
                    frames.first_frame + bounds[i],
                    frames.first_frame + bounds[i + 1],
                    int(code[bounds[i]]),
                )
            if not self.in_hold:
                self._note_quiet(frames.first_frame + n)
        finally:
            self._block = self._block_codes = None
        out, self._out = self._out, []
        return out

    def flush(self) -> list[Event]:
        end = self._frame
        cand = self.cand
        if (
            cand is not None
            and cand.interruption_id != _NONE
            and (cand.holder_stop_deadline != _NONE or cand.bid_stop_deadline != _NONE)
        ):
            # Someone had stopped before the end: whoever stopped first ended the overlap,
            # as the timers would have decided had the stream gone on.
            self._apply_timers(end, end, final=True)
        cand = self.cand
        if cand is not None and cand.interruption_id != _NONE:
            # Both still talking at the end: the interrupter did not get the floor. Their
            # bid ends where they stopped (if they were pausing) or at the stream end.
            stop = cand.end if cand.end != _NONE else end
            self._close_interruption(cand, stop, successful=False, decided=end)
            self.cand = None
        # Spurts still open end at the stream end.
        for leg in range(self.n_legs):
            if self.speaking[leg]:
                self._offset(leg, end)
        self._apply_timers(end, end, final=True)
        if self.dead_air_id != _NONE:
            self._close_dead_air(
                end if self.dead_air_talk_at == _NONE else self.dead_air_talk_at, end
            )
        self._settle_held(end, final=True)
        if self.hold_id != _NONE:
            self._end_hold(end, end)
        self._close_turn(end)
        out, self._out = self._out, []
        return out

    # ------------------------------------------------------------------ frames -> runs
    def _codes(self, frames: FrameBlock) -> np.ndarray:
        act = frames.active
        code = act[:, 0].astype(np.int64)
        if self.n_legs == 2:
            code |= act[:, 1].astype(np.int64) << 1
        h = self.hold_leg
        music = (frames.music_prob[:, h] > _MUSIC_PROB) & (
            frames.energy_db[:, h] > frames.floor_db[:, h] + _MUSIC_ACTIVE_DB
        )
        digital_silence = frames.energy_db[:, h] <= frames.muted_line_db(h, self.cfg.muted_max_dbfs)
        # A muted run counts from its GATE_MIN_MUTED_S-th frame (dated from its first,
        # _hold_update): shorter ones are lost packets filled with zeros, and would cut a
        # music run into pieces too short to make a hold.
        pos = np.arange(len(code))
        last_break = np.maximum.accumulate(np.where(digital_silence, -1, pos))
        # (the run that goes on from the last block began at digital_since)
        carried = 0 if self.digital_since == _NONE else frames.first_frame - self.digital_since
        run = np.where(last_break >= 0, pos - last_break, pos + 1 + carried)
        muted = digital_silence & (run >= self._min_muted)
        if self.cfg.silent_holds is False:
            muted[:] = False
        elif self.line_gate is not None:
            muted &= self.line_gate.update(act[:, h], digital_silence, music)
        if not self.watch_hold:
            music = muted = digital_silence = np.zeros(len(code), dtype=bool)
        self.silent_hold_frames = muted
        code |= (music.astype(np.int64) << 2) | (muted.astype(np.int64) << 3)
        # Bit 6: digital silence, whether or not it may be a hold: it never stands for the
        # line's own noise floor (_note_quiet), which a music hold's end is judged against.
        code |= digital_silence.astype(np.int64) << 6
        sounding = (frames.energy_db[:, h] > frames.floor_db[:, h] + _MUSIC_ACTIVE_DB) & ~act[:, h]
        code |= sounding.astype(np.int64) << 5
        # Bit 7: a call-progress tone on a leg (ring-back before the answer, busy): the
        # call is not in conversation, so its silence is no dead air.
        if frames.tone is not None:
            code |= frames.tone.any(axis=1).astype(np.int64) << 7
        # Markers split runs so they apply at their exact frame.
        for frame, _on in self.markers:
            k = frame - frames.first_frame
            if 0 < k < len(code):
                code[k:] ^= 1 << 4
        return code

    def _run(self, r0: int, r1: int, code: int) -> None:
        """Frames ``r0 .. r1-1`` all have activity bits ``code``."""
        self._markers_until(r0)
        prev = self._code
        for leg in range(self.n_legs):
            was, now = bool(prev >> leg & 1), bool(code >> leg & 1)
            if was and not now:
                self._offset(leg, r0)
        # A silence that ends on this frame has lasted its full length: whatever it decides
        # (the holder yielded, a bid or backchannel is over, dead air) is decided before
        # the talk that ends it begins anything new.
        self._apply_timers(r0, r0 + 1, silences_only=True)
        # Onsets on the same frame: the floor holder's last, so that whether the holder had
        # left the floor open when the other began does not depend on the legs' order.
        for leg in sorted(range(self.n_legs), key=lambda leg: leg == self.floor):
            was, now = bool(prev >> leg & 1), bool(code >> leg & 1)
            if now and not was:
                self._onset(leg, r0)
        # Sound on the hold leg, speech-labelled or not: music is often taken for speech
        # until the music detector has heard enough of it.
        h = self.hold_leg
        sounding_now = bool(code >> 5 & 1 or code >> h & 1)
        if sounding_now and not (prev >> 5 & 1 or prev >> h & 1):
            self.sounding_since = r0
        elif not sounding_now:
            self.sounding_since = _NONE
        if code >> 6 & 1 and not prev >> 6 & 1:
            self.digital_since = r0
        elif not code >> 6 & 1:
            self.digital_since = _NONE
        self._code = code
        if code >> 7 & 1 and not any(self.speaking):
            if self.dead_air_id != _NONE:
                self._close_dead_air(r0, r0)
            # The tone's cadence (off for up to 4 s between rings) is not silence either.
            self.silence_start = r1 + self._tone_cadence
        kind = "music" if code >> 2 & 1 else "silence" if code >> 3 & 1 else ""
        if code >> self.hold_leg & 1:
            kind = ""  # the agent talking is no hold, whatever the music detector says
        pos = r0
        s0 = r0
        while s0 < r1:
            s1, kind_s, since = self._hold_stretch(s0, r1, code, kind)
            self._hold_update(s0, kind_s, s1, since)
            # Threshold crossings inside the run are handled in time order.
            while True:
                due = self._hold_due()
                # A hold starts once its run has lasted hold_min_s, also when the run ends
                # right there (it ends once the agent's line has been back long enough).
                if due is not None and (due >= s1 if self.in_hold else due > s1):
                    due = None
                if due is None:
                    break
                at = max(due, pos, s0)
                self._apply_timers(pos, at)
                pos = at
                held = self.in_hold
                self._hold_fire(at)
                if held != self.in_hold:
                    s1 = at  # the rest of the run is judged again, inside or outside the hold
                    break
            s0 = s1
        self._apply_timers(pos, r1)
        self._frame = r1

    def _note_quiet(self, until: int) -> None:
        """Take the hold leg's quiet frames (no talk, music, muting or sound) outside holds,
        up to frame ``until`` of the current block, into its noise floor and the minima of
        its quiet windows."""
        blk, code = self._block, self._block_codes
        if blk is None or code is None:
            return
        first = blk.first_frame
        a = max(self._quiet_from, first)
        self._quiet_from = max(self._quiet_from, until)
        if until <= a:
            return
        h = self.hold_leg
        c = code[a - first : until - first]
        # not music (bit 2), muted (3), sounding (5) or digital silence (6): a line that is
        # not held but silence-suppressed shows its noise floor only next to talk
        quiet = ((c >> h) & 1 == 0) & (c & 0b1101100 == 0)
        if not quiet.any():
            return
        energy = blk.energy_db[a - first : until - first, h]
        self.quiet_floor = float(blk.floor_db[a - first + np.flatnonzero(quiet)[-1], h])
        if blk.band_db is not None:
            from .._kernels.hold import noise_shape_update

            bands = blk.band_db[a - first : until - first, h][quiet]
            shapes = bands - bands.mean(axis=1, keepdims=True)
            self.noise_shape = noise_shape_update(shapes, self.noise_shape, _NOISE_SHAPE_WEIGHT)
        w = self._quiet_window
        windows = np.arange(a, until) // w
        for k in np.unique(windows[quiet]).tolist():  # a block spans one or two windows
            low = float(energy[quiet & (windows == k)].min())
            shift = k - self.quiet_window_index
            if shift > 0:
                keep = max(0, _QUIET_WINDOWS - shift)
                self.quiet_mins = self.quiet_mins[_QUIET_WINDOWS - keep :] + [np.inf] * (
                    _QUIET_WINDOWS - keep
                )
                self.quiet_window_index = k
                shift = 0
            j = _QUIET_WINDOWS - 1 + shift
            if j >= 0:
                self.quiet_mins[j] = min(self.quiet_mins[j], low)

    def _hold_stretch(self, s0: int, r1: int, code: int, kind: str) -> tuple[int, str, int]:
        """End, hold-leg state and (if the agent's line is back) the frame where its own
        sound began, of the stretch from ``s0`` within a run ending at ``r1``.

        Outside music holds the state is the run's own ``kind`` to its end. Inside one, the
        music is present until the agent's line is back (``_LINE_BACK_S``), whatever the
        music and speech detectors say, and the stretch ends where that changes."""
        blk = self._block
        if (
            not self.in_hold
            or self.hold_kind != "music"
            or self.marker_hold
            or blk is None
            or self.line_params is None
        ):
            return r1, kind, _NONE
        from .._kernels.hold import L_BACK, L_BACK_FROM, line_scan

        music = bool(code >> 2 & 1)
        talking = bool(code >> self.hold_leg & 1)
        energy = blk.energy_db[:, self.hold_leg]
        bands = (
            blk.band_db[:, self.hold_leg]
            if blk.band_db is not None
            else np.zeros((blk.n_frames, N_LINE_BANDS))
        )
        # The state after the frames already seen is the state at s0.
        back = bool(self.line_state[L_BACK])
        since = int(self.line_state[L_BACK_FROM]) if back else _NONE
        t = max(s0, self._line_frame)
        while t < r1:
            used, self.line_state = line_scan(
                np.ascontiguousarray(energy[t - blk.first_frame : r1 - blk.first_frame]),
                np.ascontiguousarray(bands[t - blk.first_frame : r1 - blk.first_frame]),
                t,
                music,
                talking,
                self.line_state,
                self.line_params,
            )
            t += used
            self._line_frame = t
            now = bool(self.line_state[L_BACK])
            if now != back:
                if t - 1 > s0:
                    # the frame that changed it, already seen, opens the next stretch
                    return t - 1, "" if back else "music", since
                back = now
                since = int(self.line_state[L_BACK_FROM]) if back else _NONE
        return r1, "" if back else "music", since

    def _markers_until(self, frame: int) -> None:
        while self.markers and self.markers[0][0] <= frame:
            at, on = self.markers.pop(0)
            if on and not self.marker_hold:
                if self.hold_id != _NONE:
                    self._end_hold(at, at)
                self.marker_hold = True
                self._start_hold(at, at, kind="marker", source="marker")
            elif not on and self.marker_hold:
                self.marker_hold = False
                self._end_hold(at, at)

    @property
    def in_hold(self) -> bool:
        return self.hold_id != _NONE

    # ------------------------------------------------------------------ emit helpers
    def _event(
        self,
        cls: type[Event],
        start: int,
        end: int | None,
        decided: int,
        *,
        event_id: int | None = None,
        **attrs: Any,
    ) -> None:
        """Emit ``cls`` for frames ``start``..``end`` (None: still open), decided at frame
        ``decided``; a fresh id unless ``event_id`` continues an open condition."""
        self._out.append(
            cls(
                self.ctx.new_id() if event_id is None else event_id,
                self._s(start),
                None if end is None else self._s(end),
                self.ctx.emitted_at(decided),
                **attrs,
            )
        )

    def _role(self, leg: int) -> str:
        return self.ctx.roles[leg]

    def _s(self, frame: int) -> float:
        return self.ctx.seconds(frame)

    # ------------------------------------------------------------------ spurts
    def _onset(self, leg: int, t: int) -> None:
        self.speaking[leg] = True
        self.spurt_start[leg] = t
        if self.last_end[leg] == _NONE or t - self.last_end[leg] >= self._merge:
            self.talk_start[leg] = t
        if self.dead_air_id != _NONE and self.dead_air_talk_at == _NONE:
            if self._hold_may_start_after(self.dead_air_start):
                self.dead_air_talk_at = self.dead_air_end = t
            else:
                self._close_dead_air(t, t)
        if self.in_hold:
            # Speech on the hold leg ends a detected hold once it lasts (see _hold_update);
            # until then nobody has the floor. Its first onset since the hold's sound was
            # last heard opens the agent's turn if the hold turns out to have ended.
            if leg == self.hold_leg:
                self.hold_onsets = [*self.hold_onsets[-(_HOLD_ONSETS_KEPT - 1) :], t]
            return
        if self.floor == _NONE:
            self._new_floor(leg, t, _NONE)
            return
        if self.floor == leg:
            self.end_before_spurt = self.turn_last_end
            self._holder_resumes(leg, t)
            return
        cand = self.cand
        if cand is not None and cand.leg == leg and cand.end != _NONE:
            cand.end = _NONE  # the same listener goes on after a short stop
            cand.resume_deadline = _NONE
            cand.bc_deadline = _NONE
            cand.bid_stop_deadline = _NONE
            cand.holder_resumed = False
            return
        talking = self.speaking[self.floor]
        self.cand = _Candidate(leg, t, holder_talking_at_start=talking)
        if not talking:
            self.cand.holder_end_before = self.turn_last_end

    def _holder_has_floor(self, t: int) -> bool:
        """The holder is talking, or silent for less than ``backchannel_resume_s``: a
        short silence is still part of their turn."""
        holder = self.floor
        if self.speaking[holder]:
            return True
        end = self.last_end[holder]
        return end != _NONE and t - end < self._resume

    def _holder_resumes(self, leg: int, t: int) -> None:
        if self.dead_air_end == t and self.turn_last_end != _NONE:
            # The silence was dead air: the floor lapsed, and the holder's talk after it is
            # a new turn, not a pause of many seconds inside the old one.
            self._emit_turn(leg, self.turn_last_end, t)
            self._new_floor(leg, t, _NONE)
            if self.cand is not None and self.cand.start == t:
                # The other began on this very frame: they bid against the new turn.
                self.cand.holder_talking_at_start = True
                self.cand.holder_end_before = _NONE
            return
        cand = self.cand
        if cand is not None and cand.interruption_id == _NONE and cand.holder_back_at == _NONE:
            stopped = (
                cand.holder_end_in_overlap if cand.holder_talking_at_start
                else cand.holder_end_before
            )  # fmt: skip
            if stopped != _NONE and t - stopped < self._resume:
                # A silence shorter than backchannel_resume_s is part of the holder's turn
                # (whether or not the listener is talking just now): the listener came in
                # over it, and if the floor passes, the holder's turn ends where they last
                # stop, not at that silence.
                cand.holder_talking_at_start = True
                cand.holder_end_before = _NONE
                cand.holder_end_in_overlap = _NONE
            elif stopped != _NONE:
                # The holder's silence (begun before the listener came in, or in the
                # overlap) lasted backchannel_resume_s: they had left the floor open, and
                # coming back now (the listener talking, or in a pause of their bid) is
                # talking over the listener.
                # Whose floor it is is known when the bid is decided; the silence is then a
                # gap (or was filled by a backchannel), not a clean pause.
                cand.holder_end_before = stopped
                cand.holder_back_at = t
        # A holder back while the listener talks: their silence is a gap (or was filled by
        # a backchannel), not a clean pause. Back in a pause of the listener's bid, it is
        # a pause if that bid turns out a backchannel (decided with it, _backchannel).
        back_over_listener = cand is not None and cand.end == _NONE and cand.holder_back_at != _NONE
        if self.turn_last_end != _NONE and t - self.turn_last_end >= self._min_pause:
            if cand is not None and cand.holder_back_at != _NONE:
                cand.pause_start, cand.pause_end = self.turn_last_end, t
            elif self.watch_hold:
                self._defer_for_hold("pause", self.turn_last_end, t, self.turn_start, t, (leg,))
            else:
                self._event(PauseEvent, self.turn_last_end, t, t, speaker=self._role(leg))
        if cand is not None and cand.end != _NONE and cand.interruption_id == _NONE:
            cand.holder_resumed = True
            if cand.bc_deadline == _NONE:  # the listener's bid is over: it was a backchannel
                self._backchannel(cand, t)
        elif cand is not None and not back_over_listener:
            # The holder talks again over the newcomer: the overlap goes on.
            cand.holder_end_in_overlap = _NONE
            cand.holder_stop_deadline = _NONE
        if (
            self._max_turn
            and self.cand is None
            and self.turn_last_end != _NONE
            and t - self.turn_last_end >= self._min_pause
            and self.turn_last_end - self.turn_start >= self._max_turn
        ):
            # A long turn goes out in parts, split at a pause: its prosody and state (and
            # the alerts on them) then come while it runs, not minutes later.
            self._emit_turn(leg, self.turn_last_end, t)
            self.turn_start, self.turn_part = t, self.turn_part + 1
        self.turn_last_end = _NONE

    def _offset(self, leg: int, t: int) -> None:
        self.speaking[leg] = False
        self.last_end[leg] = t
        if not any(self.speaking) and not self.in_hold:
            self.silence_start = t
        if self.floor == leg:
            self.turn_last_end = t
            cand = self.cand
            if cand is not None and cand.holder_back_at == _NONE:
                # (A listener in a pause of their bid is still in the overlap.)
                cand.holder_end_in_overlap = t
                if cand.interruption_id != _NONE:
                    # Yielded, or only pausing? Known if they stay silent long enough.
                    cand.holder_stop_deadline = t + self._resume
            return
        cand = self.cand
        if cand is None or cand.leg != leg or cand.end != _NONE:
            return
        if cand.interruption_id != _NONE:
            # Gave up, or only pausing? A bid's spurts are one bid while they are less than
            # listener_pause_max_s apart, during the overlap as before it.
            cand.end = t
            cand.bid_stop_deadline = t + self._merge
            return
        cand.end = t
        cand.bc_deadline = t + self._merge
        cand.resume_deadline = t + max(self._resume, self._merge)
        cand.holder_resumed = self.floor != _NONE and self.speaking[self.floor]

    # ------------------------------------------------------------------ decisions
    def _backchannel(self, cand: _Candidate, decided: int) -> None:
        self._event(BackchannelEvent, cand.start, cand.end, decided, speaker=self._role(cand.leg))
        if cand.pause_start != _NONE:
            holder = self._role(1 - cand.leg)
            self._event(PauseEvent, cand.pause_start, cand.pause_end, decided, speaker=holder)
        self.cand = None

    def _close_interruption(
        self, cand: _Candidate, end: int, *, successful: bool, decided: int, new: bool = False
    ) -> None:
        self._event(
            InterruptionEvent,
            cand.start,
            end,
            decided,
            event_id=None if new else cand.interruption_id,
            by=self._role(cand.leg),
            of=self._role(1 - cand.leg),
            successful=successful,
        )
        cand.interruption_id = _NONE

    def _transfer(self, cand: _Candidate, decided: int) -> None:
        """The candidate takes the floor."""
        old = self.floor
        # A holder who is talking again (over the newcomer) ended the turn at the end of
        # the spurt before; one who was silent when the newcomer began, where that silence
        # began.
        if cand.holder_end_before != _NONE:
            old_end = cand.holder_end_before
        else:
            old_end = self.turn_last_end if self.turn_last_end != _NONE else self.last_end[old]
        self._emit_turn(old, old_end, decided)
        lo, hi = min(old_end, cand.start), max(old_end, cand.start)
        gap = (old, cand.leg, round(self._s(cand.start - old_end), 3))
        if self.watch_hold:
            self._defer_for_hold("gap", lo, hi, lo, cand.start, gap, decided=decided)
        else:
            self._emit_gap(lo, hi, decided, gap)
        self._new_floor(cand.leg, cand.start, cand.end)
        self.cand = None
        # The old holder may already be talking again over the new one: they are now the
        # newcomer, from where they first came back in over them.
        back = cand.holder_back_at
        if self.speaking[old] or back != _NONE:
            # (A silence of listener_pause_max_s since they came back ended that bid.)
            start = max(back, self.talk_start[old]) if back != _NONE else self.spurt_start[old]
            bid = _Candidate(old, start, holder_talking_at_start=True)
            if not self.speaking[old]:  # came back and stopped again: a bid in a short stop
                bid.end = self.last_end[old]
                # Its fate is settled no earlier than now (emission times never go back).
                bid.bc_deadline = max(bid.end + self._merge, decided)
                bid.resume_deadline = max(bid.end + max(self._resume, self._merge), decided)
                # The new holder was talking when it ended (their spurts less than
                # listener_pause_max_s apart), or is now.
                bid.holder_resumed = (
                    self.speaking[cand.leg] or cand.end == _NONE or cand.end >= bid.end
                )
            self.cand = bid
            if bid.end != _NONE and bid.end - bid.start > self._bc_max:
                # It lasted backchannel_max_s, and is over: decided now, and closed once
                # its silence is known to be listener_pause_max_s.
                bid.bc_deadline = bid.resume_deadline = _NONE
                self._candidate_matured(bid, decided)
                if bid.interruption_id != _NONE:
                    bid.bid_stop_deadline = max(bid.end + self._merge, decided)

    def _apply_timers(
        self, r0: int, r1: int, *, final: bool = False, silences_only: bool = False
    ) -> None:
        """Fire every threshold crossing inside frames ``[r0, r1)``, in time order
        (``silences_only``: not a bid reaching ``backchannel_max_s``, which is talk), the
        held pauses and gaps included (a hold decided on the same frame goes first: _run)."""
        while self.held and not final:
            due = self._held_due()
            if due is None or due >= r1:
                break
            due = max(due, r0)
            self._apply_timer_rules(r0, due, silences_only=silences_only)
            r0 = due
            waiting = len(self.held)
            self._settle_held(due)
            if len(self.held) == waiting:
                break  # the first waits on a hold run, decided at a later frame
        self._apply_timer_rules(r0, r1, final=final, silences_only=silences_only)

    def _apply_timer_rules(
        self, r0: int, r1: int, *, final: bool = False, silences_only: bool = False
    ) -> None:
        """The floor and dead-air timers of :meth:`_apply_timers`."""
        if self.dead_air_talk_at != _NONE and not self._hold_may_start_after(self.dead_air_start):
            # The agent's line that might have been a hold is not one: talk ended the dead air.
            self._close_dead_air(self.dead_air_talk_at, max(r0, self.dead_air_talk_at))
        while True:
            fired = False
            cand = self.cand
            if cand is not None and self.floor != _NONE and cand.interruption_id != _NONE:
                # Whoever is known first to have stopped ended the overlap (the holder:
                # silent backchannel_resume_s; the interrupter: listener_pause_max_s); the
                # interrupter on a tie (the holder did not stop first).
                due_bid, due_holder = cand.bid_stop_deadline, cand.holder_stop_deadline
                bid_first = due_bid != _NONE and (due_holder == _NONE or due_bid <= due_holder)
                due = due_bid if bid_first else due_holder
                if due != _NONE and (due < r1 or final):
                    at = max(min(due, r0) if final else due, r0)
                    if bid_first:
                        # The interrupter gave up; the holder keeps the floor. If the holder
                        # was pausing, the overlap had already ended when they paused.
                        end = cand.end
                        if cand.holder_end_in_overlap != _NONE:
                            end = min(end, cand.holder_end_in_overlap)
                        self._close_interruption(cand, end, successful=False, decided=at)
                        self.cand = None
                    else:
                        self._close_interruption(
                            cand, cand.holder_end_in_overlap, successful=True, decided=at
                        )
                        self._transfer(cand, at)
                    fired = True
            elif cand is not None and self.floor != _NONE:
                if cand.end == _NONE:
                    if silences_only:
                        break
                    due = cand.start + self._bc_max
                    if r0 <= due < r1 or (due < r0):
                        self._candidate_matured(cand, max(due, r0))
                        fired = True
                elif cand.bc_deadline != _NONE and (cand.bc_deadline < r1 or final):
                    at = max(cand.bc_deadline if not final else min(cand.bc_deadline, r0), r0)
                    cand.bc_deadline = _NONE
                    if cand.holder_resumed or self.speaking[self.floor]:
                        self._backchannel(cand, at)
                    fired = True
                elif cand.resume_deadline != _NONE and (cand.resume_deadline < r1 or final):
                    at = cand.resume_deadline if not final else min(cand.resume_deadline, r0)
                    self._transfer(cand, max(at, cand.end))
                    fired = True
            if not fired:
                break
        if not any(self.speaking) and not self.in_hold and self.dead_air_id == _NONE and not final:
            due = self.silence_start + self._dead_air
            # The agent's line muted in a run that may yet be a hold: the silence from its
            # start would be hold, not dead air. Wait until that is decided. A muting
            # counts from GATE_MIN_MUTED_S on (dated from its first frame): one younger
            # than that at the threshold is waited for too.
            if self.watch_hold and self.digital_since != _NONE:
                due = max(due, min(self.digital_since + self._min_muted, due + self._min_muted))
            maybe_hold = self._hold_may_start_after(_NONE, before=due)
            if due < r1 and not maybe_hold:
                at = max(due, r0)
                self.dead_air_id = self.ctx.new_id()
                self.dead_air_start = self.silence_start
                self._event(DeadAirEvent, self.silence_start, None, at, event_id=self.dead_air_id)
                if self.n_legs == 1:
                    # A lone speaker never loses the floor to anyone: their turn ends when
                    # the line has been silent long enough to be dead air.
                    self._close_turn(at, before=self.silence_start)

    def _candidate_matured(self, cand: _Candidate, t: int) -> None:
        """The listener has talked for ``backchannel_max_s``: not a backchannel."""
        holder = self.floor
        # Only talk that begins over the holder's turn bids against them: over their talk,
        # or in a silence they ended within backchannel_resume_s (_holder_resumes marks
        # that as talking). A listener who began in a longer silence took an open floor; if
        # the holder came back in over them, the holder is the one overlapping (_transfer).
        if (
            cand.holder_talking_at_start
            and cand.holder_back_at == _NONE
            and self._holder_has_floor(t)
        ):
            # A bid for the floor while the holder still holds it: interruption in progress.
            cand.interruption_id = self.ctx.new_id()
            if not self.speaking[holder]:
                cand.holder_end_in_overlap = self.last_end[holder]
                cand.holder_stop_deadline = self.last_end[holder] + self._resume
            self._event(
                InterruptionEvent,
                cand.start,
                None,
                t,
                event_id=cand.interruption_id,
                by=self._role(cand.leg),
                of=self._role(holder),
                successful=None,
            )
            return
        if (
            cand.holder_talking_at_start
            and cand.holder_end_in_overlap != _NONE
            and cand.holder_end_in_overlap - cand.start >= self._min_overlap
        ):
            self._close_interruption(
                cand, cand.holder_end_in_overlap, successful=True, decided=t, new=True
            )
        # The floor was open (or the overlap was terminal): the listener takes it. If the
        # old holder is talking again, they become the newcomer (see _transfer).
        self._transfer(cand, t)

    # ------------------------------------------------------------------ dead air, hold
    def _close_dead_air(self, end: int, decided: int) -> None:
        self._event(DeadAirEvent, self.dead_air_start, end, decided, event_id=self.dead_air_id)
        self.dead_air_id = _NONE
        self.dead_air_end = end
        self.dead_air_talk_at = _NONE

    def _emit_gap(self, lo: int, hi: int, at: int, gap: tuple[Any, ...]) -> None:
        old, new, offset = gap
        self._event(GapEvent, lo, hi, at, from_=self._role(old), to=self._role(new), offset=offset)

    def _defer_for_hold(
        self,
        kind: str,
        start: int,
        end: int,
        since: int,
        anchor: int,
        payload: tuple[Any, ...],
        *,
        decided: int = _NONE,
    ) -> None:
        """Report a pause (``decided`` unset) once it is known whether a hold began by its
        end (``anchor``) + ``_HELD_WAIT_S``; a gap (decided at ``decided``) at once, unless
        the hold leg is then in a run that may yet be a hold and began by its newcomer's
        onset (``anchor``) + the wait: then when that run is decided."""
        due = anchor + self._held_wait if decided == _NONE else decided
        if decided != _NONE and not self._hold_may_void(anchor, decided):
            self._report_held(kind, (start, end, *payload), decided)
            return
        entry = (due, since, anchor, kind, (start, end, *payload))
        k = len(self.held)
        while k > 0 and self.held[k - 1][0] > due:
            k -= 1
        self.held.insert(k, entry)

    def _report_held(self, kind: str, payload: tuple[Any, ...], at: int) -> None:
        if kind == "pause":
            start, end, leg = payload
            self._event(PauseEvent, start, end, at, speaker=self._role(leg))
        else:
            lo, hi, *gap = payload
            self._emit_gap(lo, hi, at, tuple(gap))

    def _pending_hold_run(self, at: int) -> str:
        """The kind of the hold leg's run (music, or a muted line, "silence") that may yet
        be a hold at frame ``at``, or "" (music may be in a dropout shorter than
        ``hold_end_tolerance_s``)."""
        if self.in_hold or not self.hold_run_kind:
            return ""
        if self._hold_seen == self.hold_run_kind:
            return self.hold_run_kind
        in_dropout = (
            self.hold_run_kind == "music"
            and self.hold_gap_start != _NONE
            and at - self.hold_gap_start <= self._hold_tol
        )
        return self.hold_run_kind if in_dropout else ""

    def _hold_may_void(self, anchor: int, at: int) -> bool:
        """At frame ``at``, a run that may yet be a hold began by ``anchor`` + the wait."""
        return bool(self._pending_hold_run(at)) and self.hold_run_start <= anchor + self._held_wait

    def _held_due(self) -> int | None:
        """When the first held pause or gap is next to be decided (None: not before the
        frames' states change)."""
        if not self.held:
            return None
        due, _, anchor, _, _ = self.held[0]
        if not self._hold_may_void(anchor, due):
            return due
        if self._hold_seen == self.hold_run_kind:
            return None  # decided when the hold starts or the run stops (a new stretch)
        return max(due, self.hold_gap_start + self._hold_tol + 1)  # the dropout too long

    def _settle_held(self, at: int, *, final: bool = False) -> None:
        """Report the held pauses and gaps decided by ``at``: all but those a hold begun by
        their anchor + the wait voids."""
        while self.held:
            due, since, anchor, kind, payload = self.held[0]
            if not final and (due > at or self._hold_may_void(anchor, at)):
                return
            self.held.pop(0)
            # The last hold began by anchor + the wait and reached past ``since``.
            voided = (
                self.last_hold_start != _NONE
                and self.last_hold_start <= anchor + self._held_wait
                and (self.in_hold or self.last_hold_end > since)
            )
            if not voided:
                self._report_held(kind, payload, at)

    def _hold_may_start_after(self, frame: int, *, before: int | None = None) -> bool:
        """The agent's line is muted, in a run that may yet be a silent hold and began after
        ``frame`` (and before ``before``). (Not music: the music detector flickers on some
        noise, and every such run would hold back dead air by up to ``hold_min_s``.)"""
        if self._pending_hold_run(self._frame) != "silence":
            return False
        return self.hold_run_start > frame and (before is None or self.hold_run_start < before)

    def _hold_update(self, r0: int, kind: str, r1: int, since: int = _NONE) -> None:
        """Bookkeeping at the start of a run (frames ``r0 .. r1-1``) whose hold-leg state
        is ``kind``; ``since``: where the hold's sound gave way to the agent's line, if
        known (the hold then ends there, not at ``r0``)."""
        self._hold_seen = kind
        if self.marker_hold:
            return
        if self.in_hold:
            # Music that pauses into a muted line (or a muted line that starts playing
            # music) is still the same hold; but once the agent has talked since the hold
            # was last heard, their line going quiet is a pause in their talk.
            agent_back = (
                self.hold_absent_since != _NONE and self.hold_talk_frames >= self._hold_back
            )
            if kind == "music" or (kind == "silence" and not agent_back):
                self.hold_absent_since = _NONE
                self.hold_talk_frames = 0
            elif not kind:
                if self.hold_absent_since == _NONE:
                    self.hold_absent_since = r0 if since == _NONE else since
                if self._code >> self.hold_leg & 1:
                    self.hold_talk_frames += r1 - r0
            return
        if not kind:
            if self.hold_run_kind and self.hold_gap_start == _NONE:
                self.hold_gap_start = r0
            return
        # A music run survives gaps up to the end tolerance (block decisions flicker). A
        # muted line must stay muted, as it must inside a silent hold (_hold_due): a quiet
        # room near the muted level, or a line with silence suppression (digital silence
        # between the agent's words), is no hold.
        tol = self._hold_tol if kind == "music" else 0
        resumed = kind == self.hold_run_kind and (
            self.hold_gap_start == _NONE or r0 - self.hold_gap_start <= tol
        )
        if not resumed:
            start = r0
            if kind == "music" and self.sounding_since != _NONE:
                # The music detector lags the music's onset by up to its context; but a
                # hold never reaches back into the one before (a marked one, say).
                start = max(self.sounding_since, r0 - self._backdate, self.last_hold_end)
            elif kind == "silence" and self.digital_since != _NONE:
                start = max(self.digital_since, self.last_hold_end)
            self.hold_run_kind, self.hold_run_start = kind, start
        self.hold_gap_start = _NONE

    def _hold_due(self) -> int | None:
        """Frame at which hold starts or ends if nothing changes, else None."""
        if self.marker_hold:
            return None
        if self.in_hold:
            if self.hold_absent_since == _NONE:
                return None
            # Music may pause, and a blip on the agent leg is not the agent coming back; a
            # muted line that opens again is.
            silent_back = self.hold_kind == "silence" and not self._code >> self.hold_leg & 1
            return self.hold_absent_since + (0 if silent_back else self._hold_tol)
        if self._hold_seen and self._hold_seen == self.hold_run_kind:
            return self.hold_run_start + self._hold_min
        return None

    def _hold_fire(self, at: int) -> None:
        if self.in_hold:
            self._end_hold(self.hold_absent_since, at)
            if self._hold_seen:
                self.hold_run_kind, self.hold_run_start = self._hold_seen, at
                self.hold_gap_start = _NONE
        else:
            self._start_hold(self.hold_run_start, at, kind=self.hold_run_kind, source="detected")

    def _start_hold(self, start: int, decided: int, *, kind: str, source: str) -> None:
        if self.dead_air_id != _NONE:
            end = max(start, self.dead_air_start)
            if self.dead_air_talk_at != _NONE:
                end = min(end, self.dead_air_talk_at)
            self._close_dead_air(end, decided)
        self._close_turn(decided, before=start)
        self.cand = None
        self._note_quiet(decided)
        self.hold_id = self.ctx.new_id()
        self.hold_kind = kind
        self.hold_start = self.last_hold_start = start
        self.hold_absent_since = _NONE
        self.line_params = None
        if kind == "music" and np.isfinite(self.quiet_floor):
            self._start_line(start, decided)
        self._event(
            HoldEvent, start, None, decided, event_id=self.hold_id, kind=kind, source=source
        )

    def _start_line(self, start: int, decided: int) -> None:
        """Watch for the agent's line coming back (``_LINE_BACK_S``) in a music hold."""
        from .._kernels import hold as k

        ref = self.quiet_floor
        # Quiet windows older than the ones just before the hold no longer count.
        age = start // self._quiet_window - self.quiet_window_index
        recent = self.quiet_mins[max(0, _QUIET_WINDOWS - 1 - age) :]
        quietest = min(recent, default=np.inf)
        params = np.zeros(k.LINE_PARAMS_SIZE)
        params[k.P_REF] = ref
        params[k.P_SWITCH_BELOW] = min(ref - _SWITCH_QUIET_DB, quietest - _UNDER_QUIETEST_DB)
        params[k.P_FLOOR_BAND] = _FLOOR_BAND_DB
        params[k.P_BACK_FRAMES] = self._line_back_frames
        params[k.P_MUSIC_RETURN] = self._music_return
        params[k.P_TALK_AFTER] = self._talk_back_after
        params[k.P_TALK] = self._talk_back
        params[k.P_HOLD_BACK] = self._hold_back
        params[k.P_MUSIC_STEP] = _MUSIC_LEVEL_STEP_DB
        params[k.P_HOLD_START] = start
        params[k.P_NET_NO_MUSIC] = self._net_no_music
        params[k.P_NET_TALK] = self._net_talk
        params[k.P_PAUSE_FRAMES] = self._talk_back_pause
        params[k.P_STEADY_DB] = _TALK_BACK_STEADY_DB
        if np.isfinite(self.noise_shape).all():
            params[k.P_SHAPE_MAX] = _LINE_SHAPE_MAX_DB
            params[k.P_SHAPE : k.P_SHAPE + k.N_BANDS] = self.noise_shape
        self.line_params = params
        self.line_state = k.new_line_state(decided)  # the hold was judged present here

    def _end_hold(self, end: int, decided: int) -> None:
        self._event(
            HoldEvent,
            self.hold_start,
            end,
            decided,
            event_id=self.hold_id,
            kind=self.hold_kind,
            source="marker" if self.hold_kind == "marker" else "detected",
        )
        self.hold_id = _NONE
        self.hold_kind = ""
        self.last_hold_end = end
        self.hold_run_kind = ""
        self.hold_gap_start = _NONE
        self.hold_absent_since = _NONE
        self.hold_talk_frames = 0
        self.line_params = None
        self._quiet_from = decided  # quiet frames count again from here
        self.silence_start = end
        self.floor = _NONE
        # Whoever is talking as the hold ends holds the floor from their onset; anyone else
        # already talking (the end is known only hold_end_tolerance_s later) bids against
        # them from their own onset.
        h = self.hold_leg
        first = next((t for t in self.hold_onsets if t >= end), _NONE)
        self.hold_onsets = []
        talking = [leg for leg in range(self.n_legs) if self.speaking[leg]]
        if (
            first != _NONE
            and not self.speaking[h]
            and self.last_end[h] > first
            and all(self.spurt_start[o] > first for o in talking)
        ):
            # The agent came back and stopped talking before the hold's end was known
            # (hold_end_tolerance_s later): that talk is their turn.
            self._new_floor(h, first, self.last_end[h])
            for other in talking:  # a newcomer after the agent's words
                cand = _Candidate(other, self.spurt_start[other], holder_talking_at_start=False)
                cand.holder_end_before = self.turn_last_end
                self.cand = cand
            return
        if talking:
            # (Talk that went on through the hold counts from the hold's end: in a hold,
            # nobody has the floor.)
            leg = min(talking, key=lambda i: self.spurt_start[i])
            start = max(self.spurt_start[leg], end)
            if leg == h and first != _NONE:
                start = first  # from their first words after the hold
            self._new_floor(leg, start, _NONE)
            for other in talking:
                if other != leg:
                    self.cand = _Candidate(
                        other, max(self.spurt_start[other], end), holder_talking_at_start=True
                    )

    def _close_turn(self, decided: int, *, before: int | None = None) -> None:
        if self.floor == _NONE:
            return
        leg = self.floor
        end = self.turn_last_end
        if (
            before is not None
            and self.spurt_start[leg] >= before
            and self.end_before_spurt != _NONE
            and self.end_before_spurt > self.turn_start
        ):
            # The holder's talk since the hold began is no part of the turn the hold ends
            # (on the hold leg, it was the hold's music, which the frame labels take for
            # speech until the music detector has heard enough).
            end = self.end_before_spurt
        elif self.speaking[leg] or end == _NONE:
            end = decided if before is None else before
        if before is not None:
            end = min(end, before)  # (a part that began at the hold's music: nothing left)
        if end > self.turn_start:
            self._emit_turn(leg, end, decided)
        self.floor = _NONE
        self.turn_last_end = _NONE

    def _new_floor(self, leg: int, start: int, last_end: int) -> None:
        self.floor, self.turn_start, self.turn_last_end = leg, start, last_end
        self.turn_part = 1

    def _emit_turn(self, leg: int, end: int, decided: int) -> None:
        """The current turn (part) of ``leg``, from ``turn_start`` to ``end``."""
        self._event(
            TurnEvent, self.turn_start, end, decided, speaker=self._role(leg), part=self.turn_part
        )


def turn_taking(
    active: np.ndarray,
    *,
    roles: tuple[str, ...] = ("customer", "agent"),
    hop_s: float = 0.01,
    config: TurnTakingConfig | None = None,
) -> list[Event]:
    """Turn-taking events from any per-frame speaker activity (another VAD, a diarizer).

    Parameters
    ----------
    active : np.ndarray, shape (n_frames, n_roles), bool
        Whether each role speaks in frame ``i`` = ``[i * hop_s, (i + 1) * hop_s)``.
    roles : tuple of str
    hop_s : float
        Frame length in seconds.
    config : TurnTakingConfig, optional

    Returns
    -------
    list of Event
        Turns, pauses, gaps, dead air, interruptions and backchannels (no hold: that needs
        the audio), emitted as if decided with no lookahead (``emitted_at`` = decision time).
    """
    roles = validate_roles(roles)
    act = np.asarray(active)
    if act.ndim != 2 or act.shape[1] != len(roles) or act.dtype != bool:
        raise ParameterError(
            f"active must be a bool array of shape (n_frames, {len(roles)}), got "
            f"{act.dtype} {act.shape}"
        )
    if not (isinstance(hop_s, (int, float)) and 0.001 <= hop_s <= 1.0):
        raise ParameterError(f"hop_s must be between 0.001 and 1 s, got {hop_s!r}")
    n = act.shape[0]
    frames = FrameBlock(
        0,
        roles,
        act,
        np.where(act, -20.0, -50.0),
        np.full(act.shape, -60.0),
        np.zeros(act.shape),
        hop_s,
    )
    det = TurnTakingDetector(DetectorContext(roles, 0, hop_s), config)
    return det.push(frames) + det.flush() if n else det.flush()
