"""Pitch (F0) kernels: normalized cross-correlation candidates and a fixed-lag Viterbi
path tracker over them.

Candidates (:func:`nccf_candidates`) are the peaks of a periodicity function of the lag:
the normalized cross-correlation (as in RAPT) of a rectangular window, lowered where the
energies of the two compared stretches differ. The window of a frame is ``n_blocks``
consecutive blocks of a grid aligned with the hop, so the correlation sums of one block
serve every frame that holds it: the work per frame is one hop times the number of lags
instead of one window times it. The inner loop runs over lags (independent accumulators),
which the compiler vectorizes without ``fastmath``.

The tracker (:func:`track`) is Praat's path finder (Boersma 1993): per frame one unvoiced
and up to ``K`` voiced candidates, an octave cost favouring high candidates, an octave-jump
cost and a voiced/unvoiced switch cost between frames. Frame ``t`` is decided once frame
``t + lookahead`` has arrived, by tracing back from the best state there, so a stream and a
whole file give the same path. All state lives in caller-owned arrays.
"""

from __future__ import annotations

import numpy as np

from ._jit import njit

# --- tracker state vector layout (float64)
T_NEXT = 0  # next frame to be fed
T_DECIDED = 1  # next frame to be decided
T_REF_ENERGY = 2  # running reference window energy (for the relative-level gate)
TRACK_STATE_SIZE = 3

# --- tracker parameter vector layout (float64)
P_VOICING_THRESHOLD = 0
P_SILENCE_THRESHOLD = 1
P_OCTAVE_COST = 2
P_OCTAVE_JUMP_COST = 3
P_VOICED_UNVOICED_COST = 4
P_REF_DECAY = 5  # per-frame factor of the reference energy
P_REF_FLOOR = 6  # smallest reference energy (absolute level gate)
P_FMAX = 7
P_LOOKAHEAD = 8  # frames
N_TRACK_PARAMS = 9


@njit
def highpass(x: np.ndarray, b: np.ndarray, a: np.ndarray, state: np.ndarray) -> np.ndarray:
    """Biquad filter (float64 arithmetic, float32 out); ``state`` = [x1, x2, y1, y2] is
    updated in place.

    Used as a high-pass below the pitch range: DC, hum and slow drifts (a decaying step at
    the start of a recording) correlate at every lag and would look periodic.
    """
    n = x.shape[0]
    y = np.empty(n, dtype=np.float32)
    b0, b1, b2, a1, a2 = b[0], b[1], b[2], a[1], a[2]
    x1, x2, y1, y2 = state[0], state[1], state[2], state[3]
    for i in range(n):
        xi = float(x[i])
        yi = b0 * xi + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
        x2 = x1
        x1 = xi
        y2 = y1
        y1 = yi
        y[i] = yi
    state[0], state[1], state[2], state[3] = x1, x2, y1, y2
    return y


@njit
def _block_sum(x: np.ndarray, start: int, hop: int, lag0: int, out: np.ndarray) -> None:
    """out[j] = sum_{i < hop} x[start + i] * x[start + i + lag0 + j], four samples a step.

    The inner loop runs over lags on slices (no index wraparound checks), so it vectorizes;
    four samples per pass quarter the loads and stores of ``out``.
    """
    nlag = out.shape[0]
    out[:] = 0.0
    i = 0
    while i + 4 <= hop:
        p = start + i
        x0 = x[p]
        x1 = x[p + 1]
        x2 = x[p + 2]
        x3 = x[p + 3]
        q = p + lag0
        a0 = x[q : q + nlag]
        a1 = x[q + 1 : q + 1 + nlag]
        a2 = x[q + 2 : q + 2 + nlag]
        a3 = x[q + 3 : q + 3 + nlag]
        for j in range(nlag):
            out[j] += (x0 * a0[j] + x1 * a1[j]) + (x2 * a2[j] + x3 * a3[j])
        i += 4
    while i < hop:
        xn = x[start + i]
        q = start + i + lag0
        a = x[q : q + nlag]
        for j in range(nlag):
            out[j] += xn * a[j]
        i += 1


