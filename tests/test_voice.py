"""Voice measures: kernels against naive references, synthetic signals with known answers,
bad input, and agreement with Praat (parselmouth) on real speech."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import naive_voice as naive
from depth import examples
from empathysignals.errors import AudioError, ParameterError
from empathysignals.prosody.voice import (
    MAX_AMPLITUDE_FACTOR,
    MAX_PERIOD_FACTOR,
    PERIOD_CEILING_S,
    PERIOD_FLOOR_S,
    intensity,
    pitch_stats,
    speaking_rate,
    voice_quality,
)

SR = 16000
LIMITS = (PERIOD_FLOOR_S, PERIOD_CEILING_S, MAX_PERIOD_FACTOR)


# ----------------------------------------------------------------------------- helpers
def pulse_train(
    periods: np.ndarray, amps: np.ndarray, sr: int = SR, lead: int = 800
) -> tuple[np.ndarray, np.ndarray]:
    """Glottal-like pulses (``amps`` has one more entry than ``periods``): each rings a
    damped 700 Hz resonance (0.5 ms decay), so every period has the same shape and one clear
    peak. Returns (samples, pulse times in s)."""
    onsets = lead + np.concatenate([[0], np.cumsum(periods)]).astype(np.int64)
    n = int(onsets[-1]) + lead
    x = np.zeros(n)
    k = np.arange(int(0.02 * sr))
    ring = np.exp(-k / (0.0005 * sr)) * np.sin(2 * np.pi * 700 * k / sr + 0.3)
    for o, amp in zip(onsets, amps, strict=True):
        seg = ring[: n - o]
        x[o : o + seg.size] += amp * seg
    return x.astype(np.float32), (onsets + 0.5) / sr


def flat_track(x: np.ndarray, f0: float, sr: int = SR) -> tuple[np.ndarray, float]:
    """A pitch track voiced at ``f0`` everywhere, 10 ms hop from t = 0."""
    n = int(x.shape[0] / sr / 0.01) + 1
    return np.full(n, f0), 0.01


def praat() -> Any:
    import parselmouth  # a test dependency (the [test] extra)

    return parselmouth


# ----------------------------------------------------------------------------- kernels vs naive
@settings(max_examples=examples(25), deadline=None)
@given(
    n=st.integers(40, 400),
    half=st.integers(1, 30),
    seed=st.integers(0, 2**31),
    demean=st.booleans(),
)
def test_intensity_kernel_matches_naive(n: int, half: int, seed: int, demean: bool) -> None:
    from empathysignals._kernels.voice import intensity_db

    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n) * 0.1 + 0.05
    window = rng.uniform(0.1, 1.0, 2 * half + 1)
    centers = rng.integers(0, n, 12)  # centres inside, windows may overhang
    got = intensity_db(x, centers, window, demean)
    np.testing.assert_allclose(
        got, naive.intensity_db(list(x), list(centers), list(window), demean)
    )


@settings(max_examples=examples(40), deadline=None)
@given(
    periods=st.lists(st.floats(0.00005, 0.03), min_size=1, max_size=40),
)
def test_jitter_kernel_matches_naive(periods: list[float]) -> None:
    from empathysignals._kernels.voice import jitter_local

    t = np.concatenate([[0.1], 0.1 + np.cumsum(periods)])
    got = jitter_local(t, *LIMITS)
    want = naive.jitter_local(list(t), *LIMITS)
    if math.isnan(want):
        assert math.isnan(got)
    else:
        assert got == pytest.approx(want, rel=1e-9)


@settings(max_examples=examples(20), deadline=None)
@given(seed=st.integers(0, 2**31), n_pulses=st.integers(2, 30))
def test_shimmer_kernels_match_naive(seed: int, n_pulses: int) -> None:
    from empathysignals._kernels.voice import pulse_amplitudes, shimmer_local_db

    rng = np.random.default_rng(seed)
    x = rng.standard_normal(4000) * 0.1
    t = 0.01 + np.cumsum(rng.uniform(0.004, 0.009, n_pulses))
    at, amp = pulse_amplitudes(x, float(SR), t, *LIMITS)
    got = shimmer_local_db(at, amp, PERIOD_FLOOR_S, PERIOD_CEILING_S, MAX_AMPLITUDE_FACTOR)
    want = naive.shimmer_local_db(list(x), SR, list(t), *LIMITS, MAX_AMPLITUDE_FACTOR)
    if math.isnan(want):
        assert math.isnan(got)
    else:
        assert got == pytest.approx(want, rel=1e-9)


@settings(max_examples=examples(30), deadline=None)
@given(seed=st.integers(0, 2**31), x=st.floats(5.0, 54.0), depth=st.sampled_from([3, 30, 70]))
def test_sinc_interpolation_matches_naive(seed: int, x: float, depth: int) -> None:
    from empathysignals._kernels.voice import sinc_interpolate

    r = np.random.default_rng(seed).standard_normal(60)
    assert sinc_interpolate(r, x, depth) == pytest.approx(
        naive.sinc_interpolate(list(r), x, depth), abs=1e-9
    )


def test_hnr_autocorrelation_path_matches_direct_sums() -> None:
    """The FFT autocorrelation used for HNR equals direct sums over the frame."""
    from empathysignals._kernels.voice import hnr_frames

    rng = np.random.default_rng(3)
    x = rng.standard_normal(3000)
    window = np.hanning(400)
    frames, peaks = hnr_frames(x, np.array([1000, 1500]), window, 200, 100, 51)
    direct = naive.autocorrelation(list(frames[1]), 100)
    spec = np.fft.rfft(frames[1], 1024)
    fast = np.fft.irfft(np.abs(spec) ** 2, 1024)[:101]
    np.testing.assert_allclose(fast, direct, rtol=1e-9, atol=1e-9)
    assert peaks[1] == pytest.approx(np.abs(frames[1, 149:251]).max())


@settings(max_examples=examples(30), deadline=None)
@given(
    db=st.lists(st.floats(30.0, 80.0), min_size=3, max_size=80),
    threshold=st.floats(30.0, 80.0),
    dip=st.floats(0.5, 6.0),
    seed=st.integers(0, 2**31),
)
def test_syllable_kernels_match_naive(
    db: list[float], threshold: float, dip: float, seed: int
) -> None:
    from empathysignals._kernels.voice import sounding_mask, syllable_nuclei

    arr = np.array(db)
    voiced = np.random.default_rng(seed).random(arr.size) < 0.7
    f0 = np.where(voiced, 120.0, np.nan)
    times = 0.01 * np.arange(arr.size)  # frame i at the centre of pitch frame i
    got = syllable_nuclei(arr, times, threshold, dip, f0, 0.0, 0.01, arr.size * 0.01 + 1)
    assert list(got) == naive.syllable_nuclei(db, list(voiced), threshold, dip)
    assert list(sounding_mask(arr, threshold, 5, 3)) == naive.sounding_mask(db, threshold, 5, 3)


# ----------------------------------------------------------------------------- known answers
def test_intensity_of_a_tone_is_its_level() -> None:
    t = np.arange(SR) / SR
    x = (0.1 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    times, db = intensity(x, SR)
    want = 10 * math.log10(0.1**2 / 2 / 4e-10)  # 70.97 dB: mean square re (20 uPa)^2
    np.testing.assert_allclose(db, want, atol=0.01)
    assert np.all(np.diff(times) == pytest.approx(0.01))
    assert intensity(x, SR).mean_db() == pytest.approx(want, abs=0.01)


def test_intensity_of_silence_is_floor_and_short_input_empty() -> None:
    _, db = intensity(np.zeros(8000, dtype=np.float32), 8000)
    assert np.all(db == -300.0)
    times, db = intensity(np.zeros(100, dtype=np.float32), 8000)
    assert times.size == 0 and db.size == 0


@pytest.mark.parametrize("sr", [8000, 16000])
def test_jitter_of_alternating_periods_is_exact(sr: int) -> None:
    # Periods alternate 100 and 104 samples (at 16 kHz; half at 8 kHz): every consecutive
    # difference is 4 samples, the mean period 102, so jitter = 4 / 102.
    scale = sr / SR
    periods = np.tile([int(100 * scale), int(104 * scale)], 60)
    x, _ = pulse_train(periods, np.ones(periods.size + 1), sr=sr, lead=int(800 * scale))
    f0, hop = flat_track(x, sr / (102 * scale), sr)
    vq = voice_quality(x, sr, f0_hz=f0, hop_s=hop)
    assert vq.jitter_local == pytest.approx(4 / 102, rel=0.02)
    assert vq.n_pulses == pytest.approx(periods.size + 1, abs=2)


def test_shimmer_of_alternating_amplitudes_is_exact() -> None:
    # Amplitudes alternate 1 and 10^(1/20): every consecutive ratio is 1 dB.
    periods = np.full(120, 128)
    amps = np.tile([1.0, 10 ** (1 / 20)], 61)[:121]
    x, _ = pulse_train(periods, amps)
    f0, hop = flat_track(x, SR / 128)
    vq = voice_quality(x * 0.3, SR, f0_hz=f0, hop_s=hop)
    assert vq.shimmer_local_db == pytest.approx(1.0, abs=0.05)
    assert vq.jitter_local == pytest.approx(0.0, abs=1e-3)


@pytest.mark.parametrize("snr_db", [0.0, 10.0, 20.0])
def test_hnr_of_harmonics_in_white_noise_is_the_snr(snr_db: float) -> None:
    rng = np.random.default_rng(7)
    t = np.arange(2 * SR) / SR
    harm = sum(np.sin(2 * np.pi * 125 * k * t + k) / k for k in range(1, 20))
    noise = rng.standard_normal(t.size)
    noise *= math.sqrt(np.mean(harm**2) / np.mean(noise**2) / 10 ** (snr_db / 10))
    x = (0.1 * (harm + noise) / np.abs(harm + noise).max()).astype(np.float32)
    f0, hop = flat_track(x, 125.0)
    vq = voice_quality(x, SR, f0_hz=f0, hop_s=hop)
    # The autocorrelation peak of a periodic signal plus white noise is P / (P + N), so
    # 10 log10(r / (1 - r)) is the SNR (Boersma 1993); windowing costs a little at 20 dB.
    assert vq.hnr_db == pytest.approx(snr_db, abs=1.0)
    # Voiced throughout: searching only near the period finds Praat's peak (at 0 dB a
    # noise peak at another lag sometimes wins Praat's all-lag search: +0.2 dB at most).
    full = voice_quality(x, SR, f0_hz=f0, hop_s=hop, hnr_method="praat")
    assert vq.hnr_db == pytest.approx(full.hnr_db, abs=0.2)


def test_speaking_rate_of_digital_silence_is_undefined() -> None:
    """No signal, no phonation: the relative threshold (25 dB under the 99th percentile)
    had counted every frame of digital silence as sounding."""
    for rate in (8000, 16000):
        zeros = np.zeros(2 * rate, dtype=np.float32)
        f0 = np.full(201, np.nan)
        got = speaking_rate(zeros, rate, f0_hz=f0, hop_s=0.01)
        assert (got.syllables, got.phonation_time_s, got.speech_time_s) == (0, 0.0, 0.0)
        assert np.isnan(got.rate_per_phonation_s) and np.isnan(got.rate_per_speech_s)


def test_speaking_rate_counts_voiced_bursts() -> None:
    # Six 120 ms vowel-like bursts 250 ms apart, then a 600 ms pause, then four more.
    rng = np.random.default_rng(1)
    onsets = [0.2 + 0.25 * k for k in range(6)] + [2.17 + 0.25 * k for k in range(4)]
    dur = 3.3
    t = np.arange(int(dur * SR)) / SR
    x = 0.001 * rng.standard_normal(t.size)
    voiced = np.zeros(int(dur / 0.01) + 1, dtype=bool)
    for o in onsets:
        m = (t >= o) & (t < o + 0.12)
        env = np.sin(np.pi * (t[m] - o) / 0.12)
        x[m] += 0.2 * env * sum(np.sin(2 * np.pi * 120 * k * t[m]) / k for k in range(1, 8))
        voiced[int(o / 0.01) : int((o + 0.12) / 0.01) + 1] = True
    f0 = np.where(voiced, 120.0, np.nan)
    sr_ = speaking_rate(x.astype(np.float32), SR, f0_hz=f0, hop_s=0.01)
    assert sr_.syllables == 10
    assert sr_.speech_time_s == pytest.approx(onsets[-1] + 0.12 - onsets[0], abs=0.1)
    # The 0.6 s pause is not phonation (give or take the 128 ms intensity window); the
    # 0.13 s gaps between bursts are.
    assert sr_.phonation_time_s == pytest.approx(sr_.speech_time_s - 0.6, abs=0.15)
    assert sr_.rate_per_phonation_s > sr_.rate_per_speech_s


def test_pitch_stats_of_a_glide() -> None:
    # One octave up over one second: +12 semitones/s; uniform in semitones.
    t = np.arange(101) * 0.01
    f0 = 100 * 2**t
    f0[::10] = np.nan  # unvoiced frames are skipped
    ps = pitch_stats(f0, hop_s=0.01)
    assert ps.slope_semitones_per_s == pytest.approx(12.0, rel=1e-6)
    assert ps.range_semitones == pytest.approx(0.9 * 12, abs=0.3)
    assert ps.sd_semitones == pytest.approx(12 / math.sqrt(12), rel=0.02)
    assert ps.n_voiced == 90
    assert math.isnan(pitch_stats(np.full(5, np.nan), hop_s=0.01).mean_hz)


# ----------------------------------------------------------------------------- bad input
def test_bad_input_raises_typed_errors() -> None:
    x = np.zeros(16000, dtype=np.float32)
    f0 = np.full(101, 120.0)
    with pytest.raises(AudioError, match="NaN"):
        intensity(np.full(100, np.nan, dtype=np.float32), SR)
    with pytest.raises(AudioError, match="dtype"):
        intensity(np.zeros(100, dtype=np.complex64), SR)
    with pytest.raises(AudioError, match="channel"):
        intensity(np.zeros((100, 2), dtype=np.float32), SR)
    with pytest.raises(AudioError, match="sample_rate"):
        intensity(x, 100)
    with pytest.raises(ParameterError, match="hop_s"):
        intensity(x, SR, hop_s=0.0)
    with pytest.raises(ParameterError, match="does not match the audio"):
        voice_quality(x, SR, f0_hz=np.full(300, 120.0), hop_s=0.01)
    with pytest.raises(ParameterError, match="does not match the audio"):
        speaking_rate(x, SR, f0_hz=np.full(20, 120.0), hop_s=0.01)
    with pytest.raises(ParameterError, match="negative or infinite"):
        voice_quality(x, SR, f0_hz=-f0, hop_s=0.01)
    with pytest.raises(ParameterError, match="1-D"):
        voice_quality(x, SR, f0_hz=f0[None, :], hop_s=0.01)
    with pytest.raises(ParameterError, match="Nyquist"):
        voice_quality(x, SR, f0_hz=f0 * 100, hop_s=0.01)
    with pytest.raises(ParameterError, match="silence_db"):
        speaking_rate(x, SR, f0_hz=f0, hop_s=0.01, silence_db=3.0)
    with pytest.raises(ParameterError, match="hop_s"):
        pitch_stats(f0, hop_s=-1)
    with pytest.raises(ParameterError, match="hnr_method"):
        voice_quality(x, SR, f0_hz=f0, hop_s=0.01, hnr_method="cc")  # type: ignore[arg-type]


def test_unvoiced_or_silent_input_gives_nan_not_errors() -> None:
    x = np.zeros(16000, dtype=np.float32)
    vq = voice_quality(x, SR, f0_hz=np.zeros(101), hop_s=0.01)
    assert math.isnan(vq.jitter_local) and math.isnan(vq.shimmer_local_db)
    assert math.isnan(vq.hnr_db) and vq.n_pulses == 0
    sr_ = speaking_rate(x, SR, f0_hz=np.zeros(101), hop_s=0.01)
    assert sr_.syllables == 0


# ----------------------------------------------------------------------------- real speech
def _praat_reference(path: Path) -> tuple[np.ndarray, int, Any, tuple[float, ...]]:
    pm = praat()
    from parselmouth.praat import call

    snd = pm.Sound(str(path))
    x = snd.values[0].astype(np.float32)
    pitch = snd.to_pitch_ac(time_step=0.01, pitch_floor=75.0, pitch_ceiling=600.0)
    pp = call([snd, pitch], "To PointProcess (cc)")
    hnr = snd.to_harmonicity_ac(0.01, 75.0, 0.1, 4.5).values[0]
    ref = (
        call(pp, "Get jitter (local)", 0, 0, *LIMITS),
        call([snd, pp], "Get shimmer (local_dB)", 0, 0, *LIMITS, MAX_AMPLITUDE_FACTOR),
        float(hnr[hnr != -200].mean()),
        call(snd.to_intensity(), "Get mean", 0, 0, "energy"),
    )
    return x, int(snd.sampling_frequency), pitch, ref


def test_agrees_with_praat_on_real_speech(data_dir: Path) -> None:
    """Eight LibriSpeech utterances: jitter, shimmer, HNR (both methods) and mean intensity
    correlate with Praat's at r >= 0.9 (the issue's target); with ``hnr_method="praat"``
    every measure agrees per file within 5 % (they re-implement Praat's algorithms and get
    Praat's pitch track). The default HNR averages only pitch-voiced frames, so it is not
    held to Praat's level, only to its ranking."""
    files = sorted((data_dir / "speech" / "librispeech_test-other").glob("*/*.flac"))[:80:10]
    ours, refs = [], []
    for path in files:
        x, sr, pitch, ref = _praat_reference(path)
        f0 = pitch.selected_array["frequency"]
        tr = {"f0_hz": f0, "hop_s": pitch.time_step, "f0_start_s": pitch.xs()[0]}
        vq = voice_quality(x, sr, **tr, hnr_method="praat")
        fast = voice_quality(x, sr, **tr).hnr_db
        ours.append(
            (vq.jitter_local, vq.shimmer_local_db, vq.hnr_db, intensity(x, sr).mean_db(), fast)
        )
        refs.append((*ref, ref[2]))
    a, b = np.array(ours), np.array(refs)
    for k in range(5):
        assert np.corrcoef(a[:, k], b[:, k])[0, 1] >= 0.9
    np.testing.assert_allclose(a[:, :3], b[:, :3], rtol=0.05)
    np.testing.assert_allclose(a[:, 3], b[:, 3], atol=0.2)  # dB


def test_speaking_rate_on_emodb_tune_speaker(data_dir: Path) -> None:
    """Complete EmoDB files of speaker 03 (a tuning speaker): syllables per second of speech
    are within 15 % of the reference on average, the upper estimate of the just noticeable
    difference in speech tempo (Quene 2007: 10-15 %). '(' marks a pause and '.' the end of
    speech in the syllable files: neither is a syllable."""
    import csv

    pm = praat()
    root = data_dir / "emotional_speech" / "emodb"
    with (root / "manifest.csv").open() as fh:
        rows = [
            r for r in csv.DictReader(fh) if r["speaker"] == "03" and r["truncated_at_2s"] == "0"
        ]
    errors = []
    for r in rows[:6]:
        snd = pm.Sound(str(root / r["file"]))
        pitch = snd.to_pitch_ac(0.01, 30.0, 4, False, 0.03, 0.25, 0.01, 0.35, 0.25, 450.0)
        lines = (root / r["syllable_file"]).read_text(encoding="latin-1").split("\n")
        n_ref = sum(1 for ln in lines if len(ln.split()) > 1 and ln.split()[1] not in "(.")
        got = speaking_rate(
            snd.values[0],
            int(snd.sampling_frequency),
            f0_hz=pitch.selected_array["frequency"],
            hop_s=0.01,
            f0_start_s=pitch.xs()[0],
        )
        want = n_ref / (float(r["speech_end_s"]) - float(r["speech_start_s"]))
        errors.append(got.rate_per_speech_s / want - 1.0)
    assert np.mean(np.abs(errors)) <= 0.15


@settings(max_examples=examples(15), deadline=None)
@given(seed=st.integers(0, 2**31), f0=st.floats(90.0, 260.0))
def test_voice_sums_give_naive_jitter_and_shimmer(seed: int, f0: float) -> None:
    """The per-stretch sums the Analyzer keeps recombine to Praat's jitter and shimmer of
    the same pulses (naive references), so turns combine stretches exactly."""
    from empathysignals._kernels.prosody import (
        VS_JIT_N,
        VS_JIT_SUM,
        VS_PER_N,
        VS_PER_SUM,
        VS_SHIM_N,
        VS_SHIM_SUM,
        voice_sums,
    )  # fmt: skip
    from empathysignals._kernels.voice import pulses

    rng = np.random.default_rng(seed)
    n = SR // 2
    t = np.arange(n) / SR
    # A jittered glottal-like source: a pulse train with random period and amplitude.
    phase = np.cumsum(f0 * (1 + 0.02 * rng.standard_normal(n)) / SR)
    x = np.sin(2 * np.pi * phase) * (1 + 0.1 * rng.standard_normal(n)).clip(0.5, 1.5)
    x += 0.3 * np.sin(4 * np.pi * phase) + 0.01 * rng.standard_normal(n)
    hop = 0.01
    track = np.full(round(t[-1] / hop) + 1, f0)
    sums = voice_sums(x, float(SR), track, 0.0, hop, *LIMITS, MAX_AMPLITUDE_FACTOR)
    marks = pulses(x, float(SR), track, 0.0, hop)
    want_jitter = naive.jitter_local(list(marks), *LIMITS)
    want_shimmer = naive.shimmer_local_db(list(x), SR, list(marks), *LIMITS, MAX_AMPLITUDE_FACTOR)
    assert sums[VS_JIT_N] > 10 and sums[VS_SHIM_N] > 10
    jitter = (sums[VS_JIT_SUM] / sums[VS_JIT_N]) / (sums[VS_PER_SUM] / sums[VS_PER_N])
    assert jitter == pytest.approx(want_jitter, rel=1e-9)
    assert 20 * sums[VS_SHIM_SUM] / sums[VS_SHIM_N] == pytest.approx(want_shimmer, rel=1e-9)
