"""Per-turn emotional state: the fusion rule's properties and the behavioural context
taken from a real stream."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import empathysignals as es
from empathysignals.state import B_CAP, fuse_state

ANGRY = {"valence": -0.8, "top": [["anger", 0.8], ["annoyance", 0.5], ["neutral", 0.1]]}
THANKS = {"valence": 0.9, "top": [["gratitude", 0.9], ["joy", 0.3], ["neutral", 0.1]]}


def test_quadrants() -> None:
    assert fuse_state(prosodic_arousal=2.0, emotion=ANGRY, behaviour=[])["label"] == "agitated"
    calm_bad = fuse_state(prosodic_arousal=-1.5, emotion={**ANGRY, "top": [["sadness", 0.9]]},
                          behaviour=[])  # fmt: skip
    assert calm_bad["label"] == "dissatisfied"
    assert fuse_state(prosodic_arousal=-1.0, emotion=THANKS, behaviour=[])["label"] == "satisfied"
    assert fuse_state(prosodic_arousal=2.0, emotion=THANKS, behaviour=[])["label"] == "enthusiastic"
    assert fuse_state(prosodic_arousal=None, emotion=None, behaviour=[])["label"] == "neutral"


def test_missing_modalities_degrade_gracefully() -> None:
    audio_only = fuse_state(prosodic_arousal=1.5, emotion=None, behaviour=[])
    text_only = fuse_state(prosodic_arousal=None, emotion=ANGRY, behaviour=[])
    both = fuse_state(prosodic_arousal=1.5, emotion=ANGRY, behaviour=[])
    assert audio_only["valence"] == 0.0 and audio_only["arousal"] > 0.5
    assert text_only["valence"] < -0.5
    assert both["confidence"] > max(audio_only["confidence"], text_only["confidence"])
    assert {e["signal"] for e in both["evidence"]} == {"prosody", "text"}


def test_audio_only_arousal_keeps_the_order_of_prosodic_arousal() -> None:
    # Without text the fused arousal must rank turns as prosody does (issue 5: "at least as
    # well as prosody alone"); squashing then rounding to 3 decimals tied turns 0.01 apart.
    grid = [round(-3.0 + 0.01 * i, 2) for i in range(601)]
    fused = [fuse_state(prosodic_arousal=z, emotion=None, behaviour=[])["arousal"] for z in grid]
    assert all(a < b for a, b in pairwise(fused))


@given(
    st.one_of(st.none(), st.floats(-10, 10)),
    st.floats(-1, 1),
    st.lists(st.sampled_from([-0.2, -0.15]), max_size=5),
)
def test_bounds_and_behaviour_cap(
    arousal: float | None, valence: float, effects: list[float]
) -> None:
    emotion = {"valence": valence, "top": [["neutral", 0.5]]}
    state = fuse_state(prosodic_arousal=arousal, emotion=emotion,
                       behaviour=[("x", e) for e in effects])  # fmt: skip
    assert -1 <= state["valence"] <= 1 and -1 <= state["arousal"] <= 1
    assert 0 <= state["confidence"] <= 1
    alone = fuse_state(prosodic_arousal=arousal, emotion=emotion, behaviour=[])
    assert state["valence"] >= alone["valence"] + B_CAP - 1e-9
    assert state["valence"] <= alone["valence"] + 1e-9


def test_behaviour_in_a_stream(data_dir: Path) -> None:
    """A customer kept waiting (a detected customer->agent gap of 2 s or more) carries that
    into their next turn's state, once."""
    from empathysignals.simulate import simulate_call

    sim = simulate_call(1000, split="test")
    events = es.analyze(sim.audio, sim.sample_rate)
    turns = [e for e in events if isinstance(e, es.TurnEvent)]
    assert all(t.state is not None for t in turns)
    waits = [e for e in events if isinstance(e, es.GapEvent) and e.from_ == "customer"
             and e.offset >= 2.0]  # fmt: skip
    assert waits, "the simulated call has long waits"
    for gap in waits:
        nxt = next(t for t in turns if t.speaker == "customer" and t.start >= gap.start)
        details = [e["detail"] for e in nxt.state["evidence"]]  # type: ignore[index]
        assert any(d.startswith("kept waiting") for d in details), (gap, details)
        assert nxt.state["valence"] < 0  # type: ignore[index]
    # an agent waiting for the customer's answer is no grievance of the agent's
    for turn in turns:
        if turn.speaker == "agent":
            details = [e["detail"] for e in turn.state["evidence"]]  # type: ignore[index]
            assert not any(d.startswith("kept waiting") for d in details), (turn, details)
    assert [e for e in events if isinstance(e, es.GapEvent) and e.from_ == "agent"
            and e.offset >= 2.0], "the call has the agent waiting too"  # fmt: skip


