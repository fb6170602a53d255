"""Call summary: turn-taking metrics accumulated in constant memory."""

from __future__ import annotations

import numpy as np

from .detectors.base import DetectorContext
from .detectors.frames import FrameBlock
from .events import (
    BackchannelEvent,
    DeadAirEvent,
    Event,
    GapEvent,
    HoldEvent,
    InterruptionEvent,
    SummaryEvent,
    TurnEvent,
)

__all__ = ["SummaryBuilder"]

# Response latencies are kept as a histogram of whole frames: exact at the 10 ms hop and
# constant in memory however long the call.
_LAT_MIN_FRAMES = -1000  # -10 s
_LAT_MAX_FRAMES = 6000  # +60 s


class SummaryBuilder:
    """Accumulates the figures of the ``summary`` event from frames and events."""

    def __init__(self, context: DetectorContext) -> None:
        self.ctx = context
        roles = context.roles
        self.talk_frames = dict.fromkeys(roles, 0)
        self.overtalk_frames = 0
        self.silent_frames = 0
        self.n_frames = 0
        self.interruptions = dict.fromkeys(roles, 0)
        self.backchannels = dict.fromkeys(roles, 0)
        self.turns = dict.fromkeys(roles, 0)
        self.hold_count = 0
        self.hold_total = 0.0
        self.dead_air_count = 0
        self.dead_air_total = 0.0
        self.latency: dict[str, np.ndarray] = {}
        for a in roles:
            for b in roles:
                if a != b:
                    self.latency[f"{a}->{b}"] = np.zeros(
                        _LAT_MAX_FRAMES - _LAT_MIN_FRAMES + 1, dtype=np.int32
                    )

    def observe_frames(self, block: FrameBlock) -> None:
        act = block.active
        n_active = act.sum(axis=1)
        for i, role in enumerate(block.roles):
            self.talk_frames[role] += int(act[:, i].sum())
        self.overtalk_frames += int((n_active >= 2).sum())
        self.silent_frames += int((n_active == 0).sum())
        self.n_frames += block.n_frames

    def observe_events(self, events: list[Event]) -> None:
        for ev in events:
            if ev.end is None:
                continue  # count conditions once, when closed
            if isinstance(ev, InterruptionEvent):
                self.interruptions[ev.by] = self.interruptions.get(ev.by, 0) + 1
            elif isinstance(ev, BackchannelEvent):
                self.backchannels[ev.speaker] = self.backchannels.get(ev.speaker, 0) + 1
            elif isinstance(ev, TurnEvent):
                self.turns[ev.speaker] = self.turns.get(ev.speaker, 0) + 1
            elif isinstance(ev, HoldEvent):
                self.hold_count += 1
                self.hold_total += ev.end - ev.start
            elif isinstance(ev, DeadAirEvent):
                self.dead_air_count += 1
                self.dead_air_total += ev.end - ev.start
            elif isinstance(ev, GapEvent):
                hist = self.latency.get(f"{ev.from_}->{ev.to}")
                if hist is not None:
                    frames = round(ev.offset / self.ctx.hop_s)
                    hist[min(max(frames, _LAT_MIN_FRAMES), _LAT_MAX_FRAMES) - _LAT_MIN_FRAMES] += 1

    def _latency_stats(self, hist: np.ndarray) -> dict[str, float | int | None]:
        count = int(hist.sum())
        if count == 0:
            return {"count": 0, "mean": None, "median": None, "p90": None}
        values = (np.arange(hist.size) + _LAT_MIN_FRAMES) * self.ctx.hop_s
        cdf = np.cumsum(hist)

        def quantile(q: float) -> float:
            # Same convention as numpy's "inverted_cdf": the smallest value with CDF >= q.
            return float(values[int(np.searchsorted(cdf, q * count))])

        return {
            "count": count,
            "mean": float((values * hist).sum() / count),
            "median": quantile(0.5),
            "p90": quantile(0.9),
        }

    def build(self, end_frame: int) -> SummaryEvent:
        hop = self.ctx.hop_s
        return SummaryEvent(
            self.ctx.new_id(),
            0.0,
            end_frame * hop,
            self.ctx.emitted_at(end_frame),
            duration_s=end_frame * hop,
            talk_time_s={r: n * hop for r, n in self.talk_frames.items()},
            non_talk_time_s=self.silent_frames * hop,
            overtalk_time_s=self.overtalk_frames * hop,
            interruptions=dict(self.interruptions),
            backchannels=dict(self.backchannels),
            turns=dict(self.turns),
            holds={"count": self.hold_count, "total_s": self.hold_total},
            dead_air={"count": self.dead_air_count, "total_s": self.dead_air_total},
            response_latency_s={k: self._latency_stats(h) for k, h in self.latency.items()},
        )
