"""Naive pure-Python references of the pitch kernels (slow, obviously right)."""

from __future__ import annotations

import math

import numpy as np


def candidates(
    x: list[float],
    start: int,
    width: int,
    lag_lo: int,
    lag_hi: int,
    n_cand: int,
    octave_cost: float = 0.0,
) -> tuple[list[float], list[float], float]:
    """Periodicity ``2 r / (e0 + e_lag)`` of the window ``x[start:start + width]`` against
    itself shifted by each lag; its local maxima over ``lag_lo..lag_hi`` refined by a
    parabola, strongest first: peak less ``octave_cost`` per octave of lag over ``lag_lo``.
    Returns (lags, peaks, window energy)."""

    def energy(a: int) -> float:
        return sum(v * v for v in x[a : a + width])

    e0 = energy(start)
    phi = {}
    for lag in range(lag_lo - 1, lag_hi + 2):
        r = sum(x[start + i] * x[start + i + lag] for i in range(width))
        den = 0.5 * (e0 + energy(start + lag))
        phi[lag] = min(1.0, max(-1.0, r / den)) if den > 1e-30 else 0.0
    found = []
    for lag in range(lag_lo, lag_hi + 1):
        ym, y0, yp = phi[lag - 1], phi[lag], phi[lag + 1]
        if y0 <= 0.0 or y0 < ym or y0 <= yp:
            continue
        curv = ym - 2 * y0 + yp
        d = min(0.5, max(-0.5, 0.5 * (ym - yp) / curv)) if curv < 0 else 0.0
        found.append((min(1.0, y0 - 0.25 * (ym - yp) * d), lag + d))
    found.sort(key=lambda p: -(p[0] - octave_cost * math.log2(p[1] / lag_lo)))
    found = found[:n_cand]
    return [lag for _, lag in found], [p for p, _ in found], e0


def track(
    freqs: np.ndarray,
    peaks: np.ndarray,
    energy: np.ndarray,
    *,
    vt: float,
    silence: float,
    octave_cost: float,
    jump_cost: float,
    vu_cost: float,
    decay: float,
    ref_floor: float,
    fmax: float,
    lookahead: int,
) -> tuple[list[float], list[float]]:
    """Fixed-lag Viterbi: frame ``d`` takes its state on the best full path over frames
    ``0 .. d + lookahead`` (or to the end). Returns F0 (NaN unvoiced) and strengths."""
    n, k = freqs.shape
    # per-frame states: (freq, strength, score); state 0 is unvoiced
    states = []
    ref = 0.0
    for t in range(n):
        ref = max(ref * decay, energy[t], ref_floor)
        rel = math.sqrt(energy[t] / ref)
        best_peak = max([peaks[t, j] for j in range(k) if freqs[t, j] > 0] + [0.0])
        row = [(0.0, best_peak, vt + max(0.0, 2.0 - rel * (1.0 + vt) / silence))]
        for j in range(k):
            f = freqs[t, j]
            if f > 0:
                row.append((f, peaks[t, j], peaks[t, j] - octave_cost * math.log2(fmax / f)))
            else:
                row.append((0.0, 0.0, -math.inf))
        states.append(row)

    def cost(fa: float, fb: float) -> float:
        if fa == 0 and fb == 0:
            return 0.0
        if fa == 0 or fb == 0:
            return vu_cost
        return jump_cost * abs(math.log2(fb / fa))

    def best_path(last: int) -> list[int]:
        delta = [s[2] for s in states[0]]
        back: list[list[int]] = []
        for t in range(1, last + 1):
            new, arg = [], []
            for fj, _, sj in states[t]:
                cands = [delta[i] - cost(states[t - 1][i][0], fj) for i in range(k + 1)]
                i_best = max(range(k + 1), key=lambda i, c=cands: (c[i], -i))
                new.append(cands[i_best] + sj)
                arg.append(i_best)
            delta = new
            back.append(arg)
        j = max(range(k + 1), key=lambda i: (delta[i], -i))
        path = [j]
        for t in range(last, 0, -1):
            j = back[t - 1][j]
            path.append(j)
        return path[::-1]

    f0, strength = [], []
    for d in range(n):
        j = best_path(min(d + lookahead, n - 1))[d]
        f, s, _ = states[d][j]
        f0.append(f if f > 0 else math.nan)
        strength.append(s)
    return f0, strength
