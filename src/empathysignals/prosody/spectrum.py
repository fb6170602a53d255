"""Spectral balance of voiced speech: alpha ratio and Hammarberg index, as summable sums.

Vocal effort tilts the voice spectrum: a raised, tense voice puts relatively more energy
above 1 kHz, so both measures fall as arousal rises (Hammarberg et al. 1980; eGeMAPS,
Eyben et al. 2016, where both are part of the minimalistic parameter set). eGeMAPS measures
the high band to 5 kHz; here every band stops at 4 kHz so that 8 kHz telephone legs and
wideband audio give comparable values.

The per-turn values are ratios of sums over 32 ms Hann blocks of a turn's voiced stretches,
so a stream keeps four numbers per stretch and a turn combines its stretches exactly.
"""

from __future__ import annotations

import functools
import math

import numpy as np

__all__ = ["balance_from_sums", "spectral_balance_sums"]

_BLOCK_S = 0.032
_ALPHA_LOW_HZ = (50.0, 1000.0)
_ALPHA_HIGH_HZ = (1000.0, 4000.0)
_HAMMARBERG_SPLIT_HZ = 2000.0
_TOP_HZ = 4000.0


@functools.lru_cache(maxsize=16)
def _layout(sample_rate: int) -> tuple[int, np.ndarray, tuple[slice, slice, slice, slice]]:
    """Block length, Hann window (read-only) and the four bands' bin slices at a rate: pure
    constants, memoized because turns analyse many short stretches."""
    n = round(_BLOCK_S * sample_rate)
    window = np.hanning(n)
    window.setflags(write=False)

    def bin_at(hz: float) -> int:  # first bin at or above hz
        return min(n // 2 + 1, math.ceil(hz * n / sample_rate))

    bands = (
        slice(bin_at(_ALPHA_LOW_HZ[0]), bin_at(_ALPHA_LOW_HZ[1])),
        slice(bin_at(_ALPHA_HIGH_HZ[0]), bin_at(_ALPHA_HIGH_HZ[1])),
        slice(0, bin_at(_HAMMARBERG_SPLIT_HZ)),
        slice(bin_at(_HAMMARBERG_SPLIT_HZ), bin_at(_TOP_HZ)),
    )
    return n, window, bands


def spectral_balance_sums(x: np.ndarray, sample_rate: int) -> np.ndarray:
    """Band sums of the power spectra of 32 ms Hann blocks (50 % overlap) of ``x``.

    Parameters
    ----------
    x : np.ndarray, shape (n,)
        Voiced audio at ``sample_rate``; shorter than one block gives zeros.
    sample_rate : int
        Hz, >= 8000.

    Returns
    -------
    np.ndarray, shape (4,)
        Summed over blocks: power in 50-1000 Hz, power in 1-4 kHz, the strongest bin's
        power in 0-2 kHz, and in 2-4 kHz.
    """
    n, window, (low, high, below, above) = _layout(int(sample_rate))
    out = np.zeros(4)
    if x.shape[0] < n:
        return out
    hop = n // 2
    count = 1 + (x.shape[0] - n) // hop
    x = np.ascontiguousarray(x, dtype=np.float64)
    blocks = np.lib.stride_tricks.as_strided(
        x, shape=(count, n), strides=(hop * x.strides[0], x.strides[0]), writeable=False
    )
    spectrum = np.fft.rfft(blocks * window, axis=1)
    power = spectrum.real**2 + spectrum.imag**2
    out[0] = power[:, low].sum()
    out[1] = power[:, high].sum()
    out[2] = power[:, below].max(axis=1).sum()
    out[3] = power[:, above].max(axis=1).sum()
    return out


def balance_from_sums(sums: np.ndarray) -> tuple[float | None, float | None]:
    """``(alpha_ratio_db, hammarberg_db)`` from (summed) :func:`spectral_balance_sums`.

    Alpha ratio: 10 log10 of the 50-1000 Hz power over the 1-4 kHz power. Hammarberg
    index: 10 log10 of the strongest 0-2 kHz bin's power over the strongest 2-4 kHz bin's
    (dB, block averages). ``None`` where a band is empty.
    """
    alpha = 10.0 * math.log10(sums[0] / sums[1]) if sums[0] > 0 and sums[1] > 0 else None
    hammarberg = 10.0 * math.log10(sums[2] / sums[3]) if sums[2] > 0 and sums[3] > 0 else None
    return alpha, hammarberg
