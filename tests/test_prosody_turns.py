"""Per-turn prosody in the Analyzer: the streaming run summaries against a batch
computation on the whole call, the syllable-nucleus and run-sum kernels against naive
references, and the arousal baseline."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import empathysignals as es
from depth import examples
from empathysignals._kernels.prosody import new_nucleus_state, speech_run_sums, syllable_nuclei
from empathysignals.events import TurnEvent
from empathysignals.prosody.turns import AROUSAL_FEATURES


def naive_nuclei(
    energy: list[float], voiced: list[bool], active: list[bool], dip: float, below: float,
    decay: float,
) -> list[int]:  # fmt: skip
    """Hysteresis peak picking on the 3-frame power-smoothed contour, written plainly."""
    out = []
    powers = [0.0, 0.0]
    rising, peak, peak_ok, valley, ref = True, -200.0, False, -200.0, -200.0
    for e_raw, v, a in zip(energy, voiced, active, strict=True):
        powers.append(10 ** (e_raw / 10))
        # newest first, as the kernel adds them (float addition is not associative)
        e = 10 * math.log10((powers[-1] + powers[-2] + powers[-3]) / 3 + 1e-12)
        if a:
            ref = max(ref - decay, e)
        ok = v and a and e >= ref - below
        flag = 0
        if rising:
            if e > peak:
                peak, peak_ok = e, ok
            elif e <= peak - dip:
                flag = int(peak_ok and peak - valley >= dip)
                rising, valley = False, e
        elif e < valley:
            valley = e
        elif e >= valley + dip:
            rising, peak, peak_ok = True, e, ok
        out.append(flag)
    return out


@settings(max_examples=examples(60), deadline=None)
@given(
    st.lists(st.floats(-90, 0), min_size=1, max_size=200),
    st.integers(0, 2**32 - 1),
    st.integers(1, 199),
)
def test_nuclei_kernel_matches_naive_and_is_chunk_independent(
    energy: list[float], seed: int, split: int
) -> None:
    rng = np.random.default_rng(seed)
    n = len(energy)
    voiced = rng.random(n) < 0.7
    active = rng.random(n) < 0.8
    e = np.array(energy)
    want = naive_nuclei(energy, list(voiced), list(active), 2.0, 25.0, 0.002)
    state = new_nucleus_state()
    got = syllable_nuclei(e, voiced, active, state, 2.0, 25.0, 0.002)
    assert got.tolist() == want
    k = min(split, n)
    state = new_nucleus_state()
    parts = [
        syllable_nuclei(e[:k], voiced[:k], active[:k], state, 2.0, 25.0, 0.002),
        syllable_nuclei(e[k:], voiced[k:], active[k:], state, 2.0, 25.0, 0.002),
    ]
    assert np.concatenate(parts).tolist() == want


@pytest.fixture(scope="module")
def sim(data_dir: object) -> object:
    from empathysignals.simulate import simulate_call

    return simulate_call(3, n_exchanges=4)


def test_turn_prosody_equals_batch_computation(sim: object) -> None:
    """Each turn's pitch statistics equal those computed from the whole call's pitch track
    (``es.pitch`` on the leg) over the frames the voice-activity labels mark active."""
    audio, rate = sim.audio, sim.sample_rate  # type: ignore[attr-defined]
    events = es.analyze(audio, rate)
    va = es.voice_activity(audio, rate)
    turns = [e for e in events if isinstance(e, TurnEvent)]
    assert len(turns) >= 6
    tracks = [es.pitch(audio[:, i], rate) for i in range(2)]
    for turn in turns:
        leg = ("customer", "agent").index(turn.speaker)
        a, b = round(turn.start / 0.01), round(turn.end / 0.01)  # type: ignore[operator]
        active = va.active[a:b, leg]
        f0 = tracks[leg].f0_hz[a:b]
        voiced = active & np.isfinite(f0)
        prosody = turn.prosody
        assert prosody is not None
        assert prosody["speech_s"] == pytest.approx(active.sum() * 0.01, abs=0.011)
        if voiced.sum() < 2:
            continue
        semis = 12 * np.log2(f0[voiced] / 100)
        assert prosody["f0_mean_hz"] == pytest.approx(f0[voiced].mean(), rel=1e-3)
        assert prosody["f0_sd_semitones"] == pytest.approx(semis.std(), abs=2e-3)
        assert prosody["f0_range_semitones"] == pytest.approx(np.ptp(semis), abs=2e-3)
        t = (a + np.flatnonzero(voiced)) * 0.01
        slope = np.polyfit(t, semis, 1)[0]
        assert prosody["f0_slope_semitones_s"] == pytest.approx(slope, abs=2e-3)
        energy = va.frames.energy_db[a:b, leg][active]
        loud = 10 * np.log10(np.mean(10 ** (energy / 10)))
        assert prosody["loudness_db"] == pytest.approx(loud, abs=2e-3)


def naive_run_sums(
    first: int, hop: float, active: list[bool], f0: list[float], voicing: list[float],
    energy: list[float], nuclei: list[int], kpow: list[float],
) -> list[list[float]]:  # fmt: skip
    """One row per run of active frames, summed plainly frame by frame."""
    rows: list[list[float]] = []
    for k, a in enumerate(active):
        if not a:
            continue
        if k == 0 or not active[k - 1]:
            rows.append([first + k, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, math.inf,
                         -math.inf, 0.0, 0.0, 0.0, 0.0])  # fmt: skip
        row = rows[-1]
        row[1] = first + k + 1
        row[11] += 10 ** (energy[k] / 10)
        row[13] += nuclei[k]
        row[14] += kpow[k]
        if math.isnan(f0[k]):
            continue
        semis = 12 * math.log2(f0[k] / 100)
        t = (first + k) * hop
        r = min(max(voicing[k], 1e-3), 0.999)
        for col, value in zip(
            (2, 3, 4, 5, 6, 7, 8, 12),
            (1.0, f0[k], semis, semis**2, t, t**2, t * semis, 10 * math.log10(r / (1 - r))),
            strict=True,
        ):
            row[col] += value
        row[9], row[10] = min(row[9], semis), max(row[10], semis)
    return rows


@settings(max_examples=examples(60), deadline=None)
@given(st.integers(1, 120), st.integers(0, 10**6), st.integers(0, 2**32 - 1))
def test_run_sums_kernel_matches_naive(n: int, first: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    active = rng.random(n) < 0.7
    f0 = np.where(rng.random(n) < 0.6, rng.uniform(60, 500, n), np.nan)
    voicing = rng.uniform(-0.2, 1.2, n)  # outside [0, 1] too: the kernel clips
    energy = rng.uniform(-120, 0, n)
    nuclei = (rng.random(n) < 0.2).astype(np.int8)
    kpow = rng.uniform(0, 1e-2, n)
    got = speech_run_sums(first, 0.01, active, f0, voicing, energy, nuclei, kpow)
    want = naive_run_sums(first, 0.01, list(active), list(f0), list(voicing), list(energy),
                          list(nuclei), list(kpow))  # fmt: skip
    assert got.shape == (len(want), 15)
    np.testing.assert_allclose(got, np.array(want).reshape(-1, 15), rtol=1e-12, atol=1e-12)


def test_prosody_is_chunk_independent(sim: object) -> None:
    audio, rate = sim.audio, sim.sample_rate  # type: ignore[attr-defined]
    whole = [e for e in es.analyze(audio, rate) if e.type == "turn"]
    call = es.Analyzer().stream()
    parts: list[es.Event] = []
    for start in range(0, len(audio), 1234):
        parts += call.push(audio[start : start + 1234])
    parts += call.finish()
    assert [e for e in parts if e.type == "turn"] == whole


def test_arousal_rises_with_a_louder_voice(data_dir: object) -> None:
    """The same speaker's last turn, 8 dB louder: higher arousal against the same baseline."""
    from empathysignals.simulate import simulate_call

    # 10 dB down first, so the louder turn is not clipped: clipping adds high-frequency
    # energy, which the spectral-balance cues read as a *less* activated voice.
    sim = simulate_call(11, n_exchanges=6, scenarios=("gap",), snr_db=30.0)
    audio = sim.audio * np.float32(10 ** (-10 / 20))
    rate = sim.sample_rate
    plain = [e for e in es.analyze(audio, rate) if isinstance(e, TurnEvent)]
    customer = [t for t in plain if t.speaker == "customer"]
    assert customer[0].prosody is not None and customer[0].prosody["arousal"] is None
    last = customer[-1]
    a, b = int(last.start * rate), int(last.end * rate)  # type: ignore[operator]
    audio[a:b, 0] *= np.float32(10 ** (8 / 20))
    assert np.abs(audio[a:b, 0]).max() < 1.0
    louder = [e for e in es.analyze(audio, rate) if isinstance(e, TurnEvent)]
    turn = [t for t in louder if t.speaker == "customer" and abs(t.start - last.start) < 0.2]
    assert turn and turn[0].prosody is not None and last.prosody is not None
    assert turn[0].prosody["loudness_db"] > last.prosody["loudness_db"] + 6
    assert turn[0].prosody["loudness_lufs"] > last.prosody["loudness_lufs"] + 6
    # Arousal is the mean of six clipped z-scores; this turn is already among the speaker's
    # loudest, so the loudness z moves by less than 8 dB / spread before its clip, and the
    # syllable count may move a little with the level. At least a third of a spread of one
    # cue must show.
    assert turn[0].prosody["arousal"] > last.prosody["arousal"] + 0.33 / len(AROUSAL_FEATURES)


