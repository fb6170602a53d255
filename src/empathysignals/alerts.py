"""Live coaching alerts, decided from the same frames and events the Analyzer emits.

Rules (``docs/alerts.md``): the agent starts an interruption; the customer has waited
``long_wait_s`` for an answer (outside hold and music); dead air opens; a hold passes
``hold_long_s``; the customer's fused arousal rises over ``agitation_turns`` negative
turns. Each alert is emitted at most the pipeline's lookahead after its trigger.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .config import AlertConfig, TurnTakingConfig
from .detectors.base import DetectorContext
from .detectors.frames import FrameBlock
from .detectors.line_gate import LineGateWatch
from .detectors.turn_taking import customer_and_agent
from .events import AlertEvent, DeadAirEvent, Event, HoldEvent, InterruptionEvent, TurnEvent

__all__ = ["ALERT_ID_BASE", "AlertTracker"]

_KINDS = ("agent_interrupting", "long_wait", "dead_air", "hold_long", "agitation_rising")
#: Alert ids live above this, derived from kind and trigger frame: unique in the call and,
#: unlike a running counter, independent of how the audio was chunked.
ALERT_ID_BASE = 1_000_000_000
_MUSIC = 0.5  # agent-leg music probability above which a silence is a hold, not a wait
_OPEN = 2**62  # a hold whose end is not known yet


class AlertTracker:
    """One call's alert state: small and picklable."""

    def __init__(
        self,
        context: DetectorContext,
        config: AlertConfig,
        turn_taking: TurnTakingConfig | None = None,
        *,
        own_line_gate: bool = True,
    ) -> None:
        self.ctx = context
        self.cfg = config
        tt = turn_taking or TurnTakingConfig()
        # The hold detector's own rules: an agent line at the muted level is a (silent)
        # hold, not a wait, unless silent holds are off (silence-suppressed lines).
        self.silent_holds = tt.silent_holds is not False
        self.muted_max_dbfs = tt.muted_max_dbfs
        # own_line_gate=False: the caller passes the hold detector's silent-hold frames to
        # observe_block (the Analyzer does), so the gate's work is not done twice.
        self.line_gate = (
            LineGateWatch(hop_s=context.hop_s, hold_min_s=tt.hold_min_s)
            if tt.silent_holds == "auto" and own_line_gate
            else None
        )
        self.dead_air_s = tt.dead_air_min_s
        roles = context.roles
        self.customer, self.agent = customer_and_agent(roles)
        self.c = roles.index(self.customer)
        self.a = roles.index(self.agent)
        self.last_customer = -1  # last frame the customer spoke
        self.last_agent = -1
        self.alerted_wait = -1  # last_customer value already alerted
        # Holds as announced: [start (s), first frame decided with it known, first frame
        # decided with its end known (_OPEN while open), hold_long alerted]. Frames, not
        # a flag: a block may hold a hold's announcement after frames decided before it.
        self.holds: list[list[Any]] = []
        self.agitated_run = 0
        self.last_arousal: float | None = None

    def _alert(self, t: float, at: float, kind: str, who: str, message: str,
               value: float | None, threshold: float | None) -> AlertEvent:  # fmt: skip
        t = round(t, 6)
        alert_id = ALERT_ID_BASE + round(t / self.ctx.hop_s) * len(_KINDS) + _KINDS.index(kind)
        return AlertEvent(alert_id, t, t, round(at, 6), kind=kind, who=who,
                          message=message, value=value, threshold=threshold)  # fmt: skip

    def observe_block(
        self, block: FrameBlock, silent_hold: np.ndarray | None = None
    ) -> list[Event]:
        """Alerts decided by a block of final frames. ``silent_hold``: the hold detector's
        frames of this block where the agent's muted line counts as a hold (else the
        tracker works it out itself)."""
        if len(self.ctx.roles) < 2 or block.n_frames == 0:
            return []
        out: list[Event] = []
        n = block.n_frames
        frames = block.first_frame + np.arange(n)
        lc = np.maximum.accumulate(np.where(block.active[:, self.c], frames, self.last_customer))
        la = np.maximum.accumulate(np.where(block.active[:, self.a], frames, self.last_agent))
        wait = round(self.cfg.long_wait_s / self.ctx.hop_s)
        music = block.music_prob[:, self.a] > _MUSIC
        if silent_hold is not None:
            muted = silent_hold
        else:
            muted = block.energy_db[:, self.a] <= block.muted_line_db(self.a, self.muted_max_dbfs)
            muted &= self.silent_holds
            if self.line_gate is not None:
                muted &= self.line_gate.update(block.active[:, self.a], muted, music)
        on_hold = music | muted
        for _, known_from, known_until, _ in self.holds:
            on_hold |= (frames >= known_from) & (frames < known_until)
        # Silent for long_wait_s: the customer's talk ended at frame lc + 1.
        cond = (lc >= 0) & (lc > la) & (frames - lc - 1 >= wait) & (lc != self.alerted_wait)
        cond &= ~on_hold
        for k in np.flatnonzero(cond):
            if lc[k] == self.alerted_wait:
                continue
            self.alerted_wait = int(lc[k])
            t = self.ctx.seconds(int(frames[k]))
            # Later than long_wait_s where the agent leg sounded like a hold until then.
            waited = round((int(frames[k]) - int(lc[k]) - 1) * self.ctx.hop_s, 6)
            out.append(self._alert(
                t, self.ctx.emitted_at(int(frames[k])), "long_wait", self.agent,
                f"The customer has been waiting {waited:.0f} s for an answer",
                waited, self.cfg.long_wait_s,
            ))  # fmt: skip
        self.last_customer, self.last_agent = int(lc[-1]), int(la[-1])
        end = block.first_frame + n
        for hold in self.holds:
            start, known_from, known_until, alerted = hold
            due = start + self.cfg.hold_long_s
            # decided at the due frame, or where the hold became known if that is later
            frame = max(round(due / self.ctx.hop_s), known_from)
            if not alerted and frame < end and frame < known_until:
                hold[3] = True
                out.append(self._alert(
                    due, max(self.ctx.emitted_at(frame), due), "hold_long", self.customer,
                    f"The customer has been on hold for {self.cfg.hold_long_s:.0f} s: check back",
                    self.cfg.hold_long_s, self.cfg.hold_long_s,
                ))  # fmt: skip
        self.holds = [h for h in self.holds if h[2] >= end]
        return out

    def observe_event(self, ev: Event) -> list[Event]:
        if isinstance(ev, InterruptionEvent) and ev.end is None and ev.by == self.agent:
            # Triggered where the talk-over became an interruption: the frame that decided
            # the announcement, latency_s before it went out.
            return [self._alert(
                self._decided(ev), ev.emitted_at, "agent_interrupting", self.agent,
                f"You are talking over the {self.customer}", None, None,
            )]  # fmt: skip
        if isinstance(ev, DeadAirEvent) and ev.end is None:
            # Triggered when the silence reached the threshold (emitted latency_s later),
            # or, when the agent's line was then muted in a run that might have been a
            # silent hold, when that run was found to be none: only then was it dead air.
            trigger = max(ev.start + self.dead_air_s, self._decided(ev))
            return [self._alert(
                trigger, ev.emitted_at, "dead_air", self.agent,
                f"Dead air: nobody has spoken for {self.dead_air_s:g} s",
                self.dead_air_s, self.dead_air_s,
            )]  # fmt: skip
        if isinstance(ev, HoldEvent):
            decided = self._decision_frame(ev)
            if ev.end is None:
                self.holds.append([ev.start, decided, _OPEN, False])
            else:
                for hold in self.holds:
                    if hold[2] == _OPEN:
                        hold[2] = decided
        return []

    def _decision_frame(self, ev: Event) -> int:
        """The frame whose decision ``ev`` announces (``emitted_at`` is latency_s after it)."""
        return round(ev.emitted_at / self.ctx.hop_s) - 1 - self.ctx.latency_frames

    def _decided(self, ev: Event) -> float:
        """Stream time of the frame whose decision ``ev`` announces."""
        return max(ev.start, self.ctx.seconds(self._decision_frame(ev)))

    def observe_turn(self, turn: TurnEvent) -> list[Event]:
        # A lone leg has no customer apart from the agent: dead-air alerts only (alerts.md).
        if len(self.ctx.roles) < 2 or turn.speaker != self.customer or not turn.state:
            return []
        arousal, valence = turn.state.get("arousal"), turn.state.get("valence")
        if arousal is None or valence is None:
            return []
        rising = self.last_arousal is None or arousal > self.last_arousal
        # Negative valence is required (words, or having been talked over, kept waiting,
        # held): a louder, higher voice alone may as well be enthusiasm.
        if arousal >= self.cfg.agitation_arousal and valence < 0.0 and rising:
            self.agitated_run += 1
        else:
            self.agitated_run = 0
        self.last_arousal = arousal
        if self.agitated_run == self.cfg.agitation_turns:
            # Triggered when the turn that completes the run was decided: its end is known
            # only once the floor has passed (up to ~1.5 s after it), and its state then.
            trigger = max(turn.end or turn.start, self._decided(turn))
            return [self._alert(
                trigger, turn.emitted_at, "agitation_rising", self.customer,
                f"Customer agitation rising over the last {self.agitated_run} turns"
                if self.agitated_run > 1 else "Customer agitation rising on their last turn",
                arousal, self.cfg.agitation_arousal,
            )]  # fmt: skip
        return []