@pytest.mark.parametrize("seed", [2, 5])
def test_coachable_moments_match_simulated_truth(data_dir: Path, seed: int) -> None:
    """Every simulated hold and long wait (and every detected agent interruption) is a
    coachable moment at the right time (±1 s); the summary's trajectory is consistent."""
    from empathysignals.simulate import simulate_call

    sim = simulate_call(seed)
    events = es.analyze(sim.audio, sim.sample_rate)
    summary = events[-1]
    assert isinstance(summary, es.SummaryEvent)
    moments = summary.coachable_moments
    assert summary.coachable_moments_total == len(moments)

    def found(kind: str, t: float) -> bool:
        return any(m["kind"] == kind and abs(m["time"] - t) <= 1.0 for m in moments)

    truth = sim.truth
    holds = truth.events_of("hold")
    waits = [g for g in truth.events_of("gap") if g.attrs.get("scenario") == "long_wait"
             and g.attrs["from"] == "customer"]  # fmt: skip
    assert holds or waits
    for ev in holds:
        assert found("hold", ev.start), ev
    for ev in waits:
        assert found("long_wait", ev.start), ev
    for ev in events:
        if isinstance(ev, es.InterruptionEvent) and ev.end is not None and ev.by == "agent":
            assert found("interruption", ev.start)
    customer = summary.emotion["customer"]
    assert customer is not None
    assert customer["peak_end"] == pytest.approx(
        (customer["peak"]["valence"] + customer["end"]["valence"]) / 2, abs=1e-3
    )
    assert customer["trend"] == pytest.approx(
        customer["end"]["valence"] - customer["start"]["valence"], abs=1e-3
    )
    assert len(customer["valence_by_quarter"]) == 4
    assert es.event_from_dict(summary.to_dict()).to_dict() == summary.to_dict()


def test_a_wait_that_is_dead_air_is_one_moment() -> None:
    """The customer stops and nobody speaks for 9.8 s: a dead_air moment, not also a
    long_wait one; a 3 s wait with no dead air is a long_wait."""
    from empathysignals.coaching import CoachingTracker

    track = CoachingTracker(("customer", "agent"))
    track.observe(es.DeadAirEvent(1, 12.0, 21.8, 22.3))
    track.observe(es.GapEvent(2, 12.0, 21.8, 23.3, from_="customer", to="agent", offset=9.8))
    track.observe(es.GapEvent(3, 30.0, 33.0, 34.5, from_="customer", to="agent", offset=3.0))
    kinds = [(m["kind"], m["time"]) for m in track.summary_fields(60.0)["coachable_moments"]]
    assert kinds == [("dead_air", 12.0), ("long_wait", 30.0)]


def test_an_unworded_answer_to_agitation_is_not_judged_cold() -> None:
    """Without a transcript an answer's valence is unknown (0): only a late answer is an
    agitation left unanswered; with words, a not-positive one is too."""
    from empathysignals.coaching import CoachingTracker

    agitated = {"valence": -0.5, "arousal": 0.6, "label": "agitated", "confidence": 0.8,
                "evidence": [{"signal": "prosody"}]}  # fmt: skip
    unworded = {"valence": 0.0, "arousal": 0.0, "label": "neutral", "confidence": 0.3,
                "evidence": [{"signal": "prosody"}]}  # fmt: skip
    worded = {**unworded, "evidence": [{"signal": "text"}]}
    found = {}
    for name, answer in (("unworded", unworded), ("worded", worded)):
        track = CoachingTracker(("customer", "agent"))
        track.observe(es.TurnEvent(1, 0.0, 4.0, 5.0, speaker="customer", state=agitated))
        track.observe(es.TurnEvent(2, 4.3, 8.0, 9.0, speaker="agent", state=answer))
        moments = track.summary_fields(10.0)["coachable_moments"]
        found[name] = [m["kind"] for m in moments]
    assert found == {"unworded": [], "worded": ["agitation_unanswered"]}
