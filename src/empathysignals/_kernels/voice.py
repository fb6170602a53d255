"""Voice kernels: intensity, glottal pulse marking, jitter, shimmer, harmonicity and
syllable nuclei.

Each follows the Praat algorithm it is validated against (Boersma & Weenink, Praat source:
``Sound_to_Intensity.cpp``, ``Sound_to_PointProcess.cpp``, ``PointProcess.cpp``,
``AmplitudeTier.cpp``, ``Sound_to_Pitch.cpp``, ``Sound_to_Harmonicity.cpp``) so the figures
mean what the voice literature means by them. Times follow Praat's sampling convention:
sample ``j`` (0-based) sits at ``(j + 0.5) / sample_rate`` seconds, and pitch frame ``i`` at
``f0_start + i * hop``. Kernels take arrays and scalars only; the public wrappers in
``empathysignals.prosody.voice`` validate.
"""

from __future__ import annotations

import math

import numpy as np

from ._jit import njit

#: Praat: intensity in dB re (20 uPa)^2, sound values read as pascal.
PA_REF_SQ = 4e-10
#: Praat: 10 log10 of a mean square below this prints as -300 dB.
TINY_POWER = 1e-30
SILENT_DB = -300.0


# ----------------------------------------------------------------------------- intensity
@njit
def intensity_db(
    x: np.ndarray, centers: np.ndarray, window: np.ndarray, subtract_mean: bool
) -> np.ndarray:
    """Praat's ``Sound: To Intensity``: windowed mean square in dB re 2e-5 Pa.

    ``x`` (n,) samples; ``centers`` (F,) int64 centre sample of each frame; ``window``
    (2h + 1,) weights (Praat: Kaiser-like Bessel window). Frames reaching past the signal
    use the part inside it. Returns (F,) float64 dB (``SILENT_DB`` for digital silence).
    """
    n = x.shape[0]
    half = (window.shape[0] - 1) // 2
    out = np.empty(centers.shape[0], dtype=np.float64)
    for f in range(centers.shape[0]):
        mid = centers[f]
        lo = max(mid - half, 0)
        hi = min(mid + half, n - 1)
        # One pass: sum(w (x - m)^2) = sum(w x^2) - 2 m sum(w x) + m^2 sum(w), with m the
        # plain mean; two partial sums each so the additions can overlap (no fastmath).
        sx0 = sx1 = swx0 = swx1 = swxx0 = swxx1 = sw0 = sw1 = 0.0
        i = lo
        while i + 1 <= hi:
            v0 = x[i]
            v1 = x[i + 1]
            w0 = window[i - mid + half]
            w1 = window[i + 1 - mid + half]
            sx0 += v0
            sx1 += v1
            swx0 += w0 * v0
            swx1 += w1 * v1
            swxx0 += w0 * v0 * v0
            swxx1 += w1 * v1 * v1
            sw0 += w0
            sw1 += w1
            i += 2
        if i <= hi:
            w0 = window[i - mid + half]
            sx0 += x[i]
            swx0 += w0 * x[i]
            swxx0 += w0 * x[i] * x[i]
            sw0 += w0
        sw = sw0 + sw1
        sxw = swxx0 + swxx1
        if subtract_mean and hi >= lo:
            m = (sx0 + sx1) / (hi - lo + 1)
            sxw += -2.0 * m * (swx0 + swx1) + m * m * sw
        p = sxw / sw / PA_REF_SQ if sw > 0.0 else 0.0
        out[f] = 10.0 * math.log10(p) if p >= TINY_POWER else SILENT_DB
    return out


# ----------------------------------------------------------------------------- pitch access
@njit
def f0_at(f0: np.ndarray, f0_start: float, hop: float, duration: float, t: float) -> float:
    """F0 at time ``t`` as Praat's ``Get value at time ... linear``: NaN when the nearest
    frame is unvoiced (or ``t`` is outside the sound), else linear between the nearest
    frame and the next one when that one is voiced too."""
    if t < 0.0 or t > duration:
        return np.nan
    ireal = (t - f0_start) / hop
    ileft = math.floor(ireal)
    phase = ireal - ileft
    if phase < 0.5:
        inear = ileft
        ifar = ileft + 1
    else:
        ifar = ileft
        inear = ileft + 1
        phase = 1.0 - phase
    nf = f0.shape[0]
    if inear < 0 or inear >= nf:
        return np.nan
    fnear = f0[inear]
    if not fnear > 0.0:
        return np.nan
    if ifar < 0 or ifar >= nf:
        return float(fnear)
    ffar = f0[ifar]
    if not ffar > 0.0:
        return float(fnear)
    return float(fnear + phase * (ffar - fnear))


