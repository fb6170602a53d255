"""Polyphase FIR resampling kernel (rational factor up/down), zero-phase alignment."""

from __future__ import annotations

import numpy as np

from ._jit import njit


@njit
def resample_block(
    buf: np.ndarray,
    buf_first: int,
    taps: np.ndarray,
    up: int,
    down: int,
    half_len: int,
    k_first: int,
    k_stop: int,
) -> np.ndarray:
    """Output samples ``k_first..k_stop-1`` of ``resample_poly``-style filtering.

    ``buf[i]`` holds input sample ``buf_first + i``; samples outside ``buf`` are zero.
    Output ``k`` sits at upsampled index ``k*down`` and uses the symmetric filter centred
    there, so the output is aligned with the input (no group delay).
    """
    n_out = k_stop - k_first
    out = np.zeros(n_out, dtype=np.float32)
    n_taps = taps.shape[0]
    n_buf = buf.shape[0]
    for o in range(n_out):
        centre = (k_first + o) * down + half_len  # upsampled index hit by taps[0]
        # Input n contributes at upsampled index n*up; tap index j = centre - n*up.
        n_hi = centre // up
        n_lo_num = centre - (n_taps - 1)
        n_lo = -((-n_lo_num) // up)  # ceil division
        acc = 0.0
        for n in range(n_lo, n_hi + 1):
            i = n - buf_first
            if i < 0 or i >= n_buf:
                continue
            acc += taps[centre - n * up] * buf[i]
        out[o] = acc * up
    return out
