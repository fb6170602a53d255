"""The emotional part of the call summary (peak-end rule) and the coachable moments.

Kahneman's peak-end rule: people judge an experience by its most intense moment and by how
it ended (Kahneman et al. 1993; Redelmeier & Kahneman 1996). For each role we keep the
state of the first turn, of the most intense turn (largest |valence|; the later one on a
tie) and of the last turn; the ``peak_end`` score is the mean of the peak's and the end's
valence. Memory is bounded: the by-quarter means come from at most ``MAX_BUCKETS`` sums
per role over buckets of turn starts (0.25 s wide, doubled as the call grows; a turn goes
to the quarter that holds its bucket's middle), and at most ``MAX_MOMENTS`` coachable
moments are kept (the count is always exact).
"""

from __future__ import annotations

from typing import Any

from .detectors.turn_taking import customer_and_agent
from .events import (
    DeadAirEvent,
    Event,
    GapEvent,
    HoldEvent,
    InterruptionEvent,
    TurnEvent,
)
from .state import LONG_WAIT_S

__all__ = ["FIRST_BUCKET_S", "MAX_BUCKETS", "MAX_MOMENTS", "CoachingTracker"]

MAX_MOMENTS = 200
#: Turn-start buckets for the by-quarter means: this wide at first, at most this many per
#: role (then twice as wide), so a turn lands within a 512th of the call of its quarter.
FIRST_BUCKET_S = 0.25
MAX_BUCKETS = 512
_WHY = {
    "interruption": "the agent talked over the customer: customers feel unheard",
    "hold": "the customer was put on hold: waiting in silence or music is the most disliked "
    "part of a call",
    "long_wait": "the customer waited for an answer: gaps beyond ~1 s read as hesitation or "
    "inattention (typical answers come within 0.2-0.5 s)",
    "dead_air": "nobody spoke for several seconds outside hold: the customer does not know "
    "what is happening",
    "agitation_unanswered": "the customer sounded agitated and the agent's answer was not "
    "positive in tone or came late",
}


def _point(turn: TurnEvent) -> dict[str, Any]:
    state = turn.state or {}
    return {
        "time": turn.start,
        "valence": state.get("valence"),
        "arousal": state.get("arousal"),
        "label": state.get("label"),
    }