# ----------------------------------------------------------------------------- pulses
@njit
def _nearest(t: float, sr: float) -> int:
    return math.floor(t * sr - 0.5 + 0.5)


@njit
def _find_extremum(x: np.ndarray, sr: float, tmin: float, tmax: float) -> float:
    """Time of the largest absolute value in ``[tmin, tmax]``, parabolically interpolated
    (Praat's ``Sound_findExtremum``; extremes at the stretch's edge are not
    interpolated)."""
    n = x.shape[0]
    imin = max(math.floor(tmin * sr - 0.5), 0)
    imax = min(math.ceil(tmax * sr - 0.5), n - 1)
    m = imax - imin + 1
    if m <= 0:
        return 0.5 * (tmin + tmax)
    if m == 1:
        pos = 0.0
    elif m == 2:
        a0 = abs(x[imin])
        a1 = abs(x[imin + 1])
        pos = 0.0 if a0 > a1 else (1.0 if a0 < a1 else 0.5)
    else:
        vmin = x[imin]
        vmax = x[imin]
        jmin = 0
        jmax = 0
        for k in range(1, m):
            v = x[imin + k]
            if v < vmin:
                vmin = v
                jmin = k
            if v > vmax:
                vmax = v
                jmax = k
        if vmin == vmax:
            pos = 0.5 * (m - 1)
        else:
            j = jmin if abs(vmin) > abs(vmax) else jmax
            if j == 0 or j == m - 1:
                pos = float(j)
            else:
                vl = x[imin + j - 1]
                vm = x[imin + j]
                vr = x[imin + j + 1]
                pos = j + 0.5 * (vr - vl) / (2.0 * vm - vl - vr)
    return (imin + pos + 0.5) / sr


@njit
def _dot(x: np.ndarray, i: int, j: int, n: int) -> float:
    """``sum(x[i + k] * x[j + k] for k < n)`` with four partial sums: without fastmath
    numba keeps the sum's order, so independent sums are what lets the CPU overlap them."""
    s0 = 0.0
    s1 = 0.0
    s2 = 0.0
    s3 = 0.0
    k = 0
    while k + 4 <= n:
        s0 += x[i + k] * x[j + k]
        s1 += x[i + k + 1] * x[j + k + 1]
        s2 += x[i + k + 2] * x[j + k + 2]
        s3 += x[i + k + 3] * x[j + k + 3]
        k += 4
    while k < n:
        s0 += x[i + k] * x[j + k]
        k += 1
    return (s0 + s1) + (s2 + s3)


