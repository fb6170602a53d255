"""The Analyzer's events agree with each other on real audio (simulated calls built from
real speech, music and noise): every pause lies inside its speaker's turn, every floor
transfer joins the old holder's turn end to the new holder's turn start, a speaker's turns
never overlap, and a backchannel never falls inside its speaker's own turn. Each detector
is checked against its definition elsewhere; these catch events that are each plausible
but contradict one another (a pause before hold music that the labels first took for talk
was one: docs/changelog.md, session 17). The summary, accumulated in bounded memory while
the call runs, is recomputed from the events the plain way and must agree with them."""

from __future__ import annotations

import csv
import random
from dataclasses import replace
from pathlib import Path

import pytest

import empathysignals as es
from empathysignals.testing import (
    alert_contradictions,
    event_contradictions,
    summary_contradictions,
)

_CALLS: dict[tuple[int, bool], list[es.Event]] = {}
#: Thresholds low enough that the worded call raises every kind of alert.
_EAGER_ALERTS = es.AlertConfig(hold_long_s=8.0, agitation_arousal=0.05, agitation_turns=1)


def _analyzed(data_dir: Path, seed: int, *, worded: bool = False) -> list[es.Event]:
    """A test-split call's events, computed once per test session. ``worded``: with a
    transcript whose every speech stretch over 1 s says a GoEmotions text (random, seeded),
    so that turns carry text emotion, states move and the summary's emotion is exercised,
    and with eager alert thresholds (``_EAGER_ALERTS``)."""
    from empathysignals.simulate import simulate_call

    key = (seed, worded)
    if key not in _CALLS:
        sim = simulate_call(seed, split="test", data_dir=data_dir)
        if not worded:
            _CALLS[key] = es.analyze(sim.audio, sim.sample_rate, emotion_model=None)
        else:
            with open(data_dir / "goemotions" / "dev.tsv", newline="") as f:
                texts = [row[0] for row in csv.reader(f, delimiter="\t")]
            rng = random.Random(seed)
            transcript = sorted(
                (
                    {"speaker": role, "start": s.start, "end": s.end, "text": rng.choice(texts)}
                    for role, segments in sim.truth.speech.items()
                    for s in segments
                    if s.duration > 1.0
                ),
                key=lambda row: float(row["start"]),  # type: ignore[arg-type]
            )
            _CALLS[key] = es.analyze(
                sim.audio, sim.sample_rate, transcript=transcript, alerts=_EAGER_ALERTS
            )
    return _CALLS[key]


@pytest.mark.parametrize("seed", [1000, 1001, 1009])
def test_events_of_a_simulated_call_agree(data_dir: Path, seed: int) -> None:
    assert event_contradictions(_analyzed(data_dir, seed)) == []


@pytest.mark.parametrize(("seed", "worded"), [(1000, False), (1001, False), (1009, True)])
def test_the_summary_agrees_with_the_events(data_dir: Path, seed: int, worded: bool) -> None:
    events = _analyzed(data_dir, seed, worded=worded)
    assert summary_contradictions(events) == []
    summary = events[-1]
    assert isinstance(summary, es.SummaryEvent)
    assert summary.coachable_moments and summary.response_latency_s["customer->agent"]["count"]
    if worded:  # the emotion part was exercised, not skipped
        assert summary.emotion["customer"] and summary.emotion["agent"]
        assert any(
            ev.get("signal") == "text"
            for e in events
            if isinstance(e, es.TurnEvent) and e.state
            for ev in e.state.get("evidence") or []
        )


def test_the_one_known_contradiction_is_a_pause_before_late_heard_hold_music(
    data_dir: Path,
) -> None:
    """Call 1003's hold music is first heard 1.14 s after it began, past the 1.0 s a pause
    waits for a hold (``_HELD_WAIT_S``): the agent's silence before it is reported as a
    pause, outside the turn the hold cut. That, and nothing else, contradicts."""
    events = _analyzed(data_dir, 1003)
    (found,) = event_contradictions(events)
    assert found.startswith("pause outside its speaker's turn")
    hold_starts = {e.start for e in events if isinstance(e, es.HoldEvent) and e.end is not None}
    (pause,) = [e for e in events if isinstance(e, es.PauseEvent) and e.end in hold_starts]
    assert pause.speaker == "agent" and repr(pause) in found


