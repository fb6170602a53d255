"""Input checks in one pass over the samples."""

from __future__ import annotations

import numpy as np

from ._jit import njit


@njit
def finite_and_peak(x: np.ndarray) -> tuple[bool, float]:
    """Whether every value of the float32 array ``x`` is finite, and its peak magnitude."""
    peak = 0.0
    flat = x.ravel()
    for i in range(flat.shape[0]):
        v = float(flat[i])
        if not np.isfinite(v):
            return False, np.inf
        if v > peak:
            peak = v
        elif -v > peak:
            peak = -v
    return True, peak
