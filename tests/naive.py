"""Naive pure-Python references of the numba kernels (slow, obviously right)."""

from __future__ import annotations

import math

import numpy as np


def frame_features(x: np.ndarray, b: np.ndarray, a: np.ndarray) -> tuple[list[float], list[float]]:
    """Biquad high-pass, then per 80-sample frame: energy in dB and zero-crossing rate."""
    y = []
    x1 = x2 = y1 = y2 = 0.0
    for xi in map(float, x):
        yi = b[0] * xi + b[1] * x1 + b[2] * x2 - a[1] * y1 - a[2] * y2
        x2, x1, y2, y1 = x1, xi, y1, yi
        y.append(yi)
    energy, zcr = [], []
    prev = 0.0
    for f in range(len(x) // 80):
        frame = y[f * 80 : (f + 1) * 80]
        p = sum(v * v for v in frame) / 80
        energy.append(10 * math.log10(p) if p > 1e-12 else -120.0)
        crossings = 0
        for v in frame:
            crossings += (v >= 0) != (prev >= 0)
            prev = v
        zcr.append(crossings / 80)
    return energy, zcr


def music_features(window: list[float], floor: float) -> tuple[float, float, float, float, float]:
    """Energy sd, mean flux, low-energy fraction, active fraction, mean above floor."""
    e = [max(v, floor) for v in window]
    mean = sum(e) / len(e)
    sd = math.sqrt(max(0.0, sum(v * v for v in e) / len(e) - mean * mean))
    flux = sum(abs(e[i] - e[i - 1]) for i in range(1, len(e))) / (len(e) - 1)
    low = sum(v < mean - 6 for v in e) / len(e)
    active = sum(v > floor + 6 for v in e) / len(e)
    return sd, flux, low, active, mean - floor
