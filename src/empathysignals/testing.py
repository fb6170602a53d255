"""Conformance checks for detectors (built-in or your own), in the spirit of river's
``check_estimator``: run them in your test suite.

>>> from empathysignals.testing import check_detector, frames_from_activity
>>> check_detector(MyDetector, frames_from_activity(active, roles=("customer", "agent")))

:func:`event_contradictions` checks a whole event stream (the Analyzer's, or one merged from
several detectors) for events that contradict one another.
"""

from __future__ import annotations

import itertools
import math
import pickle
from collections.abc import Sequence

import numpy as np

from .detectors.base import Detector, DetectorContext, DetectorFactory
from .detectors.frames import FrameBlock
from .events import Event, event_from_dict

__all__ = ["check_detector", "event_contradictions", "frames_from_activity", "split_frames"]

_EPS_S = 1e-6


def frames_from_activity(
    active: np.ndarray,
    *,
    roles: tuple[str, ...] = ("customer", "agent"),
    energy_db: np.ndarray | None = None,
    music_prob: np.ndarray | None = None,
    floor_db: float | np.ndarray = -60.0,
    tone: np.ndarray | None = None,
    dtmf: np.ndarray | None = None,
) -> FrameBlock:
    """Build a FrameBlock from per-frame activity ``(n, n_roles)`` (speech at -20 dBFS over
    a -60 dBFS floor unless ``energy_db`` is given; ``floor_db`` is a level or an array
    of the same shape as ``active``; ``tone``, bool like ``active``, marks call-progress
    tone frames, and ``dtmf`` keyed-digit frames, which are tone frames too)."""
    act = np.asarray(active, dtype=bool)
    if act.ndim != 2 or act.shape[1] != len(roles):
        raise ValueError(f"active must have shape (n, {len(roles)}), got {act.shape}")
    floor = np.broadcast_to(np.asarray(floor_db, dtype=float), act.shape).copy()
    energy = np.where(act, -20.0, floor + 1.0) if energy_db is None else np.asarray(energy_db)
    music = np.zeros(act.shape) if music_prob is None else np.asarray(music_prob)
    keys = np.zeros(act.shape, bool) if dtmf is None else np.asarray(dtmf, dtype=bool)
    tones = np.zeros(act.shape, bool) if tone is None else np.asarray(tone, dtype=bool)
    return FrameBlock(
        0, roles, act, energy.astype(float), floor, music, tone=tones | keys, dtmf=keys
    )


def split_frames(block: FrameBlock, cuts: Sequence[int]) -> list[FrameBlock]:
    """Split ``block`` at the given frame offsets (sorted, within the block)."""
    bounds = [0, *sorted(c for c in cuts if 0 < c < block.n_frames), block.n_frames]
    return [
        FrameBlock(
            block.first_frame + a,
            block.roles,
            block.active[a:b],
            block.energy_db[a:b],
            block.floor_db[a:b],
            block.music_prob[a:b],
            block.hop_s,
            None if block.tone is None else block.tone[a:b],
            None if block.no_signal_db is None else block.no_signal_db[a:b],
            None if block.dtmf is None else block.dtmf[a:b],
        )
        for a, b in itertools.pairwise(bounds)
    ]


def _run(factory: DetectorFactory, blocks: list[FrameBlock], latency: int) -> list[Event]:
    det = factory(DetectorContext(blocks[0].roles, latency))
    if not isinstance(det, Detector):
        raise AssertionError(f"{factory!r} built {det!r}, which lacks push() and flush()")
    events: list[Event] = []
    for i, b in enumerate(blocks):
        out = det.push(b)
        if not isinstance(out, list):
            raise AssertionError(f"push() must return a list of events, got {type(out).__name__}")
        events.extend(out)
        if i == len(blocks) // 2:
            # State must survive pickling mid-stream (calls move between workers).
            det = pickle.loads(pickle.dumps(det))
    events.extend(det.flush())
    return events


