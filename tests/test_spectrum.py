"""Spectral balance (alpha ratio, Hammarberg index) against a plain reference."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

from depth import examples
from empathysignals.prosody.spectrum import balance_from_sums, spectral_balance_sums
from empathysignals.prosody.turns import utterance_prosody


def naive_sums(x: list[float], rate: int) -> list[float]:
    """Block by block, bin by bin."""
    n = round(0.032 * rate)
    hop = n // 2
    window = np.hanning(n)
    out = [0.0, 0.0, 0.0, 0.0]
    start = 0
    while start + n <= len(x):
        power = np.abs(np.fft.rfft(np.array(x[start : start + n]) * window)) ** 2
        low = high = peak_low = peak_high = 0.0
        for k, p in enumerate(power):
            f = k * rate / n
            if 50 <= f < 1000:
                low += p
            if 1000 <= f < 4000:
                high += p
            if f < 2000:
                peak_low = max(peak_low, p)
            elif f < 4000:
                peak_high = max(peak_high, p)
        out = [out[0] + low, out[1] + high, out[2] + peak_low, out[3] + peak_high]
        start += hop
    return out


@settings(max_examples=examples(25), deadline=None)
@given(
    st.sampled_from([8000, 16000, 22050, 48000]), st.integers(0, 2**32 - 1), st.integers(0, 3000)
)
def test_sums_match_naive(rate: int, seed: int, extra: int) -> None:
    x = np.random.default_rng(seed).standard_normal(round(0.032 * rate) + extra)
    np.testing.assert_allclose(spectral_balance_sums(x, rate), naive_sums(list(x), rate), rtol=1e-9)


def test_short_input_gives_zeros_and_no_values() -> None:
    sums = spectral_balance_sums(np.ones(100), 16000)
    assert sums.tolist() == [0.0, 0.0, 0.0, 0.0]
    assert balance_from_sums(sums) == (None, None)


@pytest.mark.parametrize("rate", [8000, 16000])
def test_brighter_voice_has_lower_alpha_ratio_and_hammarberg(rate: int) -> None:
    # A pulse train (a crude voice at 120 Hz) through a steeper or shallower spectral tilt.
    t = np.arange(rate) / rate
    pulses = (np.diff(np.floor(t * 120), prepend=0) > 0).astype(float)
    dark = signal.lfilter([1.0], [1.0, -0.95], pulses)  # -6 dB/octave above ~130 Hz
    bright = signal.lfilter([1.0], [1.0, -0.5], pulses)
    a_dark, h_dark = balance_from_sums(spectral_balance_sums(dark, rate))
    a_bright, h_bright = balance_from_sums(spectral_balance_sums(bright, rate))
    assert a_dark is not None and a_bright is not None and h_dark is not None
    assert h_bright is not None
    assert a_bright < a_dark - 3 and h_bright < h_dark - 3


def test_sums_of_halves_give_the_whole_ratio() -> None:
    # A turn's value is a ratio of sums over its stretches: the same as one stretch when the
    # blocks are the same.
    rate = 16000
    n = round(0.032 * rate)
    x = np.random.default_rng(1).standard_normal(n * 20)
    first, second = x[: n * 10], x[n * 10 - n // 2 :]  # overlapping at one block boundary
    whole = spectral_balance_sums(x, rate)
    parts = spectral_balance_sums(first, rate) + spectral_balance_sums(second, rate)
    np.testing.assert_allclose(parts, whole, rtol=1e-9)


def test_utterance_fields_follow_the_stretches(data_dir: object) -> None:
    """On real speech the turn fields equal the ratio of the summed stretch sums: here
    checked against one call on all voiced audio, within the error of cutting blocks at
    stretch edges."""
    import csv
    from pathlib import Path

    import soundfile as sf

    from empathysignals.prosody.pitch import pitch

    root = Path(str(data_dir)) / "speech"
    with (root / "manifest.csv").open() as fh:
        row = next(r for r in csv.DictReader(fh) if "librispeech" in r["file"])
    x, rate = sf.read(root / row["file"], dtype="float64")
    p = utterance_prosody(x, rate)
    track = pitch(x, rate)
    voiced = np.repeat(np.isfinite(track.f0_hz), round(0.01 * rate))
    keep = x[: len(voiced)][voiced[: len(x)]]
    alpha, hammarberg = balance_from_sums(spectral_balance_sums(keep, rate))
    assert p["alpha_ratio_db"] == pytest.approx(alpha, abs=1.5)
    assert p["hammarberg_db"] == pytest.approx(hammarberg, abs=2.0)
    assert math.isfinite(p["alpha_ratio_db"])
