"""Frame-level prosody kernels: syllable nuclei from the intensity contour (streaming)."""

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