@njit
def _max_correlation(
    x: np.ndarray, sr: float, t1: float, length: float, tmin2: float, tmax2: float
) -> tuple[float, float, float]:
    """Praat's ``Sound_findMaximumCorrelation``: the best-correlated copy of the
    ``length``-long stretch around ``t1`` whose centre lies in ``[tmin2, tmax2]``.

    Returns (correlation or -1 when none, time of the copy, its peak amplitude). The peak
    is the one of the stretch after the best (a quirk of Praat kept for parity)."""
    n = x.shape[0]
    half = 0.5 * length
    il1 = _nearest(t1 - half, sr)
    ir1 = _nearest(t1 + half, sr)
    l2min = math.floor((tmin2 - half) * sr - 0.5)
    l2max = math.ceil((tmax2 - half) * sr - 0.5)
    best = -1.0
    r1 = 0.0
    r2 = 0.0
    r3 = 0.0
    r1b = 0.0
    r3b = 0.0
    ir = 0.0
    best_l2 = l2min - 1
    n1_full = 0.0
    for i1 in range(max(il1, 0), min(ir1, n - 1) + 1):
        n1_full += x[i1] * x[i1]
    for l2 in range(l2min, l2max + 1):
        # Only sample pairs inside the signal count (Praat skips the others).
        shift = l2 - il1
        a = max(il1, 0, -shift)
        b = min(ir1, n - 1, n - 1 - shift)
        p0 = p1 = q0 = q1 = 0.0  # two partial sums each, so the additions overlap
        i1 = a
        while i1 + 1 <= b:
            u0 = x[i1 + shift]
            u1 = x[i1 + 1 + shift]
            p0 += x[i1] * u0
            p1 += x[i1 + 1] * u1
            q0 += u0 * u0
            q1 += u1 * u1
            i1 += 2
        if i1 <= b:
            u0 = x[i1 + shift]
            p0 += x[i1] * u0
            q0 += u0 * u0
        prod = p0 + p1
        n2 = q0 + q1
        if a == max(il1, 0) and b == min(ir1, n - 1):
            n1 = n1_full
        else:
            n1 = 0.0
            for i1 in range(a, b + 1):
                n1 += x[i1] * x[i1]
        r1 = r2
        r2 = r3
        r3 = prod / math.sqrt(n1 * n2) if n1 > 0.0 and n2 > 0.0 else 0.0
        if r2 > best and r2 >= r1 and r2 >= r3:
            r1b = r1
            best = r2
            r3b = r3
            ir = l2 - 1
            best_l2 = l2
    # The peak Praat reports is that of the copy one lag past the best (computed once).
    peak = 0.0
    if best > -1.0:
        shift = best_l2 - il1
        for i1 in range(max(il1, 0, -shift), min(ir1, n - 1, n - 1 - shift) + 1):
            v = abs(x[i1 + shift])
            if v > peak:
                peak = v
    tout = t1
    if best > -1.0:
        height = np.nan
        d2r = (best - r1b) + (best - r3b)
        if d2r != 0.0:
            dr = 0.5 * (r3b - r1b)
            height = best + 0.5 * dr * dr / d2r
            ir += dr / d2r
        # Praat 6.1 (parselmouth 0.4) keeps a maximum found at the search edge; Praat 6.4
        # falls back to the middle of the range there. We match the reference we test on.
        tout = t1 + (ir - il1) / sr
        if not math.isnan(height):
            best = height
    return best, tout, peak


@njit
def _voiced_interval_after(
    f0: np.ndarray, f0_start: float, hop: float, duration: float, after: float
) -> tuple[bool, float, float]:
    nf = f0.shape[0]
    ileft = math.ceil((after - f0_start) / hop - 1e-9)
    if ileft >= nf:
        return False, 0.0, 0.0
    ileft = max(ileft, 0)
    while ileft < nf and not f0[ileft] > 0.0:
        ileft += 1
    if ileft >= nf:
        return False, 0.0, 0.0
    iright = ileft
    while iright < nf and f0[iright] > 0.0:
        iright += 1
    iright -= 1
    tleft = f0_start + ileft * hop - 0.5 * hop
    tright = f0_start + iright * hop + 0.5 * hop
    if tleft >= duration - 0.5 * hop:
        return False, 0.0, 0.0
    return True, max(tleft, 0.0), min(tright, duration)


@njit
def _append(buf: np.ndarray, count: int, t: float) -> np.ndarray:
    if count >= buf.shape[0]:
        bigger = np.empty(2 * buf.shape[0] + 16, dtype=np.float64)
        bigger[: buf.shape[0]] = buf
        buf = bigger
    buf[count] = t
    return buf


