"""BS.1770 K-weighting and the streaming K-weighted frame power."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

from depth import examples
from empathysignals._kernels.loudness import KW_COUNT, KW_STATE_SIZE, KW_SUM, k_weighted_frames
from empathysignals.prosody.loudness import LUFS_OFFSET_DB, k_weighting

# ITU-R BS.1770-4, Table 1 and Table 2: the coefficients at 48 kHz.
PUBLISHED_48K = [
    1.53512485958697, -2.69169618940638, 1.19839281085285, -1.69065929318241,
    0.73248077421585, 1.0, -2.0, 1.0, -1.99004745483398, 0.99007225036621,
]  # fmt: skip


def test_48k_coefficients_are_the_published_ones() -> None:
    np.testing.assert_allclose(k_weighting(48000), PUBLISHED_48K, atol=1e-12)


def frames_in_one_go(x: np.ndarray, rate: int) -> np.ndarray:
    """Plain reference: scipy filters, then per-frame means on integer boundaries, the
    last partial frame included."""
    c = k_weighting(rate)
    y = signal.lfilter(c[5:8], [1.0, *c[8:10]], signal.lfilter(c[:3], [1.0, *c[3:5]], x))
    frame = (np.arange(len(x)) * 100) // rate
    return np.array([np.mean(y[frame == f] ** 2) for f in range(frame[-1] + 1)])


def run_chunked(x: np.ndarray, rate: int, cuts: list[int]) -> np.ndarray:
    state = np.zeros(KW_STATE_SIZE)
    out = []
    bounds = [0, *sorted(set(cuts)), len(x)]
    for a, b in itertools.pairwise(bounds):
        power, state = k_weighted_frames(x[a:b], k_weighting(rate), state, a, rate, 100)
        out.append(power)
    if state[KW_COUNT] > 0:
        out.append(np.array([state[KW_SUM] / state[KW_COUNT]]))
    return np.concatenate(out)


@settings(max_examples=examples(30), deadline=None)
@given(
    st.sampled_from([8000, 16000, 22050, 44100]),
    st.integers(0, 2**32 - 1),
    st.lists(st.integers(1, 2999), max_size=6),
)
def test_frames_match_reference_for_any_chunking(rate: int, seed: int, cuts: list[int]) -> None:
    x = np.random.default_rng(seed).standard_normal(3000) * 0.1
    want = frames_in_one_go(x, rate)
    got = run_chunked(x, rate, cuts)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize(("rate", "tolerance"), [(48000, 0.01), (16000, 0.06), (8000, 0.03)])
def test_full_scale_997_hz_sine_reads_minus_3_01_lufs(rate: int, tolerance: float) -> None:
    t = np.arange(rate * 2) / rate
    x = np.sin(2 * math.pi * 997 * t)
    power = run_chunked(x, rate, [rate // 3])[20:-1]  # past the filters' start
    lufs = LUFS_OFFSET_DB + 10 * math.log10(power.mean())
    assert lufs == pytest.approx(-3.01, abs=tolerance)


def test_low_rumble_counts_less_than_presence_band() -> None:
    # Same signal power at 30 Hz and at 3 kHz: K-weighting hears the 3 kHz tone louder.
    rate = 16000
    t = np.arange(rate) / rate
    low = run_chunked(np.sin(2 * math.pi * 30 * t), rate, [])[20:-1].mean()
    high = run_chunked(np.sin(2 * math.pi * 3000 * t), rate, [])[20:-1].mean()
    assert 10 * math.log10(high / low) > 4.0
