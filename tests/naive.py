"""Naive pure-Python references of the numba kernels (slow, obviously right)."""

from __future__ import annotations

import math

import numpy as np


def frame_features(x: np.ndarray, b: np.ndarray, a: np.ndarray) -> tuple[list[float], list[float]]:
    """Biquad high-pass, then per 80-sample frame the energy in dB; and the filtered signal
    with sample pairs averaged (4 kHz)."""
    y = []
    x1 = x2 = y1 = y2 = 0.0
    for xi in map(float, x):
        yi = b[0] * xi + b[1] * x1 + b[2] * x2 - a[1] * y1 - a[2] * y2
        x2, x1, y2, y1 = x1, xi, y1, yi
        y.append(yi)
    energy = []
    for f in range(len(x) // 80):
        frame = y[f * 80 : (f + 1) * 80]
        p = sum(v * v for v in frame) / 80
        energy.append(10 * math.log10(p) if p > 1e-12 else -120.0)
    dec = [(y[2 * k] + y[2 * k + 1]) / 2 for k in range(len(x) // 2)]
    return energy, dec


def music_score(energy: list[float], flux: list[float], floor: float, flux_max: float) -> float:
    """Fraction of stable blocks, or 0 when the frames are within 6 dB of the noise."""
    level = sum(max(e, floor) for e in energy) / len(energy)
    if level < floor + 6.0:
        return 0.0
    return sum(f <= flux_max for f in flux) / len(flux)


def voicing(x: list[float], min_lag: int, max_lag: int) -> float:
    """Peak normalized autocorrelation over lags ``min_lag..max_lag``."""
    best = 0.0
    for lag in range(min_lag, max_lag + 1):
        a, b = x[: len(x) - lag], x[lag:]
        num = sum(p * q for p, q in zip(a, b, strict=True))
        den = math.sqrt(sum(p * p for p in a) * sum(q * q for q in b))
        if den > 0:
            best = max(best, num / den)
    return best