@njit
def pulses(x: np.ndarray, sr: float, f0: np.ndarray, f0_start: float, hop: float) -> np.ndarray:
    """Glottal pulse times (s), Praat's ``Sound & Pitch: To PointProcess (cc)``.

    In every voiced stretch of the pitch track, the first pulse is the absolute peak of the
    period around the stretch's middle; from there, each next pulse is where the waveform
    correlates best with the current period, 0.8-1.25 local periods on (cross-correlation
    with parabolic refinement), going left and then right until the stretch ends. Returns
    sorted unique times, (P,) float64.
    """
    n = x.shape[0]
    duration = n / sr
    gpeak = 0.0
    for i in range(n):
        if abs(x[i]) > gpeak:
            gpeak = abs(x[i])
    buf = np.empty(64, dtype=np.float64)
    count = 0
    t = 0.0
    added_right = -1e308
    while True:
        ok, tleft, tright = _voiced_interval_after(f0, f0_start, hop, duration, t)
        if not ok:
            break
        tmid = 0.5 * (tleft + tright)
        f0mid = f0_at(f0, f0_start, hop, duration, tmid)
        if not f0mid > 0.0:  # the middle frame's neighbour decides: step on
            t = tright
            continue
        tmax = _find_extremum(x, sr, tmid - 0.5 / f0mid, tmid + 0.5 / f0mid)
        buf = _append(buf, count, tmax)
        count += 1
        tsave = tmax
        while True:  # leftwards
            f = f0_at(f0, f0_start, hop, duration, tmax)
            if not f > 0.0:
                break
            corr, tnew, peak = _max_correlation(
                x, sr, tmax, 1.0 / f, tmax - 1.25 / f, tmax - 0.8 / f
            )
            tmax = tnew if corr != -1.0 else tmax - 1.0 / f
            if tmax < tleft:
                if corr > 0.7 and peak > 0.023333 * gpeak and tmax - added_right > 0.8 / f:
                    buf = _append(buf, count, tmax)
                    count += 1
                break
            if corr > 0.3 and (peak == 0.0 or peak > 0.01 * gpeak):
                if tmax - added_right > 0.8 / f:  # do not fill a short gap twice
                    buf = _append(buf, count, tmax)
                    count += 1
        tmax = tsave
        while True:  # rightwards
            f = f0_at(f0, f0_start, hop, duration, tmax)
            if not f > 0.0:
                break
            corr, tnew, peak = _max_correlation(
                x, sr, tmax, 1.0 / f, tmax + 0.8 / f, tmax + 1.25 / f
            )
            tmax = tnew if corr != -1.0 else tmax + 1.0 / f
            if tmax > tright:
                if corr > 0.7 and peak > 0.023333 * gpeak:
                    buf = _append(buf, count, tmax)
                    count += 1
                    added_right = tmax
                break
            if corr > 0.3 and (peak == 0.0 or peak > 0.01 * gpeak):
                buf = _append(buf, count, tmax)
                count += 1
                added_right = tmax
        t = tright
    return np.unique(buf[:count])


# ----------------------------------------------------------------------------- jitter / shimmer
@njit
def _is_period(t: np.ndarray, i: int, pmin: float, pmax: float, factor: float) -> bool:
    """Praat's ``PointProcess_isPeriod`` for the interval ``t[i] .. t[i + 1]``."""
    nt = t.shape[0]
    if i < 0 or i + 1 >= nt:
        return False
    interval = t[i + 1] - t[i]
    if interval <= 0.0 or interval < pmin or interval > pmax:
        return False
    prev_f = np.nan
    next_f = np.nan
    if i >= 1:
        prev = t[i] - t[i - 1]
        if prev > 0.0:
            prev_f = interval / prev
    if i + 2 < nt:
        nxt = t[i + 2] - t[i + 1]
        if nxt > 0.0:
            next_f = interval / nxt
    if math.isnan(prev_f) and math.isnan(next_f):
        return True
    if prev_f < 1.0:
        prev_f = 1.0 / prev_f
    if next_f < 1.0:
        next_f = 1.0 / next_f
    return not (prev_f > factor and next_f > factor)


@njit
def mean_period(t: np.ndarray, pmin: float, pmax: float, factor: float) -> float:
    """Praat's ``PointProcess_getMeanPeriod`` over all points; NaN if no period."""
    count = t.shape[0] - 1
    if count < 1:
        return np.nan
    total = 0.0
    for i in range(t.shape[0] - 1):
        if _is_period(t, i, pmin, pmax, factor):
            total += t[i + 1] - t[i]
        else:
            count -= 1
    return total / count if count > 0 else np.nan


@njit
def jitter_sums(t: np.ndarray, pmin: float, pmax: float, factor: float) -> tuple[float, int]:
    """Sum of absolute differences of consecutive qualifying periods (both in
    ``[pmin, pmax]``, ratio at most ``factor``) and how many pairs qualified. Sums of
    separate voiced stretches add up to those of the whole (their pulses never pair)."""
    total = 0.0
    pairs = 0
    for i in range(1, t.shape[0] - 1):
        p1 = t[i] - t[i - 1]
        p2 = t[i + 1] - t[i]
        ratio = p1 / p2 if p1 > p2 else p2 / p1
        if p1 >= pmin and p1 <= pmax and p2 >= pmin and p2 <= pmax and ratio <= factor:
            total += abs(p1 - p2)
            pairs += 1
    return total, pairs


