"""Conformance checks for detectors (built-in or your own), in the spirit of river's
``check_estimator``: run them in your test suite.

>>> from empathysignals.testing import check_detector, frames_from_activity
>>> check_detector(MyDetector, frames_from_activity(active, roles=("customer", "agent")))

:func:`event_contradictions` checks a whole event stream (the Analyzer's, or one merged from
several detectors) for events that contradict one another; :func:`summary_contradictions`
recomputes the ``summary`` event's figures from the stream's other events, naively, and
lists where the summary disagrees.
"""

from __future__ import annotations

import itertools
import math
import pickle
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from .config import HOP_S
from .detectors.base import Detector, DetectorContext, DetectorFactory
from .detectors.frames import FrameBlock
from .errors import EmpathySignalsError, ParameterError
from .events import Event, event_from_dict

if TYPE_CHECKING:
    from .config import AlertConfig, TurnTakingConfig

__all__ = [
    "alert_contradictions",
    "check_detector",
    "event_contradictions",
    "frames_from_activity",
    "split_frames",
    "summary_contradictions",
]

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
        raise ParameterError(f"active must have shape (n, {len(roles)}), got {act.shape}")

    def like_active(name: str, value: object, dtype: type) -> np.ndarray:
        arr: np.ndarray = np.asarray(value, dtype=dtype)
        try:
            out: np.ndarray = np.broadcast_to(arr, act.shape).copy()
            return out
        except ValueError:
            raise ParameterError(
                f"{name} must be a number or have the shape of active {act.shape}, got {arr.shape}"
            ) from None

    floor = like_active("floor_db", floor_db, float)
    energy = (
        np.where(act, -20.0, floor + 1.0)
        if energy_db is None
        else like_active("energy_db", energy_db, float)
    )
    music = (
        np.zeros(act.shape) if music_prob is None else like_active("music_prob", music_prob, float)
    )
    keys = np.zeros(act.shape, bool) if dtmf is None else like_active("dtmf", dtmf, bool)
    tones = np.zeros(act.shape, bool) if tone is None else like_active("tone", tone, bool)
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
        events.extend(_checked_list(det.push(b), "push()"))
        if i == len(blocks) // 2:
            # State must survive pickling mid-stream (calls move between workers).
            try:
                det = pickle.loads(pickle.dumps(det))
            except Exception as exc:
                raise AssertionError(
                    f"the detector's state does not pickle mid-stream ({exc}); calls move "
                    "between workers: keep locks, files and models out of it"
                ) from exc
    events.extend(_checked_list(det.flush(), "flush()"))
    return events


def _checked_list(out: object, what: str) -> list[Event]:
    if not isinstance(out, list):
        raise AssertionError(f"{what} must return a list of events, got {type(out).__name__}")
    for ev in out:
        if not isinstance(ev, Event):
            raise AssertionError(f"{what} returned {ev!r}, which is not an Event")
    return out


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
    _check_events(whole)  # first: a broken event would show as split-dependence below
    rng = np.random.default_rng(seed)
    for _ in range(n_splits):
        k = int(rng.integers(1, 20))
        cuts = sorted(rng.integers(1, max(2, frames.n_frames), size=k).tolist())
        parts = _run(factory, split_frames(frames, cuts), latency_frames)
        if [e.to_dict() for e in parts] != [e.to_dict() for e in whole]:
            raise AssertionError(
                f"events depend on how frames are split (cuts at {cuts}): state shared "
                "between detector instances (a mutable default, a module global) or a "
                "decision that reads how much arrived in one push"
            )
    return whole


def _check_events(whole: list[Event]) -> None:
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
        try:
            back = event_from_dict(ev.to_dict())
        except EmpathySignalsError as exc:
            raise AssertionError(
                f"{ev!r} does not read back from its JSON ({exc}): emit the built-in event "
                "types (an AlertEvent with your own kind, say), which every consumer reads"
            ) from exc
        if back.to_dict() != ev.to_dict():
            raise AssertionError(f"JSON round trip changed {ev!r}")
    if open_ids:
        raise AssertionError(f"events {sorted(open_ids)} were opened and never closed")


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


