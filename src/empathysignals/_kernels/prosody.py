"""Frame-level prosody kernels: syllable nuclei from the intensity contour (streaming), and
the sums that summarize each speech run of a frame block."""

from __future__ import annotations

import numpy as np

from ._jit import njit
from .voice import jitter_sums, period_sums, pulse_amplitudes, pulses, shimmer_sums

# Nucleus tracker state, one row per leg.
NUC_MODE = 0  # 0: looking for a peak (rising), 1: looking for a valley (falling)
NUC_PEAK = 1  # current peak level (dB)
NUC_PEAK_OK = 2  # 1.0 when the current peak frame may be a nucleus
NUC_VALLEY = 3  # last valley level (dB)
NUC_REF = 4  # running speech reference level (dB), decays slowly
NUC_P1 = 5  # smoothing: linear power of the previous two frames
NUC_P2 = 6
NUC_STATE_SIZE = 7


@njit
def syllable_nuclei(
    energy_db: np.ndarray,
    voiced: np.ndarray,
    active: np.ndarray,
    state: np.ndarray,
    min_dip_db: float,
    below_ref_db: float,
    ref_decay_db: float,
) -> np.ndarray:
    """Mark syllable nuclei: intensity peaks with a dip of at least ``min_dip_db`` on both
    sides, voiced and in speech, no more than ``below_ref_db`` under the running speech
    reference (de Jong & Wempe 2009, in streaming form).

    ``energy_db`` (n,) is smoothed over 3 frames (30 ms) of power first. A peak is marked
    at the frame where the contour has fallen ``min_dip_db`` below it (its confirmation).
    ``state`` (NUC_STATE_SIZE,) carries everything across calls. Returns (n,) int8 flags.
    """
    n = energy_db.shape[0]
    out = np.zeros(n, dtype=np.int8)
    mode = state[NUC_MODE]
    peak = state[NUC_PEAK]
    peak_ok = state[NUC_PEAK_OK]
    valley = state[NUC_VALLEY]
    ref = state[NUC_REF]
    p1 = state[NUC_P1]
    p2 = state[NUC_P2]
    for i in range(n):
        p0 = 10.0 ** (energy_db[i] / 10.0)
        e = 10.0 * np.log10((p0 + p1 + p2) / 3.0 + 1e-12)
        p2 = p1
        p1 = p0
        if active[i]:
            ref = max(ref - ref_decay_db, e)
        candidate = voiced[i] and active[i] and e >= ref - below_ref_db
        if mode == 0.0:
            if e > peak:
                peak = e
                peak_ok = 1.0 if candidate else 0.0
            elif e <= peak - min_dip_db:
                if peak_ok > 0.0 and peak - valley >= min_dip_db:
                    out[i] = 1
                mode = 1.0
                valley = e
        else:
            if e < valley:
                valley = e
            elif e >= valley + min_dip_db:
                mode = 0.0
                peak = e
                peak_ok = 1.0 if candidate else 0.0
    state[NUC_MODE] = mode
    state[NUC_PEAK] = peak
    state[NUC_PEAK_OK] = peak_ok
    state[NUC_VALLEY] = valley
    state[NUC_REF] = ref
    state[NUC_P1] = p1
    state[NUC_P2] = p2
    return out


def new_nucleus_state() -> np.ndarray:
    state = np.zeros(NUC_STATE_SIZE)
    state[NUC_PEAK] = -200.0
    state[NUC_VALLEY] = -200.0
    state[NUC_REF] = -200.0
    return state


# Columns of a speech run's sums (``speech_run_sums``); ``prosody.turns`` merges and reads them.
RUN_START, RUN_END, RUN_VOICED, RUN_SUM_F0, RUN_SUM_ST, RUN_SUM_ST2 = 0, 1, 2, 3, 4, 5
RUN_SUM_T, RUN_SUM_T2, RUN_SUM_TST, RUN_MIN_ST, RUN_MAX_ST, RUN_SUM_POW = 6, 7, 8, 9, 10, 11
RUN_SUM_HNR, RUN_NUCLEI, RUN_SUM_KPOW = 12, 13, 14
RUN_FIELDS = 15