@njit
def period_sums(t: np.ndarray, pmin: float, pmax: float, factor: float) -> tuple[float, int]:
    """Sum and count of the periods Praat's ``PointProcess_isPeriod`` accepts."""
    total = 0.0
    count = 0
    for i in range(t.shape[0] - 1):
        if _is_period(t, i, pmin, pmax, factor):
            total += t[i + 1] - t[i]
            count += 1
    return total, count


@njit
def jitter_local(t: np.ndarray, pmin: float, pmax: float, factor: float) -> float:
    """Praat's ``Get jitter (local)``: mean absolute difference of consecutive periods
    (both in ``[pmin, pmax]``, ratio at most ``factor``) over the mean period. NaN when
    fewer than two periods qualify."""
    if t.shape[0] < 3:
        return np.nan
    total, pairs = jitter_sums(t, pmin, pmax, factor)
    if pairs < 1:
        return np.nan
    return float(total / pairs / mean_period(t, pmin, pmax, factor))


@njit
def _hann_rms(x: np.ndarray, sr: float, tmid: float, wl: float, wr: float) -> float:
    """Praat's ``Sound_getHannWindowedRms``: RMS under an asymmetric Hann window reaching
    ``wl`` left and ``wr`` right of ``tmid``; NaN with fewer than 3 samples."""
    n = x.shape[0]
    imin = max(math.ceil((tmid - wl) * sr - 0.5), 0)
    imax = min(math.floor((tmid + wr) * sr - 0.5), n - 1)
    if imax - imin + 1 < 3:
        return np.nan
    ss = 0.0
    ws = 0.0
    for i in range(imin, imax + 1):
        ti = (i + 0.5) / sr
        width = wl if ti < tmid else wr
        w = 0.5 + 0.5 * math.cos(math.pi * (ti - tmid) / width)
        v = x[i] * w
        ss += v * v
        ws += w * w
    return math.sqrt(ss / ws)


@njit
def pulse_amplitudes(
    x: np.ndarray, sr: float, t: np.ndarray, pmin: float, pmax: float, factor: float
) -> tuple[np.ndarray, np.ndarray]:
    """Praat's ``To AmplitudeTier (period)``: for each inner pulse whose two periods
    qualify (as for jitter), the Hann-windowed RMS over 0.2 periods either side.
    Returns (times, amplitudes), (A,) float64 each."""
    times = np.empty(max(t.shape[0] - 2, 0), dtype=np.float64)
    amps = np.empty(max(t.shape[0] - 2, 0), dtype=np.float64)
    k = 0
    if t.shape[0] < 3:
        return times[:0], amps[:0]
    for i in range(1, t.shape[0] - 1):
        p1 = t[i] - t[i - 1]
        p2 = t[i + 1] - t[i]
        ratio = p1 / p2 if p1 > p2 else p2 / p1
        if p1 >= pmin and p1 <= pmax and p2 >= pmin and p2 <= pmax and ratio <= factor:
            a = _hann_rms(x, sr, t[i], 0.2 * p1, 0.2 * p2)
            if a > 0.0:
                times[k] = t[i]
                amps[k] = a
                k += 1
    return times[:k], amps[:k]


@njit
def shimmer_sums(
    times: np.ndarray, amps: np.ndarray, pmin: float, pmax: float, max_amp_factor: float
) -> tuple[float, int]:
    """Sum of |log10(A[i+1] / A[i])| over qualifying consecutive amplitudes, and their
    count (see :func:`shimmer_local_db`)."""
    total = 0.0
    count = 0
    for i in range(1, times.shape[0]):
        period = times[i] - times[i - 1]
        if period >= pmin and period <= pmax:
            a1 = amps[i - 1]
            a2 = amps[i]
            ratio = a1 / a2 if a1 > a2 else a2 / a1
            if ratio <= max_amp_factor:
                total += abs(math.log10(a2 / a1))
                count += 1
    return total, count


