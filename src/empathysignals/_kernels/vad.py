"""Voice-activity kernels: per-leg frame features, music/speech block scores, and the
two-leg speech state machine with bleed rejection and final-label delay.

All state is carried in small float64/int64 arrays owned by the caller, so a stream is
picklable and chunking does not change results.
"""

from __future__ import annotations

import numpy as np

from ._jit import njit

HOP = 80  # samples per 10 ms frame at 8 kHz
DB_FLOOR = -120.0

# --- feature state layout (per leg): biquad x1, x2, y1, y2, previous sample
FEAT_STATE_SIZE = 5


@njit
def frame_features(
    x: np.ndarray, b: np.ndarray, a: np.ndarray, state: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Energy (dBFS) and zero-crossing rate of high-passed 10 ms frames.

    ``x`` holds a whole number of frames (``len(x) % 80 == 0``) at 8 kHz; ``b``, ``a`` are
    biquad coefficients; ``state`` (5,) is updated copy-on-return.
    """
    n = x.shape[0] // HOP
    energy = np.empty(n, dtype=np.float64)
    zcr = np.empty(n, dtype=np.float64)
    st = state.copy()
    x1, x2, y1, y2, prev = st[0], st[1], st[2], st[3], st[4]
    for f in range(n):
        acc = 0.0
        crossings = 0
        for i in range(f * HOP, (f + 1) * HOP):
            xi = float(x[i])
            yi = b[0] * xi + b[1] * x1 + b[2] * x2 - a[1] * y1 - a[2] * y2
            x2 = x1
            x1 = xi
            y2 = y1
            y1 = yi
            acc += yi * yi
            if (yi >= 0.0) != (prev >= 0.0):
                crossings += 1
            prev = yi
        p = acc / HOP
        energy[f] = 10.0 * np.log10(p) if p > 1e-12 else DB_FLOOR
        zcr[f] = crossings / HOP
    st[0], st[1], st[2], st[3], st[4] = x1, x2, y1, y2, prev
    return energy, zcr, st


@njit
def music_block_scores(
    energy: np.ndarray,
    floor_db: float,
    first_block_end: int,
    block: int,
    window: int,
    lookahead: int,
    n_blocks: int,
    weights: np.ndarray,
) -> np.ndarray:
    """Probability that each block of ``block`` frames is music rather than speech.

    ``energy`` is a history array; block ``j`` ends at index ``first_block_end + j*block``
    (exclusive) and is judged on ``window`` frames ending ``lookahead`` frames after it.
    Features (Scheirer & Slaney 1997 style, on energies clipped at the noise floor): energy
    spread, mean frame-to-frame flux, fraction of low-energy frames, fraction of active
    frames, mean level above the floor. ``weights`` = logistic coefficients (bias first).
    """
    out = np.empty(n_blocks, dtype=np.float64)
    for j in range(n_blocks):
        stop = first_block_end + j * block + lookahead
        start = stop - window
        s = 0.0
        s2 = 0.0
        flux = 0.0
        active = 0
        prev = 0.0
        for i in range(start, stop):
            e = energy[i]
            if e < floor_db:
                e = floor_db
            s += e
            s2 += e * e
            if i > start:
                flux += abs(e - prev)
            prev = e
            if e > floor_db + 6.0:
                active += 1
        mean = s / window
        var = s2 / window - mean * mean
        sd = np.sqrt(var) if var > 0.0 else 0.0
        low = 0
        for i in range(start, stop):
            e = energy[i]
            if e < floor_db:
                e = floor_db
            if e < mean - 6.0:
                low += 1
        z = (
            weights[0]
            + weights[1] * sd
            + weights[2] * flux / (window - 1)
            + weights[3] * low / window
            + weights[4] * active / window
            + weights[5] * (mean - floor_db)
        )
        out[j] = 1.0 / (1.0 + np.exp(-z))
    return out


# --- leg state layout (float64): see _LEG_* indices in the Python wrapper
LEG_STATE_SIZE = 16
S_FLOOR = 0  # current noise floor estimate (dB)
S_SMOOTH = 1  # smoothed energy for the floor tracker
S_BLOCK_MIN = 2  # running min of the current sub-window
S_BLOCK_COUNT = 3  # frames in the current sub-window
S_IN_SPEECH = 4
S_SEG_START = 5  # absolute frame
S_LAST_ACT = 6  # absolute frame of the last active frame
S_HIGH_COUNT = 7  # high frames in the current segment
S_RECENT = 8  # bit history of high decisions (last 4 frames)
S_COUPLING = 9  # dB: this leg's echo of the other leg, relative to the other's energy
S_STARTED = 10
S_LOW_RUN = 11  # absolute frame where the current run of boundary-level frames began
N_SUBWIN = 8


@njit
def vad_frames(
    hist: np.ndarray,
    hist_first: int,
    first_frame: int,
    n: int,
    legs: np.ndarray,
    sub_mins: np.ndarray,
    music_now: np.ndarray,
    tent: np.ndarray,
    tent_first: int,
    params: np.ndarray,
    music_params: np.ndarray,
    weights: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Run the speech state machine over frames ``first_frame ...`` of all legs at once.

    Parameters
    ----------
    hist : (h, L) float64
        Frame energies in dBFS of frames ``hist_first ...``; must reach 3 frames before
        ``first_frame`` (echo lag) and the music lookahead after the last frame.
    n : int
        Frames to process.
    music_now : (L,) float64
        Music probability of the current block (copied, returned updated). A block's
        probability is computed at its first frame with the floor known then, so results do
        not depend on chunking.
    legs : (L, LEG_STATE_SIZE) float64
        Per-leg state (copied, returned updated).
    sub_mins : (L, N_SUBWIN) float64
        Minimum-statistics sub-window minima (copied, returned updated).
    tent : (m, L) int8
        Tentative labels of frames ``tent_first ...`` not yet final.
    params : float64
        [speech_db, boundary_db, min_speech_frames, hangover_frames, bleed_margin_db,
         sub_window_frames, abs_min_dbfs, muted_dbfs]
    music_params : int64
        [block, window, lookahead] in frames.
    weights : float64
        Music logistic weights (see :func:`music_block_scores`).

    Returns
    -------
    tent : (m + n, L) int8
        Tentative labels extended by the new frames (caller emits the old, final part).
    legs, sub_mins
        Updated state.
    floors, music : (n, L) float64
        Noise floor and music probability of each frame.
    """
    n_legs = hist.shape[1]
    block = music_params[0]
    window = music_params[1]
    lookahead = music_params[2]
    music_prob = np.empty((n, n_legs), dtype=np.float64)
    cur = music_now.copy()
    speech_db = params[0]
    boundary_db = params[1]
    min_speech = int(params[2])
    hangover = int(params[3])
    margin = params[4]
    sub_len = int(params[5])
    abs_min = params[6]
    muted = params[7]
    st = legs.copy()
    mins = sub_mins.copy()
    m = tent.shape[0]
    out = np.zeros((m + n, n_legs), dtype=np.int8)
    out[:m] = tent
    floors = np.empty((n, n_legs), dtype=np.float64)
    high = np.zeros(n_legs, dtype=np.bool_)
    low = np.zeros(n_legs, dtype=np.bool_)
    energy = hist
    for k in range(n):
        t = first_frame + k
        row = t - hist_first
        if t % block == 0:
            for leg in range(n_legs):
                fl = st[leg, S_FLOOR] if st[leg, S_STARTED] != 0.0 else -120.0
                cur[leg] = music_block_scores(
                    hist[:, leg], fl, row + block, block, window, lookahead, 1, weights
                )[0]
        for leg in range(n_legs):
            music_prob[k, leg] = cur[leg]
        # 1) noise floors (minimum statistics over N_SUBWIN sub-windows, Martin 2001)
        for leg in range(n_legs):
            e = energy[row, leg]
            if st[leg, S_STARTED] == 0.0:
                st[leg, S_STARTED] = 1.0
                st[leg, S_SMOOTH] = e
                st[leg, S_BLOCK_MIN] = e
                st[leg, S_FLOOR] = e
                for u in range(N_SUBWIN):
                    mins[leg, u] = 1e9
            # A muted line or music says nothing about the noise floor under speech.
            if e > muted and music_prob[k, leg] < 0.5:
                sm = 0.7 * st[leg, S_SMOOTH] + 0.3 * e
                st[leg, S_SMOOTH] = sm
                if sm < st[leg, S_BLOCK_MIN]:
                    st[leg, S_BLOCK_MIN] = sm
                st[leg, S_BLOCK_COUNT] += 1.0
                if st[leg, S_BLOCK_COUNT] >= sub_len:
                    for u in range(N_SUBWIN - 1):
                        mins[leg, u] = mins[leg, u + 1]
                    mins[leg, N_SUBWIN - 1] = st[leg, S_BLOCK_MIN]
                    st[leg, S_BLOCK_MIN] = 1e9
                    st[leg, S_BLOCK_COUNT] = 0.0
                fl = st[leg, S_BLOCK_MIN]
                for u in range(N_SUBWIN):
                    if mins[leg, u] < fl:
                        fl = mins[leg, u]
                st[leg, S_FLOOR] = fl
            floors[k, leg] = st[leg, S_FLOOR]
        # 2) candidate decisions with echo (bleed) rejection
        for leg in range(n_legs):
            e = energy[row, leg]
            fl = st[leg, S_FLOOR]
            own = True
            if n_legs == 2:
                other = 1 - leg
                eo = energy[row, other]
                for lag in range(1, 4):
                    if energy[row - lag, other] > eo:
                        eo = energy[row - lag, other]
                d = e - eo
                c = st[leg, S_COUPLING]
                # Learn coupling only while the other leg is clearly talking.
                if eo > st[other, S_FLOOR] + 15.0 and eo > abs_min:
                    if d < c:
                        c += 0.05 * (d - c)
                    else:
                        c += 0.005
                    if c > 0.0:
                        c = 0.0
                    st[leg, S_COUPLING] = c
                own = e > eo + c + margin
            not_music = music_prob[k, leg] < 0.5
            ok = own and not_music and e > abs_min
            high[leg] = ok and e > fl + speech_db
            low[leg] = ok and e > fl + boundary_db
        # 3) segment state machine
        for leg in range(n_legs):
            idx = t - tent_first
            if not low[leg]:
                st[leg, S_LOW_RUN] = t + 1
            recent = int(st[leg, S_RECENT])
            recent = ((recent << 1) | (1 if high[leg] else 0)) & 0xF
            st[leg, S_RECENT] = recent
            if st[leg, S_IN_SPEECH] == 0.0:
                n_recent = (
                    (recent & 1) + ((recent >> 1) & 1) + ((recent >> 2) & 1) + ((recent >> 3) & 1)
                )
                if high[leg] and n_recent >= 3:
                    # Onset: backdate over the soft start (the current run of frames
                    # above the boundary threshold), at most 200 ms.
                    start = int(st[leg, S_LOW_RUN])
                    if start < t - 20:
                        start = t - 20
                    if start < tent_first:
                        start = tent_first
                    st[leg, S_IN_SPEECH] = 1.0
                    st[leg, S_SEG_START] = start
                    st[leg, S_LAST_ACT] = t
                    st[leg, S_HIGH_COUNT] = 3.0
                    for j in range(start - tent_first, idx + 1):
                        out[j, leg] = 1
            else:
                last = int(st[leg, S_LAST_ACT])
                if high[leg]:
                    for j in range(last + 1 - tent_first, idx + 1):
                        out[j, leg] = 1  # bridge a short silence
                    st[leg, S_LAST_ACT] = t
                    st[leg, S_HIGH_COUNT] += 1.0
                elif low[leg] and last == t - 1:
                    out[idx, leg] = 1  # soft decay
                    st[leg, S_LAST_ACT] = t
                elif t - last > hangover:
                    st[leg, S_IN_SPEECH] = 0.0
                    if last - st[leg, S_SEG_START] + 1 < min_speech:
                        for j in range(
                            int(st[leg, S_SEG_START]) - tent_first, last + 1 - tent_first
                        ):
                            out[j, leg] = 0
    return out, st, mins, floors, music_prob, cur
