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

import math

import numpy as np

__all__ = ["BALANCE_FIELDS", "balance_from_sums", "spectral_balance_sums"]

#: Order of the sums :func:`spectral_balance_sums` returns.
BALANCE_FIELDS = ("low_power", "high_power", "low_peak", "high_peak")
_BLOCK_S = 0.032
_ALPHA_LOW_HZ = (50.0, 1000.0)
_ALPHA_HIGH_HZ = (1000.0, 4000.0)
_HAMMARBERG_SPLIT_HZ = 2000.0
_TOP_HZ = 4000.0


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
        power in 0-2 kHz, and in 2-4 kHz (see :data:`BALANCE_FIELDS`).
    """
    n = round(_BLOCK_S * sample_rate)
    out = np.zeros(4)
    if x.shape[0] < n:
        return out
    hop = n // 2
    count = 1 + (x.shape[0] - n) // hop
    blocks = np.lib.stride_tricks.as_strided(
        np.ascontiguousarray(x, dtype=np.float64),
        shape=(count, n),
        strides=(hop * 8, 8),
        writeable=False,
    )
    power = np.abs(np.fft.rfft(blocks * np.hanning(n), axis=1)) ** 2
    freqs = np.fft.rfftfreq(n, 1.0 / sample_rate)
    low = (freqs >= _ALPHA_LOW_HZ[0]) & (freqs < _ALPHA_LOW_HZ[1])
    high = (freqs >= _ALPHA_HIGH_HZ[0]) & (freqs < _ALPHA_HIGH_HZ[1])
    below = freqs < _HAMMARBERG_SPLIT_HZ
    above = (freqs >= _HAMMARBERG_SPLIT_HZ) & (freqs < _TOP_HZ)
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