@njit
def shimmer_local_db(
    times: np.ndarray, amps: np.ndarray, pmin: float, pmax: float, max_amp_factor: float
) -> float:
    """Praat's ``AmplitudeTier: Get shimmer (local_dB)``: mean |20 log10(A[i+1] / A[i])|
    over consecutive amplitudes at most ``pmax`` apart and at most ``max_amp_factor``
    apart in ratio. NaN when no pair qualifies."""
    total, count = shimmer_sums(times, amps, pmin, pmax, max_amp_factor)
    return 20.0 * total / count if count > 0 else np.nan


# ----------------------------------------------------------------------------- harmonicity
@njit
def hnr_frames(
    x: np.ndarray,
    left: np.ndarray,
    window: np.ndarray,
    half_window: int,
    n_period: int,
    half_period: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Windowed, locally de-meaned analysis frames of Praat's AC pitch analysis.

    ``left`` (F,) is the sample just left of each frame centre; the mean is taken one
    longest period (``n_period`` samples) to both sides. Returns frames (F, W) and each
    frame's peak absolute value within half a longest period of its centre, (F,).
    """
    nw = window.shape[0]
    n = x.shape[0]
    frames = np.empty((left.shape[0], nw), dtype=np.float64)
    peaks = np.empty(left.shape[0], dtype=np.float64)
    lo_peak = max(half_window - half_period, 0)
    hi_peak = min(half_window + half_period, nw)
    for f in range(left.shape[0]):
        right = left[f] + 1
        mean = 0.0
        for i in range(max(right - n_period, 0), min(left[f] + n_period, n - 1) + 1):
            mean += x[i]
        mean /= 2 * n_period
        start = right - half_window
        for j in range(nw):
            i = start + j
            v = x[i] - mean if 0 <= i < n else 0.0
            frames[f, j] = v * window[j]
        pk = 0.0
        for j in range(lo_peak, hi_peak):
            if abs(frames[f, j]) > pk:
                pk = abs(frames[f, j])
        peaks[f] = pk
    return frames, peaks


@njit
def sinc_interpolate(r: np.ndarray, x: float, depth: int) -> float:
    """Praat's ``NUM_interpolate_sinc``: Hann-tapered sinc interpolation of ``r`` at
    fractional index ``x`` (0-based) using up to ``depth`` samples each side."""
    size = r.shape[0]
    xr = x + 1.0  # Praat indexes from 1
    if xr > size:
        return float(r[size - 1])
    if xr < 1.0:
        return float(r[0])
    midleft = math.floor(xr)
    midright = midleft + 1
    if xr == midleft:
        return float(r[midleft - 1])
    d = min(depth, midright - 1, size - midleft)
    if d <= 0:
        return float(r[math.floor(xr + 0.5) - 1])
    if d == 1:
        return float(r[midleft - 1] + (xr - midleft) * (r[midright - 1] - r[midleft - 1]))
    lft = midright - d
    rgt = midleft + d
    result = 0.0
    a = math.pi * (xr - midleft)
    halfsina = 0.5 * math.sin(a)
    aa = a / (xr - lft + 1)
    daa = math.pi / (xr - lft + 1)
    for ix in range(midleft, lft - 1, -1):
        result += r[ix - 1] * (halfsina / a * (1.0 + math.cos(aa)))
        a += math.pi
        aa += daa
        halfsina = -halfsina
    a = math.pi * (midright - xr)
    halfsina = 0.5 * math.sin(a)
    aa = a / (rgt - xr + 1)
    daa = math.pi / (rgt - xr + 1)
    for ix in range(midright, rgt + 1):
        result += r[ix - 1] * (halfsina / a * (1.0 + math.cos(aa)))
        a += math.pi
        aa += daa
        halfsina = -halfsina
    return result


@njit
def _refine_peak(r: np.ndarray, i: int, depth: int) -> float:
    """Maximum of the sinc-interpolated ``r`` within one sample of index ``i``
    (golden-section search; Praat uses Brent to the same end)."""
    g = 0.6180339887498949
    a = i - 1.0
    b = i + 1.0
    c = b - g * (b - a)
    d = a + g * (b - a)
    fc = sinc_interpolate(r, c, depth)
    fd = sinc_interpolate(r, d, depth)
    for _ in range(24):  # interval 2 * 0.618**24: 1e-5 sample
        if fc > fd:
            b = d
            d = c
            fd = fc
            c = b - g * (b - a)
            fc = sinc_interpolate(r, c, depth)
        else:
            a = c
            c = d
            fc = fd
            d = a + g * (b - a)
            fd = sinc_interpolate(r, d, depth)
    best = max(fc, fd, r[i])
    return float(best)


@njit
def hnr_from_ac(
    ac: np.ndarray,
    window_r: np.ndarray,
    rel_peak: np.ndarray,
    sr: float,
    max_lag: int,
    ceiling_hz: float,
    silence_threshold: float,
) -> np.ndarray:
    """Per-frame harmonics-to-noise ratio (dB) from frame autocorrelations, as Praat's
    ``To Harmonicity (ac)``: the strongest normalized autocorrelation peak ``r`` below
    ``ceiling_hz`` (sinc-refined, values above 1 reflected) gives ``10 log10(r / (1 - r))``
    unless the frame is quieter than ``silence_threshold`` of the loudest (the unvoiced
    candidate wins): NaN there.

    ``ac`` (F, B + 1) autocorrelation at lags 0..B; ``window_r`` (B + 1,) the window's
    normalized autocorrelation; ``rel_peak`` (F,) local peak over global peak.
    """
    nf = ac.shape[0]
    nb = ac.shape[1] - 1
    out = np.empty(nf, dtype=np.float64)
    rfull = np.empty(2 * nb + 1, dtype=np.float64)
    strengths = np.empty(nb + 1, dtype=np.float64)
    for f in range(nf):
        out[f] = np.nan
        unvoiced = 2.0 - rel_peak[f] / silence_threshold
        unvoiced = unvoiced if unvoiced > 0.0 else 0.0
        if rel_peak[f] <= 0.0 or ac[f, 0] <= 0.0:
            continue
        for i in range(nb + 1):
            v = ac[f, i] / (ac[f, 0] * window_r[i]) if i > 0 else 1.0
            rfull[nb + i] = v
            rfull[nb - i] = v
        best = -1.0
        top = min(max_lag, nb)
        # First pass: each maximum's strength at its parabolic position.
        for i in range(2, top):
            strengths[i] = -1.0
            ri = rfull[nb + i]
            rm = rfull[nb + i - 1]
            rp = rfull[nb + i + 1]
            if ri > 0.0 and ri > rm and ri >= rp:
                dr = 0.5 * (rp - rm)
                d2r = 2.0 * ri - rm - rp
                lag = i + dr / d2r
                if sr / lag > ceiling_hz:
                    continue
                s = sinc_interpolate(rfull, nb + lag, 30)
                if s > 1.0:
                    s = 1.0 / s
                strengths[i] = s
                if s > best:
                    best = s
        if best < 0.0:
            continue
        # Second pass: refine the maxima that could be the strongest.
        refined = -1.0
        for i in range(2, top):
            if strengths[i] >= best - 0.02:
                s = _refine_peak(rfull, nb + i, 700)
                if s > 1.0:
                    s = 1.0 / s
                if s > refined:
                    refined = s
        if refined <= unvoiced:
            continue
        if refined <= 1e-15:
            out[f] = -150.0
        elif refined > 1.0 - 1e-15:
            out[f] = 150.0
        else:
            out[f] = 10.0 * math.log10(refined / (1.0 - refined))
    return out


# ----------------------------------------------------------------------------- syllables
@njit
def sounding_mask(
    db: np.ndarray, threshold: float, min_silent: int, min_sounding: int
) -> np.ndarray:
    """Frames at or above ``threshold`` dB are sounding; silent runs shorter than
    ``min_silent`` frames are filled, then sounding runs shorter than ``min_sounding``
    frames dropped (the order of Praat's ``To TextGrid (silences)``)."""
    n = db.shape[0]
    m = np.empty(n, dtype=np.bool_)
    for i in range(n):
        m[i] = db[i] >= threshold
    for pass_value in (False, True):
        min_len = min_silent if not pass_value else min_sounding
        i = 0
        while i < n:
            if m[i] == pass_value:
                j = i
                while j < n and m[j] == pass_value:
                    j += 1
                # Silences at the edges are not pauses: keep them.
                inner = pass_value or (i > 0 and j < n)
                if inner and j - i < min_len:
                    for k in range(i, j):
                        m[k] = not pass_value
                i = j
            else:
                i += 1
    return m


@njit
def syllable_nuclei(
    db: np.ndarray,
    times: np.ndarray,
    threshold: float,
    min_dip: float,
    f0: np.ndarray,
    f0_start: float,
    hop: float,
    duration: float,
) -> np.ndarray:
    """Syllable nuclei after de Jong & Wempe (2009): intensity maxima above ``threshold``
    dB whose intensity falls by more than ``min_dip`` dB before the next such maximum
    (or before the end), at a voiced instant of the pitch track. Returns frame indices."""
    n = db.shape[0]
    peaks = np.empty(n, dtype=np.int64)
    npk = 0
    for i in range(1, n - 1):
        if db[i] > db[i - 1] and db[i] >= db[i + 1] and db[i] > threshold:
            peaks[npk] = i
            npk += 1
    out = np.empty(npk, dtype=np.int64)
    k = 0
    for p in range(npk):
        i = peaks[p]
        end = peaks[p + 1] if p + 1 < npk else n - 1
        dip = db[i]
        for j in range(i, end + 1):
            if db[j] < dip:
                dip = db[j]
        if db[i] - dip > min_dip:
            if f0_at(f0, f0_start, hop, duration, times[i]) > 0.0:
                out[k] = i
                k += 1
    return out[:k]


@njit
def hnr_at_f0(
    x: np.ndarray,
    left: np.ndarray,
    times: np.ndarray,
    window: np.ndarray,
    window_r: np.ndarray,
    half_window: int,
    n_period: int,
    half_period: int,
    global_peak: float,
    silence_threshold: float,
    f0: np.ndarray,
    f0_start: float,
    hop: float,
    sr: float,
) -> np.ndarray:
    """Per-frame HNR (dB) as :func:`hnr_from_ac`, but with the autocorrelation evaluated
    only within 3 samples of the period the pitch track gives (NaN where it is unvoiced):
    a dozen lags instead of a full FFT per frame. Frames, window, normalization and the
    silence rule are Praat's; the peak height is refined parabolically."""
    nw = window.shape[0]
    n = x.shape[0]
    nb = window_r.shape[0] - 1
    duration = n / sr
    out = np.full(left.shape[0], np.nan)
    frame = np.empty(nw, dtype=np.float64)
    lo_peak = max(half_window - half_period, 0)
    hi_peak = min(half_window + half_period, nw)
    for f in range(left.shape[0]):
        f0f = f0_at(f0, f0_start, hop, duration, times[f])
        if not f0f > 0.0:
            continue
        period = sr / f0f
        l0 = math.floor(period) - 3
        l1 = math.ceil(period) + 3
        if l0 < 1 or l1 > nb:
            continue
        right = left[f] + 1
        mean = 0.0
        for i in range(max(right - n_period, 0), min(left[f] + n_period, n - 1) + 1):
            mean += x[i]
        mean /= 2 * n_period
        start = right - half_window
        energy = 0.0
        for j in range(nw):
            i = start + j
            v = (x[i] - mean) * window[j] if 0 <= i < n else 0.0
            frame[j] = v
            energy += v * v
        pk = 0.0
        for j in range(lo_peak, hi_peak):
            if abs(frame[j]) > pk:
                pk = abs(frame[j])
        if pk <= 0.0 or energy <= 0.0:
            continue
        rel = min(pk / global_peak, 1.0)
        unvoiced = max(2.0 - rel / silence_threshold, 0.0)
        best = -1.0
        rm = 0.0
        ri = 0.0
        for lag in range(l0, l1 + 1):
            rp = _dot(frame, 0, lag, nw - lag) / (energy * window_r[lag])
            if lag >= l0 + 2 and ri > 0.0 and ri > rm and ri >= rp:
                d2r = 2.0 * ri - rm - rp
                s = ri + 0.125 * (rp - rm) ** 2 / d2r if d2r > 0.0 else ri
                if s > 1.0:
                    s = 1.0 / s
                if s > best:
                    best = s
            rm = ri
            ri = rp
        if best <= unvoiced or best <= 0.0:
            continue
        if best > 1.0 - 1e-15:
            out[f] = 150.0
        else:
            out[f] = 10.0 * math.log10(best / (1.0 - best))
    return out
