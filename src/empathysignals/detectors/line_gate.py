"""Is the hold leg an open line? A muted stretch is a silent hold only on one.

A line with silence suppression (VoIP DTX without comfort noise, a recorder's noise gate)
carries digital silence whenever its talker pauses, so a listening agent looks like a
silent hold. An open line keeps its noise floor between words. Two signs tell them apart:

* **open**: ``OPEN_LINE_S`` of the line's own noise with no talk and no music. A gate lets
  through at most its hang time (0.1-0.3 s) of noise after a word; an agent listening on
  an open line gives seconds of it. Until a line has shown this, a muted stretch on it is
  not a hold (nor is an agent leg that is muted from the start of the call).
* **gated**: a *short* muted run tightly bracketed by the leg's own talk: talk ends, the
  line drops to the muted level within ``GATE_BRACKET_S``, comes back in less than the
  hold minimum, and the same talker starts again within ``GATE_BRACKET_S``. After
  ``GATE_EVIDENCE`` such runs the line is taken as gated from that frame on, whatever
  it showed before (a gate with a long hang time). A codec's gate also opens on loud
  noise, so its muted runs often end in noise, not talk: any short muted run counts too
  once short muted runs make up ``GATE_MUTED_SHARE`` of the line's non-talk time (after
  ``GATE_SHARE_AFTER_S`` of it). An open line's noise is rarely digital silence: the
  game-ambience recordings among the simulator's noises, which have silent gaps, reach
  0.09 of it; gated tune calls 0.16 (gated on the talker) and 0.30 (on a codec's VAD).

The watcher sees frames in order and keeps a few integers, so chunking does not change
its decision and a call's state stays small and picklable.
"""

from __future__ import annotations

import numpy as np

#: Talk must end (start) this close before (after) a muted run for it to count; a gate's
#: hang time, the stretch of line noise it lets through after a word, is 0.1-0.3 s.
GATE_BRACKET_S = 0.5
#: Noise with no talk and no music this long shows the line is open.
OPEN_LINE_S = 1.0
#: Muted runs shorter than this are ignored (a lost packet or two, concealed with zeros).
GATE_MIN_MUTED_S = 0.1
#: Bracketed short muted runs that make a line gated: one could be an agent muting for a
#: cough; a gated line makes one at nearly every pause of its talker.
GATE_EVIDENCE = 3
#: Share of the line's non-talk, non-music time in short muted runs from which any short
#: muted run is gate evidence, and how much of that time must have passed first.
GATE_MUTED_SHARE = 0.2
GATE_SHARE_AFTER_S = 10.0

_NONE = -1


class LineGateWatch:
    """Per-call state of the open/gated line test on one leg (see the module docstring).

    Parameters
    ----------
    hop_s : float
        Frame hop in seconds.
    hold_min_s : float
        Muted runs at least this long are hold candidates, never gate evidence.
    """

    def __init__(self, *, hop_s: float, hold_min_s: float) -> None:
        f = 1.0 / hop_s
        self._bracket = round(GATE_BRACKET_S * f)
        self._min_muted = max(1, round(GATE_MIN_MUTED_S * f))
        self._max_muted = max(self._min_muted + 1, round(hold_min_s * f))
        self._open_len = round(OPEN_LINE_S * f)
        self._share_after = round(GATE_SHARE_AFTER_S * f)
        self._frame = 0
        self._talking = False
        self._muted = False
        self._noise = False
        self._noise_before_muted = False
        self.noise_start = _NONE  # start of the current run of line noise
        self.open_from = _NONE  # first frame the line is known to be open, or _NONE
        self.last_talk_end = _NONE
        self.muted_start = _NONE
        self.muted_bracketed = False  # the current muted run began right after talk
        self.pending_end = _NONE  # end of a bracketed short muted run, awaiting talk
        self.evidence = 0
        self.gated_from = _NONE  # first frame of the gated line, or _NONE
        self.noise_frames = 0  # frames of the line's own noise (no talk, music or mute)
        self.short_muted_frames = 0  # frames in ended short muted runs

    def update(self, talking: np.ndarray, muted: np.ndarray, music: np.ndarray) -> np.ndarray:
        """Feed the next frames of the leg (equal-length bool arrays: its talk labels, its
        muted frames, its music frames); return, per frame, whether a muted frame there may
        be a silent hold (the line was shown open by then, and not gated)."""
        n = talking.shape[0]
        first = self._frame
        if n:
            noise = ~(talking | muted | music)
            state = talking.astype(np.int8) | muted.astype(np.int8) << 1
            state |= noise.astype(np.int8) << 2
            change = np.flatnonzero(np.diff(state)) + 1
            bounds = [0, *change.tolist(), n]
            for i in range(len(bounds) - 1):
                if self.gated_from != _NONE:
                    break
                k = bounds[i]
                self._transition(first + k, bool(talking[k]), bool(muted[k]), bool(noise[k]))
                if noise[k]:
                    self.noise_frames += bounds[i + 1] - k
                if self._noise and self.open_from == _NONE:
                    # the noise run may reach OPEN_LINE_S inside this run
                    due = self.noise_start + self._open_len
                    if due <= first + bounds[i + 1]:
                        self.open_from = max(due, first + k)
            self._frame = first + n  # (once gated, the transition state no longer matters)
        frames = first + np.arange(n)
        allowed = frames >= self.open_from if self.open_from != _NONE else np.zeros(n, bool)
        if self.gated_from != _NONE:
            allowed &= frames < self.gated_from
        return allowed

    def _transition(self, t: int, talking: bool, muted: bool, noise: bool) -> None:
        if noise and not self._noise:
            # A lost packet or two filled with zeros (a recorder without concealment) does
            # not end the line's noise: at 3 % loss no second of it would pass unbroken.
            lost = (
                self._muted and self._noise_before_muted and t - self.muted_start < self._min_muted
            )
            if not lost:
                self.noise_start = t
        if muted and not self._muted:
            self._noise_before_muted = self._noise
        self._noise = noise
        if self._talking and not talking:
            self.last_talk_end = t
        if self._muted and not muted:
            length = t - self.muted_start
            if self._min_muted <= length < self._max_muted:
                self.short_muted_frames += length
                if self._mostly_muted():
                    self._add_evidence(t)
                elif self.muted_bracketed:
                    self.pending_end = t  # evidence if the talker starts again soon
            self.muted_bracketed = False
        if muted and not self._muted:
            self.muted_start = t
            self.muted_bracketed = (
                self.last_talk_end != _NONE and t - self.last_talk_end <= self._bracket
            )
            self.pending_end = _NONE
        if talking and not self._talking:
            if self.pending_end != _NONE and t - self.pending_end <= self._bracket:
                self._add_evidence(t)
            self.pending_end = _NONE
        self._talking, self._muted = talking, muted

    def _add_evidence(self, t: int) -> None:
        self.evidence += 1
        if self.evidence >= GATE_EVIDENCE:
            self.gated_from = t

    def _mostly_muted(self) -> bool:
        """Short muted runs make up GATE_MUTED_SHARE of the line's non-talk time so far."""
        seen = self.noise_frames + self.short_muted_frames
        return seen >= self._share_after and self.short_muted_frames >= GATE_MUTED_SHARE * seen
