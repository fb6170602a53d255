"""The Analyzer's events agree with each other on real audio (simulated calls built from
real speech, music and noise): every pause lies inside its speaker's turn, every floor
transfer joins the old holder's turn end to the new holder's turn start, a speaker's turns
never overlap, and a backchannel never falls inside its speaker's own turn. Each detector
is checked against its definition elsewhere; these catch events that are each plausible
but contradict one another (a pause before hold music that the labels first took for talk
was one: docs/changelog.md, session 17)."""

from __future__ import annotations

from pathlib import Path

import pytest

import empathysignals as es
from empathysignals.testing import event_contradictions


@pytest.mark.parametrize("seed", [1000, 1001, 1009])
def test_events_of_a_simulated_call_agree(data_dir: Path, seed: int) -> None:
    from empathysignals.simulate import simulate_call

    sim = simulate_call(seed, split="test", data_dir=data_dir)
    events = es.analyze(sim.audio, sim.sample_rate, emotion_model=None)
    assert event_contradictions(events) == []


def test_the_one_known_contradiction_is_a_pause_before_late_heard_hold_music(
    data_dir: Path,
) -> None:
    """Call 1003's hold music is first heard 1.14 s after it began, past the 1.0 s a pause
    waits for a hold (``_HELD_WAIT_S``): the agent's silence before it is reported as a
    pause, outside the turn the hold cut. That, and nothing else, contradicts."""
    from empathysignals.simulate import simulate_call

    sim = simulate_call(1003, split="test", data_dir=data_dir)
    events = es.analyze(sim.audio, sim.sample_rate, emotion_model=None)
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