def test_the_check_finds_a_pause_outside_its_turn() -> None:
    turn = es.TurnEvent(id=1, start=0.0, end=2.0, emitted_at=2.5, speaker="agent")
    outside = es.PauseEvent(id=2, start=2.0, end=3.0, emitted_at=3.5, speaker="agent")
    inside = es.PauseEvent(id=3, start=1.0, end=1.5, emitted_at=2.0, speaker="agent")
    assert event_contradictions([turn, outside]) != []
    assert event_contradictions([turn, inside]) == []


@pytest.mark.parametrize(("seed", "worded"), [(1000, False), (1001, False), (1009, True)])
def test_the_alerts_follow_their_rules(data_dir: Path, seed: int, worded: bool) -> None:
    events = _analyzed(data_dir, seed, worded=worded)
    config = _EAGER_ALERTS if worded else es.AlertConfig()
    assert alert_contradictions(events, alerts=config) == []
    kinds = {e.kind for e in events if isinstance(e, es.AlertEvent)}
    assert kinds
    if worded:  # every rule was exercised
        assert kinds == {
            "agent_interrupting", "long_wait", "dead_air", "hold_long", "agitation_rising"
        }  # fmt: skip


def test_the_alert_check_finds_a_missing_a_moved_and_an_extra_alert(data_dir: Path) -> None:
    events = _analyzed(data_dir, 1009, worded=True)
    alerts = [e for e in events if isinstance(e, es.AlertEvent)]
    for kind in ("agent_interrupting", "long_wait", "dead_air", "hold_long", "agitation_rising"):
        first = next(a for a in alerts if a.kind == kind)
        others = [e for e in events if e is not first]
        assert alert_contradictions(others, alerts=_EAGER_ALERTS), f"missing {kind}"
        moved = [replace(e, start=e.start + 1.5, end=e.start + 1.5) if e is first else e
                 for e in events]  # fmt: skip
        assert alert_contradictions(moved, alerts=_EAGER_ALERTS), f"moved {kind}"
    extra = replace(alerts[0], id=alerts[0].id + 1, start=1.0, end=1.0, emitted_at=1.5)
    assert alert_contradictions([*events, extra], alerts=_EAGER_ALERTS)
    # the default thresholds do not explain the eager alerts
    assert alert_contradictions(events)


def test_the_summary_check_finds_each_kind_of_disagreement(data_dir: Path) -> None:
    """Each family of summary figures, made wrong one at a time, is reported."""
    events = _analyzed(data_dir, 1009, worded=True)
    summary = events[-1]
    assert isinstance(summary, es.SummaryEvent)

    def found(**changes: object) -> list[str]:
        return summary_contradictions([*events[:-1], replace(summary, **changes)])

    assert found() == []
    assert found(interruptions={**summary.interruptions, "agent": 99})
    assert found(holds={**summary.holds, "total_s": summary.holds["total_s"] + 0.5})
    latency = dict(summary.response_latency_s)
    stats = dict(latency["customer->agent"])
    stats["median"] = float(stats["median"]) + 0.02  # type: ignore[arg-type]
    assert found(response_latency_s={**latency, "customer->agent": stats})
    assert found(non_talk_time_s=summary.non_talk_time_s + 0.01)
    emotion = dict(summary.emotion)
    customer = dict(emotion["customer"])
    customer["peak_end"] = customer["peak_end"] + 0.1
    assert found(emotion={**emotion, "customer": customer})
    moments = list(summary.coachable_moments)
    moved = {**moments[0], "time": moments[0]["time"] + 1.0}
    assert found(coachable_moments=[moved, *moments[1:]])
    assert found(coachable_moments=moments[1:])
    assert summary_contradictions(events[:-1]) == ["expected one summary, last; found 0"]


