"""The Analyzer's events agree with each other on real audio (simulated calls built from
real speech, music and noise): every pause lies inside its speaker's turn, every floor
transfer joins the old holder's turn end to the new holder's turn start, a speaker's turns
never overlap, and a backchannel never falls inside its speaker's own turn. Each detector
is checked against its definition elsewhere; these catch events that are each plausible
but contradict one another (a pause before hold music that the labels first took for talk
was one: docs/changelog.md, session 17)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

import empathysignals as es
from empathysignals.events import Event

EPS = 1e-6


def contradictions(events: list[Event]) -> list[str]:
    closed = [e for e in events if e.end is not None and e.type != "summary"]
    # A long turn's parts (part 2, 3, ...) are one turn, split at pauses.
    turns: list[es.TurnEvent] = []
    for t in sorted((e for e in closed if isinstance(e, es.TurnEvent)), key=lambda e: e.start):
        prev = next((u for u in reversed(turns) if u.speaker == t.speaker), None)
        if t.part > 1 and prev is not None:
            turns[turns.index(prev)] = es.TurnEvent(
                id=prev.id, start=prev.start, end=t.end, emitted_at=t.emitted_at, speaker=t.speaker
            )
        else:
            turns.append(t)
    out = []

    def turn_of(speaker: str, start: float, end: float) -> bool:
        return any(
            t.speaker == speaker and t.start - EPS <= start and end <= t.end + EPS for t in turns
        )

    for p in (e for e in closed if isinstance(e, es.PauseEvent)):
        if not turn_of(p.speaker, p.start, p.end):
            out.append(f"pause outside its speaker's turn: {p}")
    for g in (e for e in closed if isinstance(e, es.GapEvent)):
        old_end, new_start = (g.start, g.end) if g.offset >= 0 else (g.end, g.start)
        if not any(t.speaker == g.from_ and abs(t.end - old_end) < EPS for t in turns):
            out.append(f"gap without the old holder's turn ending at it: {g}")
        if not any(t.speaker == g.to and abs(t.start - new_start) < EPS for t in turns):
            out.append(f"gap without the new holder's turn starting at it: {g}")
    for speaker in {t.speaker for t in turns}:
        own = sorted((t for t in turns if t.speaker == speaker), key=lambda t: t.start)
        for a, b in itertools.pairwise(own):
            if b.start < a.end - EPS:
                out.append(f"overlapping turns of one speaker: {a}, {b}")
    for b in (e for e in closed if isinstance(e, es.BackchannelEvent)):
        if any(t.speaker == b.speaker and t.start < b.end - EPS < t.end for t in turns):
            out.append(f"backchannel inside its speaker's own turn: {b}")
    return out


@pytest.mark.parametrize(
    "seed",
    [
        1000,
        1001,
        pytest.param(
            1003,
            marks=pytest.mark.xfail(
                reason="its hold music is first heard 1.14 s after it began, past the 1.0 s a "
                "hold-leg pause waits (_HOLD_LEG_PAUSE_WAIT_S): the silence before it is "
                "reported as a pause",
                strict=True,
            ),
        ),
        1009,
    ],
)
def test_events_of_a_simulated_call_agree(data_dir: Path, seed: int) -> None:
    from empathysignals.simulate import simulate_call

    sim = simulate_call(seed, split="test", data_dir=data_dir)
    events = es.analyze(sim.audio, sim.sample_rate, emotion_model=None)
    assert contradictions(events) == []


def test_the_check_finds_a_pause_outside_its_turn() -> None:
    turn = es.TurnEvent(id=1, start=0.0, end=2.0, emitted_at=2.5, speaker="agent")
    outside = es.PauseEvent(id=2, start=2.0, end=3.0, emitted_at=3.5, speaker="agent")
    inside = es.PauseEvent(id=3, start=1.0, end=1.5, emitted_at=2.0, speaker="agent")
    assert contradictions([turn, outside]) != []
    assert contradictions([turn, inside]) == []
