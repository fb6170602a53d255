"""Per-turn emotional state: the fusion rule's properties and the behavioural context
taken from a real stream."""

from __future__ import annotations

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
