"""Call summary: turn-taking metrics accumulated in constant memory."""

from __future__ import annotations

import math

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


def _latency_bin(value_s: float) -> float:
    """Histogram bin of a response latency: 10 ms (the analysis hop) within a minute, 1 s
    within an hour, 1 min beyond (chat and email answers). The bins are finite in number,
    so the histogram's memory is bounded however long the call."""
    magnitude = abs(value_s)
    step = 0.01 if magnitude <= 60.0 else 1.0 if magnitude <= 3600.0 else 60.0
    return round(round(value_s / step) * step, 6)


class SummaryBuilder:
    """Accumulates the figures of the ``summary`` event from frames and events."""

    def __init__(self, context: DetectorContext) -> None:
        self.ctx = context
        roles = context.roles
        # A text-only stream has no frames: its talk time is its turns' spans instead.
        self.text_only = False
        self._last_span: dict[str, tuple[float, float]] = {}
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
        # Per direction: bin -> count, and the exact sum for the mean.
        self.latency: dict[str, dict[float, int]] = {}
        self.latency_sum: dict[str, float] = {}
        for a in roles:
            for b in roles:
                if a != b:
                    self.latency[f"{a}->{b}"] = {}
                    self.latency_sum[f"{a}->{b}"] = 0.0

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
            elif isinstance(ev, TurnEvent) and ev.part == 1:  # a long turn's parts: one turn
                self.turns[ev.speaker] = self.turns.get(ev.speaker, 0) + 1
                if self.text_only:
                    self._observe_span(ev.speaker, ev.start, ev.end)
            elif isinstance(ev, HoldEvent):
                self.hold_count += 1
                self.hold_total += ev.end - ev.start
            elif isinstance(ev, DeadAirEvent):
                self.dead_air_count += 1
                self.dead_air_total += ev.end - ev.start
            elif isinstance(ev, GapEvent):
                key = f"{ev.from_}->{ev.to}"
                hist = self.latency.get(key)
                if hist is not None:
                    b = _latency_bin(ev.offset)
                    hist[b] = hist.get(b, 0) + 1
                    self.latency_sum[key] += ev.offset

    def _observe_span(self, speaker: str, start: float, end: float) -> None:
        """A text turn's span as frames of talk, and its overlap with the other party's
        latest turn as overtalk (chat turns alternate, so that is the one it can overlap)."""
        hop = self.ctx.hop_s
        self.talk_frames[speaker] += round((end - start) / hop)
        for other, (a, b) in self._last_span.items():
            if other != speaker:
                self.overtalk_frames += max(0, round((min(end, b) - max(start, a)) / hop))
        self._last_span[speaker] = (start, end)

    def _latency_stats(self, key: str) -> dict[str, float | int | None]:
        hist = self.latency[key]
        count = sum(hist.values())
        if count == 0:
            return {"count": 0, "mean": None, "median": None, "p90": None}
        values = np.array(sorted(hist))
        cdf = np.cumsum([hist[v] for v in values])

        def at_rank(rank: int) -> float:  # the rank-th smallest value, from 0
            return float(values[int(np.searchsorted(cdf, rank + 1))])

        def quantile(q: float) -> float:
            # numpy's default ("linear"): between the two nearest ranks, so the median of an
            # even count is the mean of the middle two.
            position = (count - 1) * q
            below = math.floor(position)
            low, high = at_rank(below), at_rank(min(below + 1, count - 1))
            return round(low + (position - below) * (high - low), 6)

        return {
            "count": count,
            "mean": self.latency_sum[key] / count,
            "median": quantile(0.5),
            "p90": quantile(0.9),
        }

    def build(self, end_frame: int, *, emitted_at: float | None = None) -> SummaryEvent:
        hop = self.ctx.hop_s
        if self.text_only:  # the frames no turn covers
            talk = sum(self.talk_frames.values()) - self.overtalk_frames
            self.silent_frames = max(0, end_frame - talk)
        return SummaryEvent(
            self.ctx.new_id(),
            0.0,
            end_frame * hop,
            self.ctx.emitted_at(end_frame) if emitted_at is None else emitted_at,
            duration_s=end_frame * hop,
            talk_time_s={r: n * hop for r, n in self.talk_frames.items()},
            non_talk_time_s=self.silent_frames * hop,
            overtalk_time_s=self.overtalk_frames * hop,
            interruptions=dict(self.interruptions),
            backchannels=dict(self.backchannels),
            turns=dict(self.turns),
            holds={"count": self.hold_count, "total_s": self.hold_total},
            dead_air={"count": self.dead_air_count, "total_s": self.dead_air_total},
            response_latency_s={k: self._latency_stats(k) for k in self.latency},
        )