class CoachingTracker:
    """One call's emotional trajectory and coachable moments, fed the final events."""

    def __init__(self, roles: tuple[str, ...]) -> None:
        self.roles = roles
        self.customer, self.agent = customer_and_agent(roles)
        self.first: dict[str, dict[str, Any]] = {}
        self.peak: dict[str, dict[str, Any]] = {}
        self.last: dict[str, dict[str, Any]] = {}
        self.bucket_sums: dict[str, dict[int, list[float]]] = {r: {} for r in roles}
        self.bucket_s: dict[str, float] = dict.fromkeys(roles, FIRST_BUCKET_S)
        self.rate_sums: dict[str, list[float]] = {r: [0.0, 0.0] for r in roles}  # syl, s
        self.moments: list[dict[str, Any]] = []
        self.n_moments = 0
        self.agitated_turn: TurnEvent | None = None
        self.last_dead_air_start: float | None = None

    def _moment(self, time: float, kind: str, who: str, detail: str) -> None:
        self.n_moments += 1
        if len(self.moments) < MAX_MOMENTS:
            self.moments.append({"time": round(time, 3), "kind": kind, "who": who,
                                 "detail": detail, "why": _WHY[kind]})  # fmt: skip

    def observe(self, ev: Event) -> None:
        if ev.end is None:
            return
        if isinstance(ev, TurnEvent):
            self._turn(ev)
        elif isinstance(ev, InterruptionEvent) and ev.by == self.agent:
            self._moment(ev.start, "interruption", ev.by, f"{ev.end - ev.start:.1f} s of overlap")
        elif isinstance(ev, HoldEvent):
            self._moment(ev.start, "hold", self.agent, f"{ev.end - ev.start:.0f} s ({ev.kind})")
        elif isinstance(ev, DeadAirEvent):
            self._moment(ev.start, "dead_air", self.agent, f"{ev.end - ev.start:.1f} s")
            self.last_dead_air_start = ev.start
        elif (
            isinstance(ev, GapEvent)
            and ev.from_ == self.customer
            and ev.to == self.agent
            and ev.offset >= LONG_WAIT_S
        ):
            dead = self.last_dead_air_start
            if dead is not None and ev.start <= dead < ev.end:
                return  # the wait is that dead air: one moment, not two
            self._moment(ev.start, "long_wait", self.agent, f"{ev.offset:.1f} s")

    def _turn(self, turn: TurnEvent) -> None:
        role = turn.speaker
        state = turn.state or {}
        valence = state.get("valence")
        if turn.prosody and turn.prosody.get("speech_s"):
            self.rate_sums[role][0] += turn.prosody.get("syllables") or 0
            self.rate_sums[role][1] += turn.prosody["speech_s"]
        if role == self.agent and self.agitated_turn is not None:
            late = turn.start - (self.agitated_turn.end or turn.start) >= LONG_WAIT_S
            # Whether the answer was positive is known only from its words.
            worded = any(e.get("signal") == "text" for e in state.get("evidence") or [])
            cold = worded and (valence is None or valence < 0.25)
            if late or cold:
                self._moment(self.agitated_turn.start, "agitation_unanswered", self.agent,
                             "answer " + ("late" if late else "not positive"))  # fmt: skip
            self.agitated_turn = None
        if role == self.customer and state.get("label") == "agitated":
            self.agitated_turn = turn
        if valence is None:
            return
        point = _point(turn)
        self.first.setdefault(role, point)
        self.last[role] = point
        peak = self.peak.get(role)
        if peak is None or abs(valence) >= abs(peak["valence"]):
            self.peak[role] = point
        sums = self.bucket_sums[role]
        while turn.start // self.bucket_s[role] >= MAX_BUCKETS:  # twice as wide, pairs merged
            self.bucket_s[role] *= 2
            merged: dict[int, list[float]] = {}
            for k, (s, n) in sums.items():
                into = merged.setdefault(k // 2, [0.0, 0.0])
                into[0] += s
                into[1] += n
            sums = self.bucket_sums[role] = merged
        bucket = sums.setdefault(int(turn.start // self.bucket_s[role]), [0.0, 0.0])
        bucket[0] += valence
        bucket[1] += 1

    def summary_fields(self, duration_s: float) -> dict[str, Any]:
        emotion: dict[str, Any] = {}
        for role in self.roles:
            if role not in self.first:
                emotion[role] = None
                continue
            start, peak, end = self.first[role], self.peak[role], self.last[role]
            quarters: list[float | None] = []
            for q in range(4):
                lo, hi = duration_s * q / 4, duration_s * (q + 1) / 4
                total = count = 0.0
                width = self.bucket_s[role]
                for k, (s, n) in self.bucket_sums[role].items():
                    # A bucket's turns go to the quarter holding the bucket's middle.
                    mid = (k + 0.5) * width
                    if lo <= mid < hi or (q == 3 and mid >= hi) or (q == 0 and mid < lo):
                        total, count = total + s, count + n
                quarters.append(round(total / count, 3) if count else None)
            emotion[role] = {
                "start": start,
                "peak": peak,
                "end": end,
                "trend": round(end["valence"] - start["valence"], 3),
                "peak_end": round((peak["valence"] + end["valence"]) / 2, 3),
                "valence_by_quarter": quarters,
            }
        rates = {r: (round(s / t, 3) if t > 0 else None) for r, (s, t) in self.rate_sums.items()}
        return {
            "emotion": emotion,
            "articulation_rate_syl_s": rates,
            "coachable_moments": sorted(self.moments, key=lambda m: m["time"]),
            "coachable_moments_total": self.n_moments,
        }