def check_detector(
    factory: DetectorFactory,
    frames: FrameBlock,
    *,
    latency_frames: int = 0,
    seed: int = 0,
    n_splits: int = 3,
) -> list[Event]:
    """Check a detector factory against the protocol and return its events on ``frames``.

    Checks: push/flush return lists of :class:`Event`; every event has finite times,
    ``start <= end``, ``emitted_at >= start`` and round-trips through JSON; events come in
    non-decreasing ``emitted_at``; open events are closed later with the same id; the state
    pickles mid-stream; and the events do not depend on how the frames were split.

    Parameters
    ----------
    factory : callable
        ``factory(context) -> detector``; called afresh for every run.
    frames : FrameBlock
        The frames to feed: from :func:`frames_from_activity`, or a real stream's
        (``voice_activity(...).frames``).
    latency_frames : int, default 0
        The detector's declared lookahead, for the context it is given.
    seed, n_splits : int
        How many random splittings of ``frames`` to compare against feeding them whole.

    Returns
    -------
    list of Event
        The events on ``frames`` fed whole, then flushed.

    Raises
    ------
    AssertionError
        Naming the first check that failed.
    """
    whole = _run(factory, [frames], latency_frames)
    rng = np.random.default_rng(seed)
    for _ in range(n_splits):
        k = int(rng.integers(1, 20))
        cuts = sorted(rng.integers(1, max(2, frames.n_frames), size=k).tolist())
        parts = _run(factory, split_frames(frames, cuts), latency_frames)
        if [e.to_dict() for e in parts] != [e.to_dict() for e in whole]:
            raise AssertionError(f"events depend on how frames are split (cuts at {cuts})")
    last_emit = -math.inf
    open_ids: set[int] = set()
    for ev in whole:
        if not isinstance(ev, Event):
            raise AssertionError(f"{ev!r} is not an Event")
        times = [ev.start, ev.emitted_at] + ([ev.end] if ev.end is not None else [])
        if not all(math.isfinite(t) for t in times):
            raise AssertionError(f"non-finite time in {ev!r}")
        if ev.end is not None and ev.end < ev.start - 1e-9:
            raise AssertionError(f"end before start in {ev!r}")
        if ev.emitted_at < ev.start - 1e-9:
            raise AssertionError(f"emitted before it started: {ev!r}")
        if ev.emitted_at < last_emit - 1e-9:
            raise AssertionError(f"emitted_at goes backwards at {ev!r}")
        last_emit = ev.emitted_at
        if ev.end is None:
            open_ids.add(ev.id)
        else:
            open_ids.discard(ev.id)
        if event_from_dict(ev.to_dict()).to_dict() != ev.to_dict():
            raise AssertionError(f"JSON round trip changed {ev!r}")
    if open_ids:
        raise AssertionError(f"events {sorted(open_ids)} were opened and never closed")
    return whole


def event_contradictions(events: Sequence[Event]) -> list[str]:
    """Turn-taking events of one stream that contradict one another.

    Each detector is checked against its own definitions elsewhere; this finds events that
    are each plausible but cannot all be true: a ``pause`` outside its speaker's ``turn``,
    a ``gap`` whose old holder's turn does not end (or new holder's turn does not start)
    where it says, two turns of one speaker that overlap, a ``backchannel`` inside its
    speaker's own turn. A long turn's parts (``part`` 2, 3, ...) count as one turn.

    Parameters
    ----------
    events : sequence of Event
        A stream's events (open ones and the ``summary`` are ignored).

    Returns
    -------
    list of str
        One line per contradiction, naming the events; empty when they agree.
    """
    from .events import BackchannelEvent, GapEvent, PauseEvent, TurnEvent

    closed = [e for e in events if e.end is not None]
    turns: list[tuple[str, float, float]] = []  # speaker, start, end
    for t in sorted((e for e in closed if isinstance(e, TurnEvent)), key=lambda e: e.start):
        t_end = float(t.end or 0.0)
        prev = next((i for i in range(len(turns) - 1, -1, -1) if turns[i][0] == t.speaker), None)
        if t.part > 1 and prev is not None:
            turns[prev] = (t.speaker, turns[prev][1], t_end)
        else:
            turns.append((t.speaker, t.start, t_end))
    out = []
    for e in closed:
        end = float(e.end or 0.0)
        if isinstance(e, PauseEvent):
            inside = any(
                sp == e.speaker and a - _EPS_S <= e.start and end <= b + _EPS_S
                for sp, a, b in turns
            )
            if not inside:
                out.append(f"pause outside its speaker's turn: {e!r}")
        elif isinstance(e, GapEvent):
            old_end, new_start = (e.start, end) if e.offset >= 0 else (end, e.start)
            if not any(sp == e.from_ and abs(b - old_end) < _EPS_S for sp, _, b in turns):
                out.append(f"gap without the old holder's turn ending at it: {e!r}")
            if not any(sp == e.to and abs(a - new_start) < _EPS_S for sp, a, _ in turns):
                out.append(f"gap without the new holder's turn starting at it: {e!r}")
        elif isinstance(e, BackchannelEvent):
            if any(sp == e.speaker and a < end - _EPS_S < b for sp, a, b in turns):
                out.append(f"backchannel inside its speaker's own turn: {e!r}")
    for speaker in {sp for sp, _, _ in turns}:
        own = [(a, b) for sp, a, b in turns if sp == speaker]
        for (_, b0), (a1, _) in itertools.pairwise(own):
            if a1 < b0 - _EPS_S:
                out.append(f"overlapping turns of {speaker} at {a1:.2f} s")
    return out