def _quantile_s(values: list[float], q: float) -> float:
    """numpy's default ("linear") quantile, the summary's documented convention."""
    return float(np.quantile(np.asarray(values), q))


def _moment_key(time: float, kind: str, who: str) -> tuple[float, str, str]:
    return (round(time, 3), kind, who)


def summary_contradictions(events: Sequence[Event]) -> list[str]:
    """Where a stream's ``summary`` event disagrees with the stream's other events.

    Every figure the summary takes from events is recomputed here from the closed events,
    the plain way (all of them in memory), and compared with the summary, which is
    accumulated in bounded memory while the stream runs:

    * the counts of interruptions (by role of ``by``), backchannels and turns (a long turn's
      parts count once), the holds' and the dead airs' count and total;
    * the response latencies per direction: count and mean of the ``gap`` offsets, median
      and 90th percentile within half the summary's histogram bin (10 ms within a minute);
    * the frame totals: with one or two roles, talk time minus overtalk plus non-talk time
      is the call's duration;
    * the emotion of each role (first, most intense and last valenced turn, ``trend``,
      ``peak_end``, ``valence_by_quarter`` over the summary's buckets of turn starts), the
      articulation rate, and
      the coachable moments (each agent interruption, hold, dead air and customer wait of
      at least 2 s outside a dead air is one, at its start; an ``agitation_unanswered``
      moment lies at the start of a customer turn labelled ``agitated``).

    Parameters
    ----------
    events : sequence of Event
        One stream's events, with its ``summary`` last (as ``Analyzer.finish`` returns it).

    Returns
    -------
    list of str
        One line per disagreement; empty when the summary agrees with the events.
    """
    from .coaching import FIRST_BUCKET_S, MAX_BUCKETS, MAX_MOMENTS
    from .detectors.turn_taking import customer_and_agent
    from .events import (
        BackchannelEvent,
        DeadAirEvent,
        GapEvent,
        HoldEvent,
        InterruptionEvent,
        SummaryEvent,
        TurnEvent,
    )
    from .state import LONG_WAIT_S

    summaries = [e for e in events if isinstance(e, SummaryEvent)]
    if len(summaries) != 1 or events[-1] is not summaries[0]:
        return [f"expected one summary, last; found {len(summaries)}"]
    summary = summaries[0]
    closed = [e for e in events[:-1] if e.end is not None]
    out: list[str] = []

    def differ(name: str, got: object, want: object) -> None:
        if isinstance(got, float) and isinstance(want, float):
            if math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-6):
                return
        elif got == want:
            return
        out.append(f"summary {name} is {got!r}; the events give {want!r}")

    roles = list(summary.talk_time_s)
    interruptions = dict.fromkeys(roles, 0)
    backchannels = dict.fromkeys(roles, 0)
    turns = dict.fromkeys(roles, 0)
    for e in closed:
        if isinstance(e, InterruptionEvent):
            interruptions[e.by] = interruptions.get(e.by, 0) + 1
        elif isinstance(e, BackchannelEvent):
            backchannels[e.speaker] = backchannels.get(e.speaker, 0) + 1
        elif isinstance(e, TurnEvent) and e.part == 1:
            turns[e.speaker] = turns.get(e.speaker, 0) + 1
    differ("interruptions", dict(summary.interruptions), interruptions)
    differ("backchannels", dict(summary.backchannels), backchannels)
    differ("turns", dict(summary.turns), turns)
    for name, cls, figures in (
        ("holds", HoldEvent, summary.holds),
        ("dead_air", DeadAirEvent, summary.dead_air),
    ):
        spans = [float(e.end or 0.0) - e.start for e in closed if isinstance(e, cls)]
        differ(f"{name} count", figures.get("count"), len(spans))
        differ(f"{name} total_s", float(figures.get("total_s", 0.0)), float(sum(spans)))

    for direction, stats in summary.response_latency_s.items():
        offsets = [
            e.offset
            for e in closed
            if isinstance(e, GapEvent) and f"{e.from_}->{e.to}" == direction
        ]
        differ(f"{direction} latency count", stats.get("count"), len(offsets))
        if not offsets:
            continue
        differ(f"{direction} latency mean", stats.get("mean"), float(np.mean(offsets)))
        for key, q in (("median", 0.5), ("p90", 0.9)):
            want = _quantile_s(offsets, q)
            stat = stats.get(key)
            # half the summary's documented bin: 10 ms within a minute, 1 s within an hour,
            # 1 min beyond
            half_bin = 0.005 if abs(want) <= 60.0 else 0.5 if abs(want) <= 3600.0 else 30.0
            if stat is None or abs(float(stat) - want) > half_bin + 1e-9:
                out.append(f"summary {direction} latency {key} is {stat!r}; the gaps give {want}")

    differ("duration_s", summary.duration_s, float(summary.end or 0.0))
    if len(roles) <= 2:
        frames_total = sum(summary.talk_time_s.values()) - summary.overtalk_time_s
        differ("talk - overtalk + non-talk time", frames_total + summary.non_talk_time_s,
               float(summary.duration_s))  # fmt: skip

    valenced = [
        e
        for e in sorted(closed, key=lambda e: e.start)
        if isinstance(e, TurnEvent) and e.state and e.state.get("valence") is not None
    ]
    for role in roles:
        own = [t for t in valenced if t.speaker == role]
        emotion = summary.emotion.get(role) if summary.emotion else None
        if not own:
            if emotion:
                out.append(f"summary emotion of {role} without a valenced turn: {emotion!r}")
            continue
        if not emotion:
            out.append(f"summary emotion of {role} is missing; {len(own)} valenced turns")
            continue
        valences = [float(t.state["valence"]) for t in own]  # type: ignore[index]
        peak = max(range(len(own)), key=lambda i: (abs(valences[i]), i))
        for name, i in (("start", 0), ("peak", peak), ("end", len(own) - 1)):
            differ(f"{role} emotion {name} time", emotion[name]["time"], own[i].start)
        differ(f"{role} trend", emotion["trend"], round(valences[-1] - valences[0], 3))
        peak_end = round((valences[peak] + valences[-1]) / 2, 3)
        differ(f"{role} peak_end", emotion["peak_end"], peak_end)
        quarter_s = summary.duration_s / 4
        sums = [[0.0, 0] for _ in range(4)]
        width = FIRST_BUCKET_S  # the summary's bucket width: doubled until every start fits
        while max(t.start for t in own) // width >= MAX_BUCKETS:
            width *= 2
        for turn, v in zip(own, valences, strict=True):
            middle = (turn.start // width + 0.5) * width  # the bucket's middle decides
            q = min(max(int(middle // quarter_s) if quarter_s > 0 else 0, 0), 3)
            sums[q][0] += v
            sums[q][1] += 1
        quarters = [s / n if n else None for s, n in sums]
        got_quarters = list(emotion["valence_by_quarter"])
        # The summary rounds each mean to 3 decimals after summing in another order: a
        # mean at a rounding boundary may go either way.
        if len(got_quarters) != 4 or any(
            (g is None) != (w is None) or (w is not None and abs(g - w) > 0.0005 + 1e-9)
            for g, w in zip(got_quarters, quarters, strict=False)
        ):
            out.append(f"summary {role} valence_by_quarter is {got_quarters}; the events give "
                       f"{[None if w is None else round(w, 4) for w in quarters]}")  # fmt: skip
    for role in roles:
        syllables = speech_s = 0.0
        for e in closed:
            if isinstance(e, TurnEvent) and e.speaker == role and e.prosody:
                if e.prosody.get("speech_s"):
                    syllables += e.prosody.get("syllables") or 0
                    speech_s += e.prosody["speech_s"]
        rate = round(syllables / speech_s, 3) if speech_s > 0 else None
        differ(f"{role} articulation rate", summary.articulation_rate_syl_s.get(role), rate)

    if len(roles) >= 2:
        customer, agent = customer_and_agent(tuple(roles))
        dead_starts = [e.start for e in closed if isinstance(e, DeadAirEvent)]
        want_moments = []
        for e in closed:
            if isinstance(e, InterruptionEvent) and e.by == agent:
                want_moments.append(_moment_key(e.start, "interruption", agent))
            elif isinstance(e, HoldEvent):
                want_moments.append(_moment_key(e.start, "hold", agent))
            elif isinstance(e, DeadAirEvent):
                want_moments.append(_moment_key(e.start, "dead_air", agent))
            elif (
                isinstance(e, GapEvent)
                and (e.from_, e.to) == (customer, agent)
                and e.offset >= LONG_WAIT_S
                and not any(e.start <= d < float(e.end or 0.0) for d in dead_starts)
            ):
                want_moments.append(_moment_key(e.start, "long_wait", agent))
        agitated_starts = {
            round(t.start, 3)
            for t in closed
            if isinstance(t, TurnEvent)
            and t.speaker == customer
            and (t.state or {}).get("label") == "agitated"
        }
        got_moments = []
        for m in summary.coachable_moments:
            if m["kind"] == "agitation_unanswered":
                if round(m["time"], 3) not in agitated_starts:
                    out.append(f"agitation_unanswered moment without an agitated turn: {m!r}")
            else:
                got_moments.append(_moment_key(m["time"], m["kind"], m["who"]))
        times = [m["time"] for m in summary.coachable_moments]
        if times != sorted(times):
            out.append("coachable moments are not in time order")
        n_listed = len(summary.coachable_moments)
        n_agitation = n_listed - len(got_moments)
        if summary.coachable_moments_total == n_listed:
            differ("coachable moments", sorted(got_moments), sorted(want_moments))
        elif n_listed != MAX_MOMENTS:
            out.append(f"{n_listed} coachable moments listed of {summary.coachable_moments_total}"
                       f": all are listed up to {MAX_MOMENTS}")  # fmt: skip
        elif not set(got_moments) <= set(want_moments):
            out.append("coachable moments listed that no event gives")
        elif summary.coachable_moments_total < len(want_moments) + n_agitation:
            out.append(f"coachable_moments_total {summary.coachable_moments_total} is less "
                       f"than the {len(want_moments)} moments the events give")  # fmt: skip
    return out


def alert_contradictions(
    events: Sequence[Event],
    *,
    alerts: AlertConfig | None = None,
    turn_taking: TurnTakingConfig | None = None,
) -> list[str]:
    """Where a stream's ``alert`` events disagree with their trigger rules
    (``docs/alerts.md``), judged from the stream's other events.

    * ``agent_interrupting``: exactly one per announced (open) interruption by the agent,
      emitted with it, triggered between its start and its announcement;
    * ``dead_air``: exactly one per announced dead air, emitted with it, triggered at least
      ``dead_air_min_s`` after the silence began;
    * ``hold_long``: exactly one per hold that lasted ``hold_long_s``, or whose end was
      found (and dated back) more than 1 s after its due time, triggered ``hold_long_s``
      after the hold began; none for holds known to have ended before;
    * ``long_wait``: triggered at least ``long_wait_s`` after the customer's last speech (a
      turn's end, a pause's start, a backchannel's or interruption's end; later where the
      agent leg sounded like a hold then), its ``value`` the wait so far, with no customer
      or agent talk (turn, backchannel, interruption) in between and not inside a hold;
      and every
      customer-to-agent ``gap`` of at least ``long_wait_s`` plus 0.1 s, outside holds,
      with no agent talk in it, has one. (An agent line muted at the hold level counts as
      a hold for the alert while not long enough to be a ``hold`` event; the Analyzer's
      calls where that happens are reported here as missing alerts.)
    * ``agitation_rising``: emitted with the customer turn that completes a run of
      ``agitation_turns`` turns whose ``state`` arousal is at least ``agitation_arousal``,
      rising, with negative valence, triggered between that turn's end and its emission;
      nowhere else;
    * every alert: ``start == end <= emitted_at <= start + 1 s``, unique ids; on a
      stream of one role (a lone leg: pauses and dead air only), dead-air alerts only.

    Parameters
    ----------
    events : sequence of Event
        One stream's events, open announcements included, as the Analyzer emits them.
    alerts : AlertConfig, optional
        The thresholds the stream ran with (default ``AlertConfig()``).
    turn_taking : TurnTakingConfig, optional
        The stream's turn-taking thresholds (default ``TurnTakingConfig()``), for
        ``dead_air_min_s``.

    Returns
    -------
    list of str
        One line per disagreement; empty when every alert follows its rule.
    """
    from .config import AlertConfig, TurnTakingConfig, config_or_default
    from .detectors.turn_taking import customer_and_agent
    from .events import (
        AlertEvent,
        BackchannelEvent,
        DeadAirEvent,
        GapEvent,
        HoldEvent,
        InterruptionEvent,
        PauseEvent,
        SummaryEvent,
        TurnEvent,
    )

    cfg = config_or_default(alerts, AlertConfig, "alerts")
    tt = config_or_default(turn_taking, TurnTakingConfig, "turn_taking")
    out: list[str] = []
    all_alerts = [e for e in events if isinstance(e, AlertEvent)]
    by_kind: dict[str, list[AlertEvent]] = {}
    for a in all_alerts:
        by_kind.setdefault(a.kind, []).append(a)
        if not (a.end == a.start and a.start - _EPS_S <= a.emitted_at <= a.start + 1.0 + _EPS_S):
            out.append(f"alert not emitted within 1 s of its trigger: {a!r}")
    if len({a.id for a in all_alerts}) != len(all_alerts):
        out.append("alert ids repeat")
    # The stream's roles in column order (the summary lists them so; without one, in order
    # of appearance, which decides customer and agent only for roles named otherwise).
    in_order = next((tuple(e.talk_time_s) for e in events if isinstance(e, SummaryEvent)), ())
    roles = in_order or tuple(dict.fromkeys(r for e in events for r in _speakers(e)))
    closed = [e for e in events if e.end is not None and not isinstance(e, AlertEvent)]

    def matched(kind: str, announcements: list[Event], earliest: Callable[[Event], float]) -> None:
        pending = list(by_kind.get(kind, []))
        for ann in announcements:
            hit = next(
                (
                    a
                    for a in pending
                    if abs(a.emitted_at - ann.emitted_at) < _EPS_S
                    and earliest(ann) - _EPS_S <= a.start <= ann.emitted_at + _EPS_S
                ),
                None,
            )
            if hit is None:
                out.append(f"no {kind} alert for {ann!r}")
            else:
                pending.remove(hit)
        out.extend(f"{kind} alert without its event: {a!r}" for a in pending)

    matched(
        "dead_air",
        [e for e in events if isinstance(e, DeadAirEvent) and e.end is None],
        lambda e: e.start + tt.dead_air_min_s,
    )
    if len(roles) < 2:  # a lone leg has pauses and dead air only, so only dead-air alerts
        out.extend(f"{a.kind} alert on a stream of one role: {a!r}"
                   for a in all_alerts if a.kind != "dead_air")  # fmt: skip
        return out
    customer, agent = customer_and_agent(roles if len(roles) == 2 else roles[:2])

    matched(
        "agent_interrupting",
        [e for e in events if isinstance(e, InterruptionEvent) and e.end is None and e.by == agent],
        lambda e: e.start,
    )
    hold_events = [e for e in closed if isinstance(e, HoldEvent)]
    holds = [(e.start, float(e.end or 0.0)) for e in hold_events]
    # A hold's end may be found seconds after it and dated back (docs/concepts.md): one
    # that ran past hold_long_s as far as was known then had its alert, rightly. Closed
    # within a second of its due time, either is right.
    pending_long = list(by_kind.get("hold_long", []))
    for h in hold_events:
        due = h.start + cfg.hold_long_s
        lasted = float(h.end or 0.0) - h.start >= cfg.hold_long_s - HOP_S / 2
        must = lasted or h.emitted_at > due + 1.0
        may = must or h.emitted_at > due - _EPS_S
        hit = next((a for a in pending_long if abs(a.start - due) < _EPS_S), None)
        if hit is not None and may:
            pending_long.remove(hit)
        elif must:
            out.append(f"no hold_long alert {cfg.hold_long_s} s into {h!r}")
    out.extend(f"hold_long alert without a hold that long: {a!r}" for a in pending_long)

    def on_hold(t: float) -> bool:
        return any(a < t < b for a, b in holds)

    agent_talk = [
        (e.start, float(e.end or 0.0))
        for e in closed
        if (isinstance(e, (TurnEvent, BackchannelEvent)) and e.speaker == agent)
        or (isinstance(e, InterruptionEvent) and e.by == agent)
    ]
    customer_talk = [
        e
        for e in closed
        if (isinstance(e, (TurnEvent, BackchannelEvent)) and e.speaker == customer)
        or (isinstance(e, InterruptionEvent) and e.by == customer)
    ]
    customer_pauses = [e for e in closed if isinstance(e, PauseEvent) and e.speaker == customer]
    customer_stops = [float(e.end or 0.0) for e in customer_talk] + [
        e.start for e in customer_pauses
    ]
    customer_starts = [e.start for e in customer_talk] + [
        float(e.end or 0.0) for e in customer_pauses
    ]
    waits = by_kind.get("long_wait", [])
    for a in waits:
        # Decided on the frame long_wait_s after the customer's last talk frame, or on the
        # first frame after it that is not on hold (music, a muted line).
        stopped = max((x for x in customer_stops if x <= a.start + _EPS_S), default=None)
        if (
            stopped is None
            or a.start - stopped < cfg.long_wait_s - _EPS_S
            or a.value is None
            or abs(a.value - (a.start - stopped)) > _EPS_S
            or any(stopped + _EPS_S < x <= a.start for x in customer_starts)
        ):
            out.append(f"long_wait alert less than {cfg.long_wait_s} s after the customer's "
                       f"last talk: {a!r}")  # fmt: skip
            continue
        if any(s < a.start and e > stopped + _EPS_S for s, e in agent_talk):
            out.append(f"long_wait alert after the agent talked: {a!r}")
        if on_hold(a.start):
            out.append(f"long_wait alert during a hold: {a!r}")
    for g in closed:
        if not (isinstance(g, GapEvent) and (g.from_, g.to) == (customer, agent)):
            continue
        end = float(g.end or 0.0)
        if g.offset < cfg.long_wait_s + 0.1 or any(a < end and b > g.start for a, b in holds):
            continue
        if any(s < end and e > g.start for s, e in agent_talk):
            continue
        if not any(g.start <= a.start < end for a in waits):
            out.append(f"no long_wait alert in {g!r}")

    run, last_arousal, want_agitation = 0, None, list[TurnEvent]()
    for t in events:
        if not (isinstance(t, TurnEvent) and t.end is not None and t.speaker == customer):
            continue
        state = t.state or {}
        arousal, valence = state.get("arousal"), state.get("valence")
        if arousal is None or valence is None:
            continue
        rising = last_arousal is None or arousal > last_arousal
        run = run + 1 if arousal >= cfg.agitation_arousal and valence < 0 and rising else 0
        last_arousal = arousal
        if run == cfg.agitation_turns:
            want_agitation.append(t)
    # each with the turn that completes its run, triggered between its end and emission
    matched("agitation_rising", list(want_agitation), lambda t: float(t.end or 0.0))
    return out


def _speakers(e: Event) -> tuple[str, ...]:
    """The roles an event names."""
    names = [getattr(e, k, None) for k in ("speaker", "from_", "to", "by", "of")]
    return tuple(n for n in names if isinstance(n, str))
