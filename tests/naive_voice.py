"""Naive pure-Python references of the voice kernels (slow, obviously right)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence


def intensity_db(
    x: Sequence[float], centers: Sequence[int], window: Sequence[float], subtract_mean: bool
) -> list[float]:
    """Weighted mean square of each frame (clipped to the signal) in dB re (2e-5)^2."""
    half = (len(window) - 1) // 2
    out = []
    for mid in centers:
        idx = [i for i in range(mid - half, mid + half + 1) if 0 <= i < len(x)]
        mean = sum(x[i] for i in idx) / len(idx) if subtract_mean else 0.0
        num = sum((x[i] - mean) ** 2 * window[i - mid + half] for i in idx)
        den = sum(window[i - mid + half] for i in idx)
        p = num / den / 4e-10
        out.append(10 * math.log10(p) if p >= 1e-30 else -300.0)
    return out


def _ok(p1: float, p2: float, pmin: float, pmax: float, factor: float) -> bool:
    return pmin <= p1 <= pmax and pmin <= p2 <= pmax and max(p1, p2) / min(p1, p2) <= factor


def jitter_local(t: Sequence[float], pmin: float, pmax: float, factor: float) -> float:
    """Praat's local jitter: mean |T[i] - T[i-1]| over qualifying pairs / mean period."""
    periods = [b - a for a, b in itertools.pairwise(t)]
    diffs = [
        abs(p1 - p2) for p1, p2 in itertools.pairwise(periods) if _ok(p1, p2, pmin, pmax, factor)
    ]
    if len(diffs) < 1:
        return math.nan
    # A period counts for the mean unless it is out of range, or more than `factor` off
    # from both its neighbours.
    used = []
    for i, p in enumerate(periods):
        if not (pmin <= p <= pmax):
            continue
        ratios = []
        if i > 0:
            ratios.append(max(p, periods[i - 1]) / min(p, periods[i - 1]))
        if i + 1 < len(periods):
            ratios.append(max(p, periods[i + 1]) / min(p, periods[i + 1]))
        if len(ratios) == 2 and all(r > factor for r in ratios):
            continue
        used.append(p)
    return (sum(diffs) / len(diffs)) / (sum(used) / len(used))


def hann_rms(x: Sequence[float], sr: float, tmid: float, wl: float, wr: float) -> float:
    """RMS under a Hann window reaching ``wl`` left and ``wr`` right of ``tmid``."""
    num = den = 0.0
    count = 0
    for i, v in enumerate(x):
        ti = (i + 0.5) / sr
        if tmid - wl <= ti <= tmid + wr:
            width = wl if ti < tmid else wr
            w = 0.5 + 0.5 * math.cos(math.pi * (ti - tmid) / width)
            num += (v * w) ** 2
            den += w * w
            count += 1
    return math.sqrt(num / den) if count >= 3 else math.nan


def shimmer_local_db(
    x: Sequence[float],
    sr: float,
    t: Sequence[float],
    pmin: float,
    pmax: float,
    factor: float,
    max_amp_factor: float,
) -> float:
    """Praat's local shimmer (dB) from pulse times and the waveform."""
    pts = []
    for i in range(1, len(t) - 1):
        p1, p2 = t[i] - t[i - 1], t[i + 1] - t[i]
        if _ok(p1, p2, pmin, pmax, factor):
            a = hann_rms(x, sr, t[i], 0.2 * p1, 0.2 * p2)
            if a > 0:
                pts.append((t[i], a))
    vals = []
    for (t1, a1), (t2, a2) in itertools.pairwise(pts):
        if pmin <= t2 - t1 <= pmax and max(a1, a2) / min(a1, a2) <= max_amp_factor:
            vals.append(abs(20 * math.log10(a2 / a1)))
    return sum(vals) / len(vals) if vals else math.nan


def sinc_interpolate(r: Sequence[float], x: float, depth: int) -> float:
    """Hann-tapered sinc interpolation at fractional index ``x`` (0-based), ``depth``
    samples each side (fewer near the ends), as Praat's ``NUM_interpolate_sinc``."""
    left = math.floor(x)
    if x == left:
        return r[left]
    d = min(depth, left + 1, len(r) - 1 - left)
    lo, hi = left + 1 - d, left + d
    total = 0.0
    for k in range(lo, hi + 1):
        u = x - k
        span = (x - lo + 1) if k <= left else (hi - x + 1)
        total += (
            r[k] * math.sin(math.pi * u) / (math.pi * u) * 0.5 * (1 + math.cos(math.pi * u / span))
        )
    return total


def autocorrelation(frame: Sequence[float], max_lag: int) -> list[float]:
    """Direct sum ``sum_i frame[i] * frame[i + lag]`` for lags ``0..max_lag``."""
    n = len(frame)
    return [sum(frame[i] * frame[i + k] for i in range(n - k)) for k in range(max_lag + 1)]


def syllable_nuclei(
    db: Sequence[float], voiced: Sequence[bool], threshold: float, min_dip: float
) -> list[int]:
    """Maxima above ``threshold`` followed by a dip of more than ``min_dip`` before the next
    such maximum (or the end), where ``voiced``."""
    peaks = [
        i
        for i in range(1, len(db) - 1)
        if db[i] > db[i - 1] and db[i] >= db[i + 1] and db[i] > threshold
    ]
    out = []
    for k, i in enumerate(peaks):
        end = peaks[k + 1] if k + 1 < len(peaks) else len(db) - 1
        if db[i] - min(db[i : end + 1]) > min_dip and voiced[i]:
            out.append(i)
    return out


def sounding_mask(
    db: Sequence[float], threshold: float, min_silent: int, min_sounding: int
) -> list[bool]:
    """Above-threshold frames; inner silent runs < ``min_silent`` filled, then sounding
    runs < ``min_sounding`` removed."""
    m = [v >= threshold for v in db]

    def runs(value: bool) -> list[tuple[int, int]]:
        out, i = [], 0
        while i < len(m):
            if m[i] == value:
                j = i
                while j < len(m) and m[j] == value:
                    j += 1
                out.append((i, j))
                i = j
            else:
                i += 1
        return out

    for i, j in runs(False):
        if i > 0 and j < len(m) and j - i < min_silent:
            m[i:j] = [True] * (j - i)
    for i, j in runs(True):
        if j - i < min_sounding:
            m[i:j] = [False] * (j - i)
    return m