@njit
def nccf_candidates(
    x: np.ndarray,
    x_first: int,
    t_first: int,
    n_frames: int,
    block: int,
    step: int,
    n_blocks: int,
    offset: int,
    lag_lo: int,
    lag_hi: int,
    n_cand: int,
    octave_cost: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pitch candidates of frames ``t_first .. t_first + n_frames - 1``.

    Parameters
    ----------
    x : (m,) float32
        Signal (float32: twice the lanes of float64 in the correlation loop); ``x[i]`` is
        sample ``x_first + i``. Frame ``t`` uses samples ``t * step * block - offset`` up to
        ``(t * step + n_blocks) * block - offset + lag_hi``, inclusive.
    block, step, n_blocks, offset : int
        Block length (samples), hop in blocks, window length in blocks, and window start
        before the frame centre (samples).
    lag_lo, lag_hi : int
        Lag range in samples (``rate / fmax`` .. ``rate / fmin``).
    n_cand : int
        Candidates kept per frame: the local maxima of the periodicity with the highest
        strength less ``octave_cost`` per octave of lag above ``lag_lo`` (the tracker's
        local strength). Ranked by the raw peak, a steady voice near ``fmax`` lost its own
        period: every multiple of it peaks near 1 too, and six of them filled the list.
    octave_cost : float
        As the tracker's (per octave).

    Returns
    -------
    lags : (n_frames, n_cand) float64
        Peak lags refined by parabolic interpolation, strongest first (as ranked above); 0
        where none.
    peaks : (n_frames, n_cand) float64
        Periodicity ``2 r(lag) / (e(0) + e(lag))`` at those lags (interpolated), clipped to
        [0, 1]; 0 where none. ``r`` is the cross-correlation of the window with itself
        shifted by the lag, ``e`` their energies: the normalized cross-correlation (NCCF),
        lowered where the two energies differ (onsets, decays), as YIN's difference
        function.
    energy : (n_frames,) float64
        Sum of squares over the window.
    """
    lag0 = lag_lo - 1
    nlag = lag_hi - lag_lo + 3  # lags lag_lo - 1 .. lag_hi + 1 (for the end peaks' parabolas)
    width = n_blocks * block
    hop = step * block
    span = width + lag_hi + 1
    lags = np.zeros((n_frames, n_cand), dtype=np.float64)
    peaks = np.zeros((n_frames, n_cand), dtype=np.float64)
    energy = np.empty(n_frames, dtype=np.float64)
    ring = np.zeros((n_blocks, nlag), dtype=np.float32)
    r = np.empty(nlag, dtype=np.float64)
    phi = np.empty(nlag, dtype=np.float64)
    cs = np.empty(span + 1, dtype=np.float64)
    keys = np.empty(n_cand, dtype=np.float64)  # the ranking strength of the kept candidates
    b_next = t_first * step  # next block to compute
    for f in range(n_frames):
        t = t_first + f
        b_first = t * step
        b_next = max(b_next, b_first)
        while b_next < b_first + n_blocks:
            _block_sum(x, b_next * block - offset - x_first, block, lag0, ring[b_next % n_blocks])
            b_next += 1
        # Sum the window's blocks in block order, so the result does not depend on which
        # call computed which block.
        r[:] = 0.0
        for b in range(b_first, b_first + n_blocks):
            row = ring[b % n_blocks]
            for j in range(nlag):
                r[j] += row[j]
        start = t * hop - offset - x_first
        acc = 0.0
        cs[0] = 0.0
        for i in range(span):
            v = np.float64(x[start + i])
            acc += v * v
            cs[i + 1] = acc
        e0 = cs[width]
        energy[f] = e0
        for j in range(nlag):
            tau = lag0 + j
            den = 0.5 * (e0 + cs[tau + width] - cs[tau])
            if den > 1e-30:
                v = r[j] / den
                phi[j] = min(1.0, max(-1.0, v))
            else:
                phi[j] = 0.0
        n_found = 0
        for j in range(1, nlag - 1):
            y0 = phi[j]
            if y0 <= 0.0 or y0 < phi[j - 1] or y0 <= phi[j + 1]:
                continue
            ym = phi[j - 1]
            yp = phi[j + 1]
            curv = ym - 2.0 * y0 + yp
            delta = 0.0
            if curv < 0.0:
                delta = 0.5 * (ym - yp) / curv
                delta = min(0.5, max(-0.5, delta))
            peak = min(1.0, y0 - 0.25 * (ym - yp) * delta)
            lag = lag0 + j + delta
            key = peak - octave_cost * np.log2(lag / lag_lo)
            # insert into the list sorted by key, descending
            k = n_found if n_found < n_cand else n_cand - 1
            if n_found == n_cand and key <= keys[k]:
                continue
            while k > 0 and keys[k - 1] < key:
                keys[k] = keys[k - 1]
                peaks[f, k] = peaks[f, k - 1]
                lags[f, k] = lags[f, k - 1]
                k -= 1
            keys[k] = key
            peaks[f, k] = peak
            lags[f, k] = lag
            if n_found < n_cand:
                n_found += 1
    return lags, peaks, energy


@njit
def track(
    freqs: np.ndarray,
    peaks: np.ndarray,
    energy: np.ndarray,
    final: bool,
    state: np.ndarray,
    delta: np.ndarray,
    ring_psi: np.ndarray,
    ring_freq: np.ndarray,
    ring_peak: np.ndarray,
    params: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Feed candidate frames to the path tracker; return the frames decided now.

    Parameters
    ----------
    freqs, peaks : (n, K) float64
        Voiced candidates of the next ``n`` frames (Hz, 0 = none; NCCF strength).
    energy : (n,) float64
        Window energy of those frames.
    final : bool
        End of input: decide every remaining frame from the best final state.
    state : (TRACK_STATE_SIZE,) float64
        Frame counters and the reference energy; updated in place.
    delta : (K + 1,) float64
        Best path score ending in each state of the last frame (state 0 = unvoiced);
        updated in place.
    ring_psi : (R, K + 1) int64
        Back pointers of the last ``R = lookahead + 1`` frames (row = frame % R).
    ring_freq, ring_peak : (R, K + 1) float64
        Candidate frequency (0 = unvoiced) and strength of those frames.
    params : (N_TRACK_PARAMS,) float64
        See the ``P_*`` indices.

    Returns
    -------
    f0 : (d,) float64
        F0 of the decided frames, NaN where unvoiced.
    strength : (d,) float64
        NCCF of the chosen candidate (of the best candidate where unvoiced).
    """
    n, n_cand = freqs.shape
    n_states = n_cand + 1
    n_ring = ring_psi.shape[0]
    vt = params[P_VOICING_THRESHOLD]
    silence = params[P_SILENCE_THRESHOLD]
    octave_cost = params[P_OCTAVE_COST]
    jump_cost = params[P_OCTAVE_JUMP_COST]
    vu_cost = params[P_VOICED_UNVOICED_COST]
    decay = params[P_REF_DECAY]
    ref_floor = params[P_REF_FLOOR]
    fmax = params[P_FMAX]
    lookahead = int(params[P_LOOKAHEAD])
    t_next = int(state[T_NEXT])
    t_dec = int(state[T_DECIDED])
    ref = state[T_REF_ENERGY]
    n_out_max = t_next + n - t_dec
    out_f0 = np.empty(max(n_out_max, 0), dtype=np.float64)
    out_str = np.empty(max(n_out_max, 0), dtype=np.float64)
    n_out = 0
    score = np.empty(n_states, dtype=np.float64)
    new_delta = np.empty(n_states, dtype=np.float64)
    log2 = np.log(2.0)
    for f in range(n + 1):
        if f < n:
            t = t_next + f
            row = t % n_ring
            # relative level of this window against a slowly decaying running maximum
            e = energy[f]
            ref = max(ref * decay, e, ref_floor)
            rel = np.sqrt(e / ref)
            score[0] = vt + max(0.0, 2.0 - rel * (1.0 + vt) / silence)
            ring_freq[row, 0] = 0.0
            best_peak = 0.0
            for k in range(n_cand):
                fr = freqs[f, k]
                pk = peaks[f, k]
                ring_freq[row, k + 1] = fr
                ring_peak[row, k + 1] = pk
                if fr > 0.0:
                    score[k + 1] = pk - octave_cost * np.log(fmax / fr) / log2
                    best_peak = max(best_peak, pk)
                else:
                    score[k + 1] = -np.inf
            ring_peak[row, 0] = best_peak
            if t == 0:
                for j in range(n_states):
                    delta[j] = score[j]
                    ring_psi[row, j] = 0
            else:
                prev_row = (t - 1) % n_ring
                for j in range(n_states):
                    fj = ring_freq[row, j]
                    best = -np.inf
                    arg = 0
                    for i in range(n_states):
                        fi = ring_freq[prev_row, i]
                        if fi == 0.0 and fj == 0.0:
                            cost = 0.0
                        elif fi == 0.0 or fj == 0.0:
                            cost = vu_cost
                        else:
                            cost = jump_cost * abs(np.log(fj / fi)) / log2
                        v = delta[i] - cost
                        if v > best:
                            best = v
                            arg = i
                    new_delta[j] = best + score[j]
                    ring_psi[row, j] = arg
                # keep scores near zero; -inf states stay -inf
                top = -np.inf
                for j in range(n_states):
                    top = max(top, new_delta[j])
                for j in range(n_states):
                    delta[j] = new_delta[j] - top
            t_last = t
        else:
            t_last = t_next + n - 1
        # decide frames: each frame once the path has run `lookahead` frames past it
        stop = t_last - lookahead + 1 if f < n else t_last + 1
        if f == n and not final:
            break
        if f < n and stop <= t_dec:
            continue
        if f == n and stop <= t_dec:
            break
        # trace back from the best state of the last frame fed
        j = 0
        for i in range(1, n_states):
            if delta[i] > delta[j]:
                j = i
        pos = t_last
        while pos >= t_dec:
            if pos < stop:
                # decided: record in order (pos descends, fill from the end)
                idx = n_out + (pos - t_dec)
                row = pos % n_ring
                fr = ring_freq[row, j]
                if fr > 0.0:
                    out_f0[idx] = fr
                else:
                    out_f0[idx] = np.nan
                out_str[idx] = ring_peak[row, j]
            if pos == t_dec:
                break
            j = ring_psi[pos % n_ring, j]
            pos -= 1
        n_out += stop - t_dec
        t_dec = stop
    state[T_NEXT] = t_next + n
    state[T_DECIDED] = t_dec
    state[T_REF_ENERGY] = ref
    return out_f0[:n_out], out_str[:n_out]