def test_prosody_can_be_turned_off(sim: object) -> None:
    audio, rate = sim.audio, sim.sample_rate  # type: ignore[attr-defined]
    call = es.Analyzer(prosody=False, sample_rate=rate).stream()
    turns = [e for e in call.push(audio) + call.finish() if isinstance(e, TurnEvent)]
    assert turns and all(t.prosody is None for t in turns)


def test_turn_jitter_shimmer_agree_with_whole_turn_analysis(sim: object) -> None:
    """Streaming per-stretch sums against ``voice_quality`` on the turn's audio and the same
    pitch track (Praat's method on the whole turn): the same pulses except at the turn's
    edges."""
    audio, rate = sim.audio, sim.sample_rate  # type: ignore[attr-defined]
    turns = [e for e in es.analyze(audio, rate) if isinstance(e, TurnEvent)]
    tracks = [es.pitch(audio[:, i], rate) for i in range(2)]
    checked = 0
    for turn in turns:
        assert turn.prosody is not None and turn.end is not None
        if turn.prosody["jitter"] is None or turn.end - turn.start < 1.5:
            continue
        leg = ("customer", "agent").index(turn.speaker)
        a, b = round(turn.start / 0.01), round(turn.end / 0.01)
        vq = es.prosody.voice_quality(
            audio[a * rate // 100 : b * rate // 100, leg], rate,
            f0_hz=tracks[leg].f0_hz[a:b], hop_s=0.01, f0_start_s=0.0,
        )  # fmt: skip
        assert turn.prosody["jitter"] == pytest.approx(vq.jitter_local, rel=0.15)
        assert turn.prosody["shimmer_db"] == pytest.approx(vq.shimmer_local_db, rel=0.15)
        checked += 1
    assert checked >= 4


def test_frame_features_match_the_stream_front_end(sim: object, tmp_path: object) -> None:
    audio, rate = sim.audio, sim.sample_rate  # type: ignore[attr-defined]
    legs = es.prosody.frame_features(audio, rate)
    va = es.voice_activity(audio, rate)
    assert len(legs) == 2
    for i, leg in enumerate(legs):
        np.testing.assert_array_equal(leg.active, va.active[:, i])
        track = es.pitch(audio[:, i], rate)
        m = min(len(track), len(leg.f0_hz))
        np.testing.assert_array_equal(leg.f0_hz[:m], track.f0_hz[:m])
    table = legs[0].to_numpy()
    assert table.dtype.names is not None and "f0_hz" in table.dtype.names
    path = tmp_path / "frames.csv"  # type: ignore[operator]
    legs[0].to_csv(str(path))
    back = np.loadtxt(path, delimiter=",", skiprows=1)
    assert back.shape == (len(legs[0].time_s), 7)
    np.testing.assert_allclose(back[:, 0], legs[0].time_s, atol=1e-9)
    # times stay distinct on a long recording (%.6g repeated them after 10,000 s)
    from dataclasses import replace

    late = replace(legs[0], time_s=legs[0].time_s + 10_000.0)
    late.to_csv(str(path))
    times = np.loadtxt(path, delimiter=",", skiprows=1)[:, 0]
    assert np.all(np.diff(times) > 0.009)


def test_run_columns_agree_with_the_kernel() -> None:
    """``prosody.turns`` repeats the run-sum kernel's column numbers (so that importing it
    does not import numba): they must be the kernel's."""
    from empathysignals._kernels import prosody as kernel
    from empathysignals.prosody import turns

    names = [n for n in dir(kernel) if n.startswith("RUN_") and n != "RUN_FIELDS"]
    assert len(names) == kernel.RUN_FIELDS == turns.N_FIELDS
    for name in names:
        assert getattr(turns, "R_" + name[4:]) == getattr(kernel, name), name
