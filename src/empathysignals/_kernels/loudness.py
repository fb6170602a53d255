"""K-weighted frame power (ITU-R BS.1770), streaming.

Two biquads (the "pre-filter" high shelf and the RLB high-pass) run over the input at its
own rate; the squared output is averaged per frame, frame ``f`` holding the samples ``k``
with ``(k * frames_per_s) // rate == f`` (exact integer arithmetic, so chunking never moves
a boundary).
"""

from __future__ import annotations

import numpy as np

from ._jit import njit

# State layout: stage-1 x1, x2, y1, y2, stage-2 z1, z2, then the open frame's index, its
# sum of squares and its sample count.
KW_X1, KW_X2, KW_Y1, KW_Y2, KW_Z1, KW_Z2, KW_FRAME, KW_SUM, KW_COUNT = range(9)
KW_STATE_SIZE = 9


@njit
def k_weighted_frames(
    x: np.ndarray,
    coef: np.ndarray,
    state: np.ndarray,
    first_sample: int,
    rate: int,
    frames_per_s: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Mean K-weighted power of every 10 ms frame completed by ``x``.

    Parameters
    ----------
    x : (n,) float64
        Samples ``first_sample ...`` of one channel.
    coef : (10,) float64
        ``b0, b1, b2, a1, a2`` of the shelf, then of the high-pass (``a0`` = 1).
    state : (KW_STATE_SIZE,) float64
        Copied and returned updated; zeros for a new stream.
    first_sample : int
        Absolute index of ``x[0]``.
    rate : int
        Sample rate, Hz.
    frames_per_s : int
        100 for 10 ms frames.

    Returns
    -------
    power : (m,) float64
        Mean square of the K-weighted signal of the frames completed, in order; the
        first is frame ``state[KW_FRAME]`` as passed in.
    state : (KW_STATE_SIZE,) float64
    """
    st = state.copy()
    b0, b1, b2, a1, a2 = coef[0], coef[1], coef[2], coef[3], coef[4]
    c0, c1, c2, d1, d2 = coef[5], coef[6], coef[7], coef[8], coef[9]
    x1, x2, y1, y2, z1, z2 = st[KW_X1], st[KW_X2], st[KW_Y1], st[KW_Y2], st[KW_Z1], st[KW_Z2]
    frame = int(st[KW_FRAME])
    acc = st[KW_SUM]
    count = st[KW_COUNT]
    n = x.shape[0]
    last = ((first_sample + n) * frames_per_s) // rate  # frame of the sample after x
    out = np.empty(max(0, last - frame + 1), dtype=np.float64)
    m = 0
    # A tiny alternating offset keeps the filter states out of denormal numbers (10-100x
    # slower) in digital silence; it is ~-360 dB.
    tiny = 1e-18
    for j in range(n):
        f = ((first_sample + j) * frames_per_s) // rate
        if f != frame:
            out[m] = acc / count if count > 0 else 0.0
            m += 1
            frame = f
            acc = 0.0
            count = 0.0
        xi = x[j] + (tiny if (first_sample + j) % 2 == 0 else -tiny)
        y = b0 * xi + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
        z = c0 * y + c1 * y1 + c2 * y2 - d1 * z1 - d2 * z2
        x2, x1 = x1, xi
        z2, z1 = z1, z
        y2, y1 = y1, y
        acc += z * z
        count += 1.0
    st[KW_X1], st[KW_X2], st[KW_Y1], st[KW_Y2], st[KW_Z1], st[KW_Z2] = x1, x2, y1, y2, z1, z2
    st[KW_FRAME] = frame
    st[KW_SUM] = acc
    st[KW_COUNT] = count
    return out[:m], st
