"""Every kernel against its naive reference (tests/naive.py) or scipy."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import resample_poly

import naive
from empathysignals.audio import StreamingResampler, resample
from empathysignals.detectors.voice_activity import _highpass_200hz


def test_frame_features_match_naive() -> None:
    from empathysignals._kernels.vad import frame_features

    rng = np.random.default_rng(1)
    x = (rng.standard_normal(800) * 0.1).astype(np.float32)
    x[400:480] = 0.0  # a silent frame: -120 dB, no NaN
    b, a = _highpass_200hz()
    energy, zcr, _ = frame_features(x, b, a, np.zeros(5))
    ref_e, ref_z = naive.frame_features(x, b, a)
    np.testing.assert_allclose(energy, ref_e, atol=1e-9)
    np.testing.assert_allclose(zcr, ref_z)


def test_frame_features_carry_state_across_calls() -> None:
    from empathysignals._kernels.vad import frame_features

    rng = np.random.default_rng(2)
    x = (rng.standard_normal(1600) * 0.1).astype(np.float32)
    b, a = _highpass_200hz()
    whole, _, _ = frame_features(x, b, a, np.zeros(5))
    e1, _, st1 = frame_features(x[:720], b, a, np.zeros(5))
    e2, _, _ = frame_features(x[720:], b, a, st1)
    np.testing.assert_array_equal(np.concatenate([e1, e2]), whole)


def test_music_scores_match_naive() -> None:
    from empathysignals._kernels.vad import music_block_scores

    rng = np.random.default_rng(3)
    energy = rng.uniform(-70, -10, 400)
    floor = -55.0
    weights = np.array([0.3, -0.2, -0.5, -1.0, 2.0, 0.05])
    p = music_block_scores(energy, floor, 150, 5, 100, 20, 10, weights)
    for j in range(10):
        stop = 150 + 5 * j + 20
        f = naive.music_features(energy[stop - 100 : stop].tolist(), floor)
        z = weights[0] + float(np.dot(weights[1:], f))
        assert p[j] == pytest.approx(1 / (1 + np.exp(-z)), rel=1e-9)


@pytest.mark.parametrize("rate", [11025, 16000, 22050, 44100, 48000])
def test_resampler_matches_scipy_resample_poly(rate: int) -> None:
    rng = np.random.default_rng(rate)
    x = (rng.standard_normal(rate // 2) * 0.1).astype(np.float32)
    ratio = Fraction(8000, rate)
    ref = resample_poly(x.astype(np.float64), ratio.numerator, ratio.denominator)
    np.testing.assert_allclose(resample(x, rate, 8000), ref, atol=1e-6)


@settings(deadline=None, max_examples=25)
@given(
    rate=st.sampled_from([16000, 44100, 48000]),
    cuts=st.lists(st.integers(min_value=1, max_value=7999), max_size=12),
)
def test_resampler_is_chunk_independent(rate: int, cuts: list[int]) -> None:
    x = np.sin(np.arange(8000) * 0.05).astype(np.float32)
    whole = resample(x, rate, 8000)
    rs = StreamingResampler(rate, 8000)
    bounds = [0, *sorted(set(cuts)), len(x)]
    parts = [rs.process(x[a:b]) for a, b in itertools.pairwise(bounds)]
    np.testing.assert_array_equal(np.concatenate([*parts, rs.finish()]), whole)