@njit
def speech_run_sums(
    first_frame: int,
    hop_s: float,
    active: np.ndarray,
    f0: np.ndarray,
    voicing: np.ndarray,
    energy_db: np.ndarray,
    nuclei: np.ndarray,
    kpow: np.ndarray,
) -> np.ndarray:
    """Sums over each maximal run of active frames in a block.

    Parameters
    ----------
    first_frame : int
        Absolute index of the block's first frame.
    hop_s : float
        Frame step (s).
    active : (n,) bool
        Speech frames.
    f0 : (n,) float64
        F0 in Hz, NaN where unvoiced; a frame is voiced where active and f0 is finite.
    voicing : (n,) float64
        Voicing strength (peak normalized correlation) per frame.
    energy_db, kpow : (n,) float64
        Frame energy (dB) and K-weighted power (linear).
    nuclei : (n,) bool
        Syllable nuclei.

    Returns
    -------
    (m, RUN_FIELDS) float64
        One row per run: start and end frame (absolute, end exclusive), voiced frames, then
        sums over voiced frames of F0 (Hz), semitones re 100 Hz and their square, time (s)
        and its square, time x semitones, the semitone min and max, and sums over active
        frames of power (linear), HNR (dB, voiced frames), nuclei and K-weighted power.
    """
    n = active.shape[0]
    n_runs = 0
    for k in range(n):
        if active[k] and (k == 0 or not active[k - 1]):
            n_runs += 1
    out = np.zeros((n_runs, RUN_FIELDS))
    j = -1
    for k in range(n):
        if not active[k]:
            continue
        if k == 0 or not active[k - 1]:
            j += 1
            out[j, RUN_START] = first_frame + k
            out[j, RUN_MIN_ST] = np.inf
            out[j, RUN_MAX_ST] = -np.inf
        out[j, RUN_END] = first_frame + k + 1
        out[j, RUN_SUM_POW] += 10.0 ** (energy_db[k] / 10.0)
        out[j, RUN_SUM_KPOW] += kpow[k]
        if nuclei[k]:
            out[j, RUN_NUCLEI] += 1.0
        if not np.isfinite(f0[k]):
            continue
        st = 12.0 * np.log2(f0[k] / 100.0)
        t = (first_frame + k) * hop_s
        r = min(max(voicing[k], 1e-3), 0.999)
        out[j, RUN_VOICED] += 1.0
        out[j, RUN_SUM_F0] += f0[k]
        out[j, RUN_SUM_ST] += st
        out[j, RUN_SUM_ST2] += st * st
        out[j, RUN_SUM_T] += t
        out[j, RUN_SUM_T2] += t * t
        out[j, RUN_SUM_TST] += t * st
        out[j, RUN_MIN_ST] = min(out[j, RUN_MIN_ST], st)
        out[j, RUN_MAX_ST] = max(out[j, RUN_MAX_ST], st)
        out[j, RUN_SUM_HNR] += 10.0 * np.log10(r / (1.0 - r))
    return out


# Columns of the per-run voice-quality sums.
VS_JIT_SUM, VS_JIT_N, VS_PER_SUM, VS_PER_N, VS_SHIM_SUM, VS_SHIM_N = 0, 1, 2, 3, 4, 5
VS_SIZE = 6


@njit
def voice_sums(
    x: np.ndarray,
    sr: float,
    f0: np.ndarray,
    f0_start: float,
    hop: float,
    pmin: float,
    pmax: float,
    factor: float,
    max_amp_factor: float,
) -> np.ndarray:
    """Jitter and shimmer of one voiced stretch as sums, so stretches combine exactly:
    jitter = (JIT_SUM / JIT_N) / (PER_SUM / PER_N), shimmer dB = 20 * SHIM_SUM / SHIM_N.
    Pulses and the validity rules are Praat's (``_kernels.voice``); pulses of different
    stretches never form a valid period (unvoiced gaps exceed ``pmax``)."""
    out = np.zeros(VS_SIZE)
    t = pulses(x, sr, f0, f0_start, hop)
    out[VS_PER_SUM], out[VS_PER_N] = period_sums(t, pmin, pmax, factor)
    out[VS_JIT_SUM], out[VS_JIT_N] = jitter_sums(t, pmin, pmax, factor)
    times, amps = pulse_amplitudes(x, sr, t, pmin, pmax, factor)
    out[VS_SHIM_SUM], out[VS_SHIM_N] = shimmer_sums(times, amps, pmin, pmax, max_amp_factor)
    return out