def test_the_checks_read_roles_named_otherwise(data_dir: Path) -> None:
    """With roles ("caller", "rep") the caller is the customer and the rep the agent, in
    the events and in the checks alike, whichever of them speaks first."""
    from empathysignals.simulate import simulate_call

    sim = simulate_call(1009, split="test", data_dir=data_dir)
    events = es.analyze(
        sim.audio, sim.sample_rate, roles=("caller", "rep"), emotion_model=None,
        alerts=_EAGER_ALERTS,
    )  # fmt: skip
    assert any(isinstance(e, es.AlertEvent) and e.who == "rep" for e in events)
    assert event_contradictions(events) == []
    assert summary_contradictions(events) == []
    assert alert_contradictions(events, alerts=_EAGER_ALERTS) == []


@pytest.mark.parametrize(
    ("roles", "customer", "agent"),
    [
        (("customer", "agent"), "customer", "agent"),
        (("agent", "caller"), "caller", "agent"),
        (("rep", "customer"), "customer", "rep"),
        (("left", "right"), "left", "right"),
        (("customer",), "customer", "customer"),
    ],
)
def test_who_is_the_customer_and_who_the_agent(
    roles: tuple[str, ...], customer: str, agent: str
) -> None:
    from empathysignals.detectors.turn_taking import customer_and_agent, hold_leg_index

    assert customer_and_agent(roles) == (customer, agent)
    assert roles[hold_leg_index(roles)] == agent


def test_the_agent_named_first_is_still_the_agent(data_dir: Path) -> None:
    """Roles ("agent", "caller") over the channels swapped give the alerts, holds and
    coachable moments of ("customer", "agent"), by the same people (the agent once read as
    the customer too, so its holds were "the customer's" and long waits vanished)."""
    from empathysignals.simulate import simulate_call

    sim = simulate_call(1009, split="test", data_dir=data_dir)
    alerts = es.AlertConfig(long_wait_s=1.5, hold_long_s=8.0)
    usual = es.analyze(sim.audio, sim.sample_rate, emotion_model=None, alerts=alerts)
    swapped = es.analyze(
        sim.audio[:, ::-1], sim.sample_rate, roles=("agent", "caller"), emotion_model=None,
        alerts=alerts,
    )  # fmt: skip
    named = {"caller": "customer", "agent": "agent", None: None}

    def said(events: list[es.Event], rename: dict[str | None, str | None]) -> list[tuple]:
        out = [(e.kind, rename[e.who], e.start) for e in events if isinstance(e, es.AlertEvent)]
        summary = events[-1]
        assert isinstance(summary, es.SummaryEvent)
        out += [(m["kind"], rename[m["who"]], m["time"]) for m in summary.coachable_moments]
        return sorted(out, key=repr)

    expected = said(usual, {"customer": "customer", "agent": "agent", None: None})
    assert {kind for kind, _, _ in expected} >= {"long_wait", "hold_long"}
    assert said(swapped, named) == expected
    assert alert_contradictions(swapped, alerts=alerts) == []


def test_a_lone_leg_agrees_with_itself_and_alerts_only_dead_air(data_dir: Path) -> None:
    from empathysignals.simulate import simulate_call

    sim = simulate_call(1000, split="test", data_dir=data_dir)
    events = es.analyze(sim.audio[:, 1], sim.sample_rate, roles=("agent",), emotion_model=None)
    assert {e.kind for e in events if isinstance(e, es.AlertEvent)} == {"dead_air"}
    assert event_contradictions(events) == []
    assert summary_contradictions(events) == []
    assert alert_contradictions(events) == []
    stray = replace(next(e for e in events if isinstance(e, es.AlertEvent)), kind="long_wait", id=1)
    assert alert_contradictions([*events, stray])
