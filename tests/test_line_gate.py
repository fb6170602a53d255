"""The open/gated line test behind ``silent_holds="auto"``: its rules on synthetic label
sequences, chunk independence, and its effect on real and simulated calls."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import empathysignals as es
from depth import examples
from empathysignals.detectors.line_gate import (
    GATE_EVIDENCE,
    GATE_MIN_MUTED_S,
    GATE_MUTED_SHARE,
    GATE_SHARE_AFTER_S,
    OPEN_LINE_S,
    LineGateWatch,
)

HOP = 0.01


def labels(n_s: float, *, talk: list[tuple[float, float]], muted: list[tuple[float, float]],
           music: list[tuple[float, float]] = ()) -> tuple[np.ndarray, ...]:  # fmt: skip
    n = round(n_s / HOP)
    out = []
    for spans in (talk, muted, music):
        a = np.zeros(n, dtype=bool)
        for s0, s1 in spans:
            a[round(s0 / HOP) : round(s1 / HOP)] = True
        out.append(a)
    return tuple(out)


def allowed(*arrays: np.ndarray) -> np.ndarray:
    return LineGateWatch(hop_s=HOP, hold_min_s=3.0).update(*arrays)


def test_a_line_is_open_once_it_has_shown_its_noise() -> None:
    # talk, then noise for OPEN_LINE_S: muted frames from then on may be a hold
    t, m, mu = labels(10, talk=[(0, 2)], muted=[(4, 10)])
    ok = allowed(t, m, mu)
    assert not ok[: round((2 + OPEN_LINE_S) / HOP) - 1].any()
    assert ok[round((2 + OPEN_LINE_S) / HOP) :].all()
    # music is not the line's noise; nor is a line muted from the start
    t, m, mu = labels(10, talk=[(0, 2)], muted=[(4, 10)], music=[(2, 4)])
    assert not allowed(t, m, mu).any()
    t, m, mu = labels(10, talk=[(5, 6)], muted=[(0, 5), (6, 10)])
    assert not allowed(t, m, mu).any()


def test_lost_packets_do_not_end_the_lines_noise() -> None:
    """A recorder that fills lost 20 ms packets with zeros: one every 0.4 s leaves no second
    of noise unbroken, yet the line is open; muted runs of GATE_MIN_MUTED_S do break it."""
    lost = [(2.3 + 0.4 * k, 2.32 + 0.4 * k) for k in range(7)]
    t, m, mu = labels(10, talk=[(0, 2)], muted=[*lost, (5, 10)])
    ok = allowed(t, m, mu)
    assert ok[round(5 / HOP) :].all() and not ok[: round(3 / HOP) - 1].any()
    longer = [(2.3 + 0.4 * k, 2.3 + GATE_MIN_MUTED_S + 0.4 * k) for k in range(7)]
    t, m, mu = labels(10, talk=[(0, 2)], muted=[*longer, (5, 10)])
    assert not allowed(t, m, mu).any()


def test_a_mostly_muted_line_is_gated_whatever_ends_its_muted_runs() -> None:
    """A codec's gate also opens on loud noise: its muted runs end in noise as often as in
    talk. Once short muted runs are GATE_MUTED_SHARE of the line's non-talk time (after
    GATE_SHARE_AFTER_S of it), each one is evidence; an open line whose noise has a few
    digital gaps (game ambience) stays open."""
    # 2 s of noise (open), then a burst of noise every 1.5 s, zeros between: no talk at all
    bursts = [(2.0 + 1.5 * k, 2.4 + 1.5 * k) for k in range(20)]
    muted = [(b1, b1 + 1.1) for _, b1 in bursts]
    t, m, mu = labels(33, talk=[(0.0, 0.5)], muted=muted)
    ok = allowed(t, m, mu)
    share = 1.1 / 1.5  # of the non-talk time once the bursts start
    assert share >= GATE_MUTED_SHARE
    assert ok[round(2.0 / HOP)] and not ok[round(32.0 / HOP) :].any()
    # the same line before GATE_SHARE_AFTER_S of non-talk time has passed: still open
    gated_by = round((GATE_SHARE_AFTER_S + 2.0 + 1.5 * GATE_EVIDENCE) / HOP)
    assert not ok[gated_by:].any() and ok[round(2.6 / HOP)]
    # an open line with a 0.3 s gap in its noise every 5 s (a share of 0.06) stays open
    gaps = [(3.0 + 5.0 * k, 3.3 + 5.0 * k) for k in range(6)]
    t, m, mu = labels(40, talk=[(0.0, 0.5)], muted=[*gaps, (34.0, 40.0)])
    assert allowed(t, m, mu)[round(35.0 / HOP) :].all()


def test_short_muted_runs_between_own_talk_make_a_line_gated() -> None:
    # an open line (noise 0-2 s), then the talker's pauses drop to digital silence
    talk = [(2.0 + 1.0 * k, 2.6 + 1.0 * k) for k in range(6)]
    muted = [(2.8 + 1.0 * k, 2.9 + 1.0 * k) for k in range(6)]  # 0.2 s of noise, 0.1 muted
    t, m, mu = labels(12, talk=talk, muted=[*muted, (9, 12)])
    ok = allowed(t, m, mu)
    gated_at = talk[GATE_EVIDENCE][0]  # the talk that follows the last evidence
    assert ok[round(1.5 / HOP)] and not ok[round(gated_at / HOP) :].any()
    # muted runs as long as a hold, or not bracketed by the talker, are no evidence
    # (each line shows 2 s of its noise first)
    long_runs = labels(40, talk=[(2, 3), (7, 8), (12, 13), (17, 18)],
                       muted=[(3.2, 6.8), (8.2, 11.8), (13.2, 16.8)])  # fmt: skip
    assert allowed(*long_runs)[round(18.5 / HOP)]
    unbracketed = labels(30, talk=[(2, 3), (7, 8), (12, 13), (17, 18)],
                         muted=[(4.0, 4.2), (9.0, 9.2), (14.0, 14.2)])  # fmt: skip
    assert allowed(*unbracketed)[round(19 / HOP)]


@settings(max_examples=examples(40), deadline=None)
@given(st.lists(st.integers(0, 1199), max_size=8), st.integers(0, 2**32 - 1))
def test_chunking_does_not_change_the_decision(cuts: list[int], seed: int) -> None:
    rng = np.random.default_rng(seed)
    # random runs of talk / noise / muted / music
    kinds = rng.integers(0, 4, size=60)
    lengths = rng.integers(5, 60, size=60)
    state = np.repeat(kinds, lengths)[:1200]
    t, m, mu = state == 0, state == 2, state == 3
    whole = allowed(t, m, mu)
    w = LineGateWatch(hop_s=HOP, hold_min_s=3.0)
    bounds = [0, *sorted(set(cuts)), len(t)]
    parts = [w.update(t[a:b], m[a:b], mu[a:b]) for a, b in itertools.pairwise(bounds)]
    np.testing.assert_array_equal(np.concatenate(parts), whole)


def _gated_call(seed: int) -> tuple[Any, np.ndarray]:
    """A simulated tune call and its audio with the agent leg silence-suppressed: digital
    zeros outside the agent's speech (50 ms before, 200 ms after: a gate's hang time) and
    outside its music holds (the switch plays those, not the agent's line)."""
    from empathysignals.simulate import simulate_call

    call = simulate_call(seed, split="tune")
    sr = call.sample_rate
    on = np.zeros(len(call.audio), dtype=bool)
    for s in call.truth.speech["agent"]:
        on[max(0, round((s.start - 0.05) * sr)) : round((s.end + 0.2) * sr)] = True
    for e in call.truth.events_of("hold"):
        if e.attrs["kind"] == "music":
            on[round(e.start * sr) : round(e.end * sr)] = True
    gated = call.audio.copy()
    a = call.truth.roles.index("agent")
    gated[:, a] = np.where(on, gated[:, a], 0.0)
    return call, gated


@pytest.mark.parametrize("seed", [1, 4])
def test_silence_suppressed_agent_leg_gives_no_silent_holds(data_dir: Path, seed: int) -> None:
    """Simulated tune calls whose agent leg is gated as DTX would: by default no silent hold
    (always: one whenever the agent listens 3 s); music holds are kept. On the open
    original the default reports exactly what silent_holds=True does."""
    call, gated = _gated_call(seed)
    roles = call.truth.roles
    music = [e for e in call.truth.events_of("hold") if e.attrs["kind"] == "music"]

    def holds(x: np.ndarray, mode: object) -> list[es.Event]:
        tt = es.TurnTakingConfig(silent_holds=mode)  # type: ignore[arg-type]
        ev = es.analyze(x, call.sample_rate, roles=roles, turn_taking=tt, emotion_model=None)
        return [e for e in ev if e.type == "hold" and e.end is not None]

    auto = holds(gated, "auto")
    assert [e.kind for e in auto] == ["music"] * len(music)
    assert len(holds(gated, True)) > len(music) + 2
    assert [e.to_dict() for e in holds(call.audio, "auto")] == [
        e.to_dict() for e in holds(call.audio, True)
    ]
    assert holds(call.audio, "auto"), "the open call has its hold"


def test_config_accepts_auto_true_false() -> None:
    for ok in ("auto", True, False):
        es.TurnTakingConfig(silent_holds=ok)  # type: ignore[arg-type]
    assert es.TurnTakingConfig().silent_holds == "auto"
    with pytest.raises(es.ParameterError, match="'auto', True or False"):
        es.TurnTakingConfig(silent_holds="yes")  # type: ignore[arg-type]


def test_music_hold_on_a_silence_suppressed_leg_lasts_through_the_musics_pauses(
    data_dir: Path,
) -> None:
    """On a gated agent leg the line's noise is heard only next to talk, so its digital
    silence must not stand for the line's noise floor: before, a pause in the hold music
    (digital silence) then looked like the agent's line back and the hold ended 7.5 s early
    (tune call 2: 146.68 s against the true 154.14 s)."""
    call, gated = _gated_call(2)
    (truth,) = [e for e in call.truth.events_of("hold") if e.attrs["kind"] == "music"]
    ev = es.analyze(gated, call.sample_rate, roles=call.truth.roles, emotion_model=None)
    (hold,) = [e for e in ev if e.type == "hold" and e.end is not None]
    assert hold.start == pytest.approx(truth.start, abs=0.5)
    assert hold.end == pytest.approx(truth.end, abs=1.0)


def test_gated_call_events_do_not_depend_on_chunking(data_dir: Path) -> None:
    """The open/gated test and the hold rules around it see frames in order: a gated call
    with a music hold gives the same events in 20 ms pushes as in one."""
    call, x = _gated_call(2)
    roles = call.truth.roles
    whole = [e.to_dict() for e in es.analyze(x, call.sample_rate, roles=roles, emotion_model=None)]
    stream = es.Analyzer(roles=roles, sample_rate=call.sample_rate, emotion_model=None).stream()
    events: list[es.Event] = []
    for i in range(0, len(x), 160):
        events += stream.push(x[i : i + 160])
    events += stream.finish()
    assert [e.to_dict() for e in events] == whole
