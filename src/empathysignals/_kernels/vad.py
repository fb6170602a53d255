"""Voice-activity kernels: per-leg frame features, music/speech block scores, and the
two-leg speech state machine with bleed rejection and final-label delay.

All state is carried in small float64/int64 arrays owned by the caller, so a stream is
picklable and chunking does not change results.
"""

from __future__ import annotations

import math

import numpy as np

from ._jit import njit

HOP = 80  # samples per 10 ms frame at 8 kHz
DB_FLOOR = -120.0

# --- feature state layout (per leg): biquad x1, x2, y1, y2
FEAT_STATE_SIZE = 4


@njit
def frame_features(
    x: np.ndarray, b: np.ndarray, a: np.ndarray, state: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Energy (dBFS) and 4 kHz samples (pairs averaged, for voicing and spectra) of
    high-passed 10 ms frames of every leg.

    ``x`` (n_samples, L) holds a whole number of frames at 8 kHz; ``b``, ``a`` are biquad
    coefficients; ``state`` (L, 4) is copied and returned updated.

    Returns
    -------
    energy : (n, L) float64
    dec : (n, 40, L) float32
    state : (L, 4) float64
    """
    n = x.shape[0] // HOP
    n_legs = x.shape[1]
    half = HOP // 2
    energy = np.empty((n, n_legs), dtype=np.float64)
    dec = np.empty((n, half, n_legs), dtype=np.float32)
    st = state.copy()
    b0, b1, b2, a1, a2 = b[0], b[1], b[2], a[1], a[2]
    # A tiny signal at Nyquist (+tiny, -tiny, ...) passes the high-pass and keeps its state
    # out of denormal numbers, which are 10-100x slower, during digital silence.
    tiny = 1e-18
    if n_legs == 2:
        # Two legs in one loop: two independent filter chains keep the CPU busy while
        # each waits for its own previous output.
        p1, p2, q1, q2 = st[0, 0], st[0, 1], st[0, 2], st[0, 3]
        r1, r2, s1, s2 = st[1, 0], st[1, 1], st[1, 2], st[1, 3]
        for f in range(n):
            acc0 = 0.0
            acc1 = 0.0
            base = f * HOP
            for k in range(half):
                i = base + 2 * k
                xa = float(x[i, 0]) + tiny
                ya = b0 * xa + b1 * p1 + b2 * p2 - a1 * q1 - a2 * q2
                ua = float(x[i, 1]) + tiny
                va = b0 * ua + b1 * r1 + b2 * r2 - a1 * s1 - a2 * s2
                xb = float(x[i + 1, 0]) - tiny
                yb = b0 * xb + b1 * xa + b2 * p1 - a1 * ya - a2 * q1
                ub = float(x[i + 1, 1]) - tiny
                vb = b0 * ub + b1 * ua + b2 * r1 - a1 * va - a2 * s1
                p2, p1, q2, q1 = xa, xb, ya, yb
                r2, r1, s2, s1 = ua, ub, va, vb
                acc0 += ya * ya + yb * yb
                acc1 += va * va + vb * vb
                dec[f, k, 0] = 0.5 * (ya + yb)
                dec[f, k, 1] = 0.5 * (va + vb)
            e0 = acc0 / HOP
            e1 = acc1 / HOP
            energy[f, 0] = 10.0 * np.log10(e0) if e0 > 1e-12 else DB_FLOOR
            energy[f, 1] = 10.0 * np.log10(e1) if e1 > 1e-12 else DB_FLOOR
        st[0, 0], st[0, 1], st[0, 2], st[0, 3] = p1, p2, q1, q2
        st[1, 0], st[1, 1], st[1, 2], st[1, 3] = r1, r2, s1, s2
        return energy, dec, st
    for leg in range(n_legs):
        x1, x2, y1, y2 = st[leg, 0], st[leg, 1], st[leg, 2], st[leg, 3]
        for f in range(n):
            acc = 0.0
            base = f * HOP
            for k in range(half):
                xa = float(x[base + 2 * k, leg]) + tiny
                ya = b0 * xa + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
                xb = float(x[base + 2 * k + 1, leg]) - tiny
                yb = b0 * xb + b1 * xa + b2 * x1 - a1 * ya - a2 * y1
                x2 = xa
                x1 = xb
                y2 = ya
                y1 = yb
                acc += ya * ya + yb * yb
                dec[f, k, leg] = 0.5 * (ya + yb)
            p = acc / HOP
            energy[f, leg] = 10.0 * np.log10(p) if p > 1e-12 else DB_FLOOR
        st[leg, 0], st[leg, 1], st[leg, 2], st[leg, 3] = x1, x2, y1, y2
    return energy, dec, st


@njit
def smallest_step(x: np.ndarray, leg: int, lo: int, hi: int) -> float:
    """Smallest nonzero difference between consecutive samples ``x[lo:hi, leg]`` (inf if
    none)."""
    smallest = np.inf
    for i in range(lo + 1, hi):
        v = abs(float(x[i, leg]) - float(x[i - 1, leg]))
        if 0.0 < v < smallest:
            smallest = v
    return smallest


@njit
def quiet_frame_steps(x: np.ndarray, energy: np.ndarray, quiet_db: float) -> np.ndarray:
    """Smallest nonzero difference between consecutive samples of each 10 ms frame quieter
    than ``quiet_db``: the input's quantization step (a DC offset does not change it).

    ``x`` (n * HOP, L) 8 kHz samples, ``energy`` (n, L) their frames' levels (dBFS). Returns
    (n, L) float64, ``inf`` for louder frames and constant frames. Only quiet frames are
    read: they are the ones whose treatment depends on the input's resolution, and few.
    """
    n, n_legs = energy.shape
    out = np.full((n, n_legs), np.inf)
    for leg in range(n_legs):
        for f in range(n):
            if energy[f, leg] < quiet_db:
                out[f, leg] = smallest_step(x, leg, f * HOP, (f + 1) * HOP)
    return out


@njit
def idle_frames(x: np.ndarray, hop: int) -> np.ndarray:
    """Frames whose samples repeat with period 1 or 2: digital silence, or a codec's idle
    pattern, which carries no audio. Dialogic VOX ADPCM decodes silence to 0, 32, 0, 32,
    ... (-66 dBFS at 4 kHz after the high-pass), louder than a 16-bit line's no-signal
    level; the first frame of zeros (a lost packet filled with them) still holds the
    high-pass filter's ringing, up to -45 dBFS after loud noise. Noise, however quiet,
    never repeats exactly for 80 samples, and nearly every frame is ruled out by its first
    sample or two.

    ``x`` (n * hop, L) samples, ``hop`` per frame (HOP at 8 kHz; a 10 ms block of input at
    another rate, read before resampling, which would smear a run of zeros' edges over
    its neighbours). Returns (n, L) bool.
    """
    n = x.shape[0] // hop
    n_legs = x.shape[1]
    out = np.zeros((n, n_legs), dtype=np.bool_)
    for leg in range(n_legs):
        for f in range(n):
            idle = True
            for i in range(f * hop + 2, (f + 1) * hop):
                if x[i, leg] != x[i - 2, leg]:
                    idle = False
                    break
            out[f, leg] = idle
    return out


@njit
def raw_block_steps(x: np.ndarray, block: int, quiet_power: float) -> np.ndarray:
    """:func:`quiet_frame_steps` on input at its own rate, before resampling (which would
    smear its quantization grid): blocks of ``block`` samples of ``x`` (n * block, L) whose
    power around their mean (a DC offset is no signal) is under ``quiet_power``."""
    n = x.shape[0] // block
    n_legs = x.shape[1]
    out = np.full((n, n_legs), np.inf)
    for leg in range(n_legs):
        for j in range(n):
            lo = j * block
            mean = 0.0
            for i in range(lo, lo + block):
                mean += float(x[i, leg])
            mean /= block
            power = 0.0
            for i in range(lo, lo + block):
                d = float(x[i, leg]) - mean
                power += d * d
            if power / block < quiet_power:
                out[j, leg] = smallest_step(x, leg, lo, lo + block)
    return out


@njit
def spectral_flux(
    spectrum: np.ndarray, first_bin: int, prev: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cosine distance between consecutive blocks' magnitude spectra, and each block's
    power and weighted powers.

    ``spectrum`` (L, n_blocks, n) complex: the blocks' spectra, of which bins
    ``first_bin .. first_bin + n_bins - 1`` are used; ``prev`` (L, n_bins) is the unit
    magnitude spectrum of the block before (zeros if none); ``weights`` (n_w, n_bins).
    Blocks without energy, or after one, get 1.0 ("changing"). Returns the flux
    (n_blocks, L), the last unit spectrum, the power (sum of squared magnitudes,
    (n_blocks, L)) and the weighted powers (n_blocks, L, n_w).
    """
    n_legs, nb = spectrum.shape[0], spectrum.shape[1]
    nbins = prev.shape[1]
    n_w = weights.shape[0]
    out = np.empty((nb, n_legs), dtype=np.float64)
    power = np.empty((nb, n_legs), dtype=np.float64)
    weighted = np.zeros((nb, n_legs, n_w), dtype=np.float64)
    last = prev.copy()
    mag = np.empty(nbins)
    band_lo = np.zeros(n_w, dtype=np.int64)
    band_hi = np.zeros(n_w, dtype=np.int64)
    for r in range(n_w):
        band_lo[r] = nbins
        for k in range(nbins):
            if weights[r, k] != 0.0:
                band_lo[r] = min(band_lo[r], k)
                band_hi[r] = k + 1
    for leg in range(n_legs):
        for j in range(nb):
            ss = 0.0
            for k in range(nbins):
                c = spectrum[leg, j, first_bin + k]
                p = c.real * c.real + c.imag * c.imag
                mag[k] = math.sqrt(p)
                ss += p
            power[j, leg] = ss
            for r in range(n_w):  # the weights are sparse bands: only their bins
                acc = 0.0
                for k in range(band_lo[r], band_hi[r]):
                    acc += weights[r, k] * mag[k] * mag[k]
                weighted[j, leg, r] = acc
            norm = np.sqrt(ss)
            pn = 0.0
            dot = 0.0
            for k in range(nbins):
                pn += last[leg, k] * last[leg, k]
                if norm > 1e-9:
                    dot += last[leg, k] * mag[k] / norm
            if norm > 1e-9 and pn > 1e-18:
                out[j, leg] = 1.0 - dot
            else:
                out[j, leg] = 1.0
            for k in range(nbins):
                last[leg, k] = mag[k] / norm if norm > 1e-9 else 0.0
    return out, last, power, weighted


@njit
def tone_block_features(
    power: np.ndarray, weighted: np.ndarray, n_low: int, share_min: float, part_min: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per block and leg, from :func:`spectral_flux`'s power (n_blocks, L) and weighted
    powers (n_blocks, L, 1 + n_low + n_high: the tone region, then one band per DTMF
    frequency, low group first): the tone region's share, the level in dB, and 1.0 where
    the block is DTMF (``share_min`` of the power in one low and one high band together,
    each with ``part_min``)."""
    nb, n_legs, n_w = weighted.shape
    region = np.empty((nb, n_legs))
    level = np.empty((nb, n_legs))
    dtmf = np.zeros((nb, n_legs))
    for j in range(nb):
        for leg in range(n_legs):
            total = power[j, leg] + 1e-30
            region[j, leg] = weighted[j, leg, 0] / total
            level[j, leg] = 10.0 * math.log10(total)
            low = 0.0
            high = 0.0
            for r in range(1, n_w):
                share = weighted[j, leg, r] / total
                if r <= n_low:
                    low = max(low, share)
                else:
                    high = max(high, share)
            if low + high >= share_min and min(low, high) >= part_min:
                dtmf[j, leg] = 1.0
    return region, level, dtmf


@njit
def _window_tone(
    tone: np.ndarray, j: int, last_window: int, tone_min: float, tone_blocks: int
) -> bool:
    for w in range(max(0, j - tone_blocks + 1), min(j, last_window) + 1):
        if tone[w, 0] >= tone_min:
            return True
    return False


@njit
def block_in_tone(tone: np.ndarray, j: int, last_window: int, tone_params: np.ndarray) -> bool:
    """Whether block ``j`` is in a tone. ``tone`` (b, >= 3) per block: the tone share of the
    window of ``tone_blocks`` blocks beginning at it, 1.0 if the block is DTMF, and the
    share of its own energy near a tone frequency. ``tone_params``: [tone_min,
    tone_blocks, edge_share, edge_reach]. A block is in a tone if it is DTMF, if a window
    covering it reaches ``tone_min``, or if its own energy is ``edge_share`` near a tone
    frequency within ``edge_reach`` blocks of such a block (a burst's edges and short
    bursts, which no whole window covers). Only windows beginning at most at
    ``last_window`` count (those that end within the lookahead), so the answer does not
    depend on how the input was chunked."""
    tone_min, tone_blocks = tone_params[0], int(tone_params[1])
    if tone[j, 1] >= 0.5 or _window_tone(tone, j, last_window, tone_min, tone_blocks):
        return True
    if tone[j, 2] >= tone_params[2]:
        reach = int(tone_params[3])
        for i in range(max(0, j - reach), j + reach + 1):
            if i != j and _window_tone(tone, i, last_window, tone_min, tone_blocks):
                return True
    return False


@njit
def music_score(
    energy: np.ndarray,
    flux: np.ndarray,
    row: int,
    block_row: int,
    floor_db: float,
    block: int,
    n_back: int,
    n_ahead: int,
    flux_max: float,
    sounding_only: bool,
    tone: np.ndarray,
    tone_params: np.ndarray,
    tone_near: bool,
) -> float:
    """Music probability of the block whose first frame is history row ``row`` and whose
    spectral-flux entry is ``block_row``: the fraction of blocks in
    ``[block - n_back + 1, block + n_ahead]`` whose spectrum barely changed from the block
    before (cosine distance <= ``flux_max``; sustained notes do that, speech formants and
    noise do not), provided the window stands 6 dB above the noise level.

    With ``sounding_only`` a stable block counts only if it stands ``SOUNDING_BLOCK_DB``
    above the noise level: steady noise has a steady spectrum too, and a second of it
    followed by a loud word would otherwise pass for music and hide the word's onset.

    Blocks of a call-progress tone or of DTMF are steady too, but say nothing about music
    (a held note of hold music can pass for a tone): they are left out, and the
    probability is the fraction of the other blocks (0 if none). ``tone`` (b, >= 3) is the
    leg's :func:`block_in_tone` table, aligned with ``flux``; ``tone_near``: whether any
    tone window or DTMF block lies near enough to matter (else the table is not read).
    """
    lo = block_row - n_back + 1
    hi = block_row + n_ahead
    last_window = hi - int(tone_params[1]) + 1
    stable = 0
    counted = 0
    sounding_sum = block * (floor_db + SOUNDING_BLOCK_DB)
    for j in range(lo, hi + 1):
        if tone_near and block_in_tone(tone, j, last_window, tone_params):
            continue
        counted += 1
        if flux[j] > flux_max:
            continue
        if sounding_only:
            r0 = row + (j - block_row) * block
            acc_b = 0.0
            for i in range(r0, r0 + block):
                e = energy[i]
                acc_b += e if e > floor_db else floor_db
            if acc_b < sounding_sum:
                continue
        stable += 1
    first = row - (n_back - 1) * block
    last = row + (n_ahead + 1) * block
    acc = 0.0
    for i in range(first, last):
        e = energy[i]
        acc += e if e > floor_db else floor_db
    if acc / (last - first) < floor_db + 6.0 or counted == 0:
        return 0.0
    return stable / counted


#: A stable block is music evidence only this far above the noise (dB), unless music was
#: heard in the last MUSIC_MEMORY_BLOCKS blocks: inside a hold, quiet passages of the
#: music must still count. Chosen on the tune split (3 dB did the same, and kept one
#: false music hold at a call's start; ``docs/tuning.md``).
SOUNDING_BLOCK_DB = 6.0
MUSIC_MEMORY_BLOCKS = 200  # 10 s

VOICING_FRAMES = 3  # 30 ms window at 4 kHz
VOICING_MIN_LAG = 10  # 400 Hz
VOICING_MAX_LAG = 64  # 62.5 Hz


@njit
def voicing(dec: np.ndarray, row: int, leg: int, stop_at: float = 2.0) -> float:
    """Peak normalized autocorrelation over pitch lags (62.5-400 Hz) of the 30 ms ending
    at history row ``row``: near 1 for voiced speech, low for noise and clicks.

    Returns as soon as a lag reaches ``stop_at`` (with that lag's value): a caller that only
    asks "at least the threshold?" passes the threshold and skips the remaining lags."""
    half = dec.shape[1]
    n = VOICING_FRAMES * half
    first = row - VOICING_FRAMES + 1
    buf = np.empty(n)
    for f in range(VOICING_FRAMES):
        for j in range(half):
            buf[f * half + j] = dec[first + f, j, leg]
    # Prefix sums of squares give both window energies of every lag.
    sq = np.empty(n + 1)
    sq[0] = 0.0
    for i in range(n):
        sq[i + 1] = sq[i] + buf[i] * buf[i]
    best = 0.0
    for lag in range(VOICING_MIN_LAG, VOICING_MAX_LAG + 1):
        m = n - lag
        num = 0.0
        for i in range(m):
            num += buf[i] * buf[i + lag]
        e0 = sq[m]
        e1 = sq[n] - sq[lag]
        if e0 > 0.0 and e1 > 0.0:
            r = num / math.sqrt(e0 * e1)
            if r > best:
                best = r
                if best >= stop_at:
                    return best
    return best


# --- leg state layout (float64): see _LEG_* indices in the Python wrapper
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
S_NMEAN = 12  # median level (dB) of frames outside speech
S_NVAR = 13  # 90th percentile level (dB) of those frames
S_CONFIRMED = 14  # the open segment has had a voiced frame: it is speech
S_SEG_PEAK = 15  # loudest frame of the open segment above the noise median (dB)
S_SEG_VOICED = 16  # run of consecutive loud voiced frames of the open segment (capped)
S_MUSIC_UNTIL = 17  # block until which stable blocks count as music however quiet
S_SIGNAL_FRAMES = 18  # frames above the muted level seen so far (counted up to the start-up)
S_STARTUP = 19  # 0: undecided, 1: the stream began in speech, -1: it did not
S_START_RUN = 20  # voiced frames in a row at the stream's start
S_START_LO = 21  # quietest and loudest signal frame at the stream's start
S_START_HI = 22
S_ECHO_LAG = 23  # 1 + the estimated echo delay (frames) of the other leg in this one; 0: none
S_LAST_VOICED = 24  # open segment: its last voiced frame (until confirmed: when it opened)
LEG_STATE_SIZE = 25
# Talk (a confirmed segment) looks for a voiced frame every VOICED_CHECK_EVERY frames: voicing
# costs an autocorrelation, and within talk the check passes on its first lags.
VOICED_CHECK_EVERY = 3
# Echo delay. Recorded at a contact center, a leg's echo of the other comes back after the
# round trip to the far handset (100-300 ms on mobile and VoIP), not only within ECHO_NEAR
# frames. Per leg and lag k <= ECHO_MAX_LAG, the mean product of this leg's frame-to-frame
# level change and the other leg's k frames earlier (both clipped to ECHO_DELTA_CLIP dB;
# only where this leg's change is ECHO_DELTA_MIN dB or more and the other leg was talking,
# ECHO_TALK_DB over its noise median): an echo makes this leg follow the other at its delay,
# a sharp peak; talk of its own does not. The delay is taken once the peak has
# ECHO_MIN_FRAMES frames behind it and stands ECHO_MIN_RATIO times above every lag 4 or
# more frames away (delay found on every tune call whose echo is audible, at ratios 3.3-32;
# calls whose echo is under the noise peak nowhere, at 1.0-1.9); re-decided every
# ECHO_EVERY frames. 100 frames (1 s) of evidence, chosen on the tune calls of
# benchmarks/study_echo_delay.py (200 locked later and kept less of the far-echo calls; the
# normal tune calls are the same with either).
ECHO_NEAR = 3
ECHO_MAX_LAG = 50
ECHO_DELTA_CLIP = 10.0
ECHO_DELTA_MIN = 1.0
ECHO_TALK_DB = 10.0
ECHO_MIN_FRAMES = 100
ECHO_MIN_RATIO = 3.0
ECHO_EVERY = 50
#: Highest echo coupling (dB, this leg - the other) the echo's own frames may show.
ECHO_SHOWN_MAX_DB = -3.0
#: A frame is the echo's own when this leg's levels over the last ECHO_FOLLOW_FRAMES
#: frames correlate with the other leg's at the echo delay at ECHO_FOLLOW_MIN_R or more.
ECHO_FOLLOW_FRAMES = 8
ECHO_FOLLOW_MIN_R = 0.8
# Each leg's recent clipped level changes while talking (0 otherwise) and talk flags, newest
# first from a moving position, written twice so the lags 0..ECHO_MAX_LAG of any frame are
# one contiguous slice: the evidence loop is then a plain multiply-add.
ECHO_RING = 64
ECHO_STATE_SIZE = 2 * (ECHO_MAX_LAG + 1) + 4 * ECHO_RING
N_SUBWIN = 8


@njit
def vad_frames(
    hist: np.ndarray,
    dec_hist: np.ndarray,
    flux_hist: np.ndarray,
    tone_hist: np.ndarray,
    no_signal_hist: np.ndarray,
    hist_first: int,
    flux_first: int,
    first_frame: int,
    n: int,
    legs: np.ndarray,
    sub_mins: np.ndarray,
    music_now: np.ndarray,
    tent: np.ndarray,
    tent_first: int,
    params: np.ndarray,
    music_params: np.ndarray,
    flux_max: float,
    echo: np.ndarray,
    dec_first: int,
) -> tuple[
    np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray
]:
    """Run the speech state machine over frames ``first_frame ...`` of all legs at once.

    Parameters
    ----------
    hist : (h, L) float64
        Frame energies in dBFS of frames ``hist_first ...``; must reach 3 frames before
        ``first_frame`` (echo lag) and the music lookahead after the last frame.
    dec_hist : (d, 40, L) float32
        4 kHz samples of frames ``dec_first ...`` (for the voicing check); must reach 2
        frames before ``first_frame``.
    flux_hist : (b, L) float64
        Spectral flux of music blocks ``flux_first ...`` (1.0 where undefined).
    tone_hist : (b, L, c) float64, c >= 3
        Per block of ``flux_hist``: the call-progress tone share of the window of
        ``tone_blocks`` blocks that begins at it (0 where not measured), 1.0 if the block is
        DTMF, and the share of its energy near a tone frequency (further columns unread).
        A block in a tone (:func:`block_in_tone`) is neither speech, nor noise, nor music.
    no_signal_hist : (h, L) float64
        Per frame of ``hist``: the level (dBFS) at or below which the frame is no signal
        (digital silence, a codec's idle pattern): it never updates the noise statistics,
        and speech must stand ``params[6]`` dB above it.
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
         sub_window_frames, speech_over_no_signal_db, voicing_threshold, max_echo_db,
         segment_peak_db, ring_frames, noise_spread_factor, voiced_run_frames,
         startup_frames, startup_cap_db, startup_arm_frames, startup_arm_range_db,
         startup_descent, tone_share_min, tone_blocks, tone_edge_share, tone_edge_reach,
         max_unvoiced_frames, talk_voicing_threshold]
    music_params : int64
        [block (frames), blocks of history, blocks of lookahead].
    flux_max : float
        See :func:`music_score`.
    echo : (L, ECHO_STATE_SIZE) float64
        Per leg: the sums and counts of the echo-delay evidence per lag, then the rings of
        the leg's own talk deltas and flags (copied, returned updated)
    dec_first : int
        Absolute frame of ``dec_hist``'s first row (it keeps less history than ``hist``).

    Returns
    -------
    tent : (m + n, L) int8
        Tentative labels extended by the new frames (caller emits the old, final part).
    legs, sub_mins
        Updated state.
    floors, music : (n, L) float64
        Noise floor and music probability of each frame.
    music_now : (L,) float64
        Updated.
    tones : (n, L) int8
        1 where the frame is in a call-progress tone, 2 where it is in a keyed DTMF digit.
    echo
        Updated.
    """
    n_legs = hist.shape[1]
    block = music_params[0]
    n_back = music_params[1]
    n_ahead = music_params[2]
    music_prob = np.empty((n, n_legs), dtype=np.float64)
    tones = np.zeros((n, n_legs), dtype=np.int8)
    cur = music_now.copy()
    voiced_min = params[7]
    max_echo = params[8]
    peak_db = params[9]
    ring = int(params[10])  # frames that may still change: older ones are final
    spread_k = params[11]
    voiced_run = params[12]  # loud voiced frames in a row that make a segment speech
    startup_frames = params[13]  # signal frames the start-up lasts at most
    startup_cap = params[14]  # dB over the minimum-statistics floor
    arm_frames = params[15]  # signal frames in which a start in speech must show
    arm_range = params[16]  # dB between their loudest and quietest frame
    startup_descent = params[17]  # the median's downward step while far, x normal
    tone_params = params[18:22].copy()
    max_unvoiced = params[22]  # 0: off
    talk_voiced_min = params[23]  # the voicing that counts within talk
    tone_blocks = int(params[19])
    tone = np.zeros(n_legs, dtype=np.bool_)
    tone_near = np.zeros(n_legs, dtype=np.bool_)
    # Rows with a tone window or a DTMF block, counted (prefix sums): most calls have none
    # near a block, and then the tone table need not be read for it.
    n_rows = tone_hist.shape[0]
    marks = np.zeros((n_rows + 1, n_legs), dtype=np.int64)
    for leg in range(n_legs):
        for r in range(n_rows):
            hit = tone_hist[r, leg, 0] >= tone_params[0] or tone_hist[r, leg, 1] >= 0.5
            marks[r + 1, leg] = marks[r, leg] + (1 if hit else 0)
    reach_back = n_back - 1 + tone_blocks - 1 + int(tone_params[3])
    reach_ahead = n_ahead + int(tone_params[3])
    speech_db = params[0]
    boundary_db = params[1]
    min_speech = int(params[2])
    hangover = int(params[3])
    margin = params[4]
    sub_len = int(params[5])
    over_no_signal = params[6]
    st = legs.copy()
    mins = sub_mins.copy()
    ev = echo.copy()
    m = tent.shape[0]
    out = np.zeros((m + n, n_legs), dtype=np.int8)
    out[:m] = tent
    floors = np.empty((n, n_legs), dtype=np.float64)
    high = np.zeros(n_legs, dtype=np.bool_)
    low = np.zeros(n_legs, dtype=np.bool_)
    mu_dec = np.zeros(n_legs)
    energy = hist
    for k in range(n):
        t = first_frame + k
        row = t - hist_first
        drow = t - dec_first  # the same frame's row of dec_hist
        if t % block == 0 or k == 0:
            b = t // block - flux_first
            r_lo = min(max(0, b - reach_back), n_rows)
            r_hi = min(max(0, b + reach_ahead + 1), n_rows)
            for leg in range(n_legs):
                tone_near[leg] = marks[r_hi, leg] > marks[r_lo, leg]
                tone[leg] = tone_near[leg] and block_in_tone(
                    tone_hist[:, leg, :], b, b + n_ahead - tone_blocks + 1, tone_params
                )
        if t % block == 0:
            for leg in range(n_legs):
                fl = st[leg, S_NMEAN] if st[leg, S_STARTED] != 0.0 else -120.0
                cur[leg] = music_score(
                    hist[:, leg],
                    flux_hist[:, leg],
                    row,
                    t // block - flux_first,
                    fl,
                    block,
                    n_back,
                    n_ahead,
                    flux_max,
                    t // block >= st[leg, S_MUSIC_UNTIL],
                    tone_hist[:, leg, :],
                    tone_params,
                    tone_near[leg],
                )
                if cur[leg] >= 0.5:
                    st[leg, S_MUSIC_UNTIL] = t // block + MUSIC_MEMORY_BLOCKS
        for leg in range(n_legs):
            music_prob[k, leg] = cur[leg]
            # 2: a keyed DTMF digit, 1: a call-progress tone
            tones[k, leg] = (2 if tone_hist[b, leg, 1] >= 0.5 else 1) if tone[leg] else 0
        # 1) noise floors (minimum statistics over N_SUBWIN sub-windows, Martin 2001)
        for leg in range(n_legs):
            e = energy[row, leg]
            muted = no_signal_hist[row, leg]
            if st[leg, S_STARTED] == 0.0:
                st[leg, S_STARTED] = 1.0
                st[leg, S_SMOOTH] = e
                st[leg, S_BLOCK_MIN] = e
                st[leg, S_FLOOR] = e
                for u in range(N_SUBWIN):
                    mins[leg, u] = 1e9
            # A muted line, hold music or a tone says nothing about the noise under speech.
            if e > muted and cur[leg] < 0.5 and not tone[leg]:
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
        # 2) noise statistics: running median and 90th percentile of the frames outside
        # speech (quantile tracking, 0.1 dB per frame), so the threshold sits above
        # fluctuating noise (crowds, traffic, dishes), not just above its minimum.
        for leg in range(n_legs):
            e = energy[row, leg]
            fl = st[leg, S_FLOOR]
            muted = no_signal_hist[row, leg]
            if st[leg, S_NVAR] == 0.0:
                st[leg, S_NMEAN] = e
                st[leg, S_NVAR] = e + 3.0  # 90th percentile
            q50 = st[leg, S_NMEAN]
            q90 = st[leg, S_NVAR]
            # Start-up. A stream that opens in speech (a late-joined call, a recording that
            # starts on the greeting) starts its noise median at the speech level, and the
            # median comes down 5 dB/s at most: ~6 s deaf. If the leg's first 0.5 s holds a
            # voiced run and a 15 dB level range (speech; steady noise, even periodic hum,
            # has no such range), its decisions use at most floor + startup_cap for its first
            # startup_frames frames, and the median keeps learning through them. Only the
            # decisions: the median itself is never capped, so noise whose dips lie far
            # under its median is not left with too low an estimate afterwards. While it
            # stands over floor + startup_cap it comes down startup_descent times faster.
            if e > muted and st[leg, S_SIGNAL_FRAMES] < startup_frames:
                st[leg, S_SIGNAL_FRAMES] += 1.0
                if st[leg, S_STARTUP] == 0.0:
                    if st[leg, S_SIGNAL_FRAMES] == 1.0:
                        st[leg, S_START_LO] = e
                        st[leg, S_START_HI] = e
                    st[leg, S_START_LO] = min(st[leg, S_START_LO], e)
                    st[leg, S_START_HI] = max(st[leg, S_START_HI], e)
                    if not tone[leg] and voicing(dec_hist, drow, leg, voiced_min) >= voiced_min:
                        st[leg, S_START_RUN] += 1.0
                    else:
                        st[leg, S_START_RUN] = 0.0
                    if (
                        st[leg, S_START_RUN] >= voiced_run
                        and st[leg, S_START_HI] - st[leg, S_START_LO] >= arm_range
                    ):
                        st[leg, S_STARTUP] = 1.0
                    elif st[leg, S_SIGNAL_FRAMES] >= arm_frames:
                        st[leg, S_STARTUP] = -1.0
            startup = st[leg, S_STARTUP] == 1.0 and st[leg, S_SIGNAL_FRAMES] < startup_frames
            far = startup and q50 > fl + startup_cap
            learn = e > muted and cur[leg] < 0.5 and not tone[leg]
            # Frames of an open segment that has not voiced for max_unvoiced frames are
            # noise (one that rose during talk would otherwise never be learnt).
            stale = (
                max_unvoiced > 0
                and st[leg, S_IN_SPEECH] != 0.0
                and st[leg, S_CONFIRMED] == 0.0
                and t - st[leg, S_LAST_VOICED] > max_unvoiced
            )
            if learn and (st[leg, S_IN_SPEECH] == 0.0 or far or stale):
                q50 += 0.1 * 0.5 if e > q50 else -0.1 * 0.5 * (startup_descent if far else 1.0)
                q90 += 0.1 * 0.9 if e > q90 else -0.1 * 0.1
            # The minimum-statistics floor anchors both: noise is never below it.
            if q50 < fl:
                q50 = fl
            # Spread limits stop a runaway: missed speech counted as noise would raise the
            # threshold, which would miss more speech.
            if q90 < q50 + 1.0:
                q90 = q50 + 1.0
            if q90 > q50 + 4.0:
                q90 = q50 + 4.0
            st[leg, S_NMEAN] = q50
            st[leg, S_NVAR] = q90
            mu_dec[leg] = q50
            if startup and q50 > fl + startup_cap:
                mu_dec[leg] = fl + startup_cap
            floors[k, leg] = mu_dec[leg]
        # 3) candidate decisions with echo (bleed) rejection
        if n_legs == 2:
            track_echo_delays(energy, row, t, st, ev)
        for leg in range(n_legs):
            e = energy[row, leg]
            mu = mu_dec[leg]
            spread = st[leg, S_NVAR] - st[leg, S_NMEAN]  # 90th percentile - median, ~1.3 sd
            own = True
            if n_legs == 2:
                other = 1 - leg
                eo = energy[row, other]
                for lag in range(1, ECHO_NEAR + 1):
                    if energy[row - lag, other] > eo:
                        eo = energy[row - lag, other]
                far_lag = int(st[leg, S_ECHO_LAG]) - 1
                if far_lag > ECHO_NEAR:
                    for lag in range(far_lag - 1, far_lag + ECHO_NEAR):
                        if energy[row - lag, other] > eo:
                            eo = energy[row - lag, other]
                d = e - eo
                c = st[leg, S_COUPLING]
                if c == 0.0:
                    # Unmeasured: assume the strongest echo allowed, so the other leg's
                    # bleed is not taken for speech at the start of a call (the estimate
                    # falls to the real coupling within ~1 s of the other leg's talk).
                    c = max_echo
                # Coupling = running 30th percentile of (this leg - other leg) over frames
                # where the other leg is loud and this one stands above its noise: echo
                # frames sit at the echo path's level, double talk and noise bursts above.
                # Clamped to [-45, max_echo]: telephone echo is at most max_echo_db (-20 dB)
                # under its source at equal gains, and double talk (a listener's "mm-hmm")
                # must not lift the estimate over that. But a leg recorded hotter than the
                # other carries the echo that much higher against it: over the bound, only
                # frames whose level follows the other leg's at the echo delay (the echo's
                # own frames) move the estimate, up to ECHO_SHOWN_MAX_DB. Only the other
                # leg's talk teaches it: hold music (or a tone) from the switch need not
                # reach the far handset's echo path, and a leg's noise bursts under it drove
                # the estimate to its floor, so the echo of the agent's first words after
                # the hold passed for the customer's talk.
                eo_signal = eo > no_signal_hist[row, other] + over_no_signal
                other_talk = music_prob[k, other] < 0.5 and not tone[other]
                if eo > st[other, S_NMEAN] + 15.0 and e > mu + 6.0 and eo_signal and other_talk:
                    new_c = c + (0.06 if d > c else -0.14)
                    if new_c <= max_echo:
                        c = new_c
                    elif far_lag >= 0 and (
                        level_correlation(energy, row, leg, other, far_lag, ECHO_FOLLOW_FRAMES)
                        >= ECHO_FOLLOW_MIN_R
                    ):
                        c = min(new_c, ECHO_SHOWN_MAX_DB)
                    elif c <= max_echo:
                        c = max_echo
                    if c < -45.0:
                        c = -45.0
                if c > max_echo and far_lag < 0:
                    c = max_echo  # the echo delay is no longer shown
                st[leg, S_COUPLING] = c
                own = e > eo + c + margin
            not_music = music_prob[k, leg] < 0.5
            signal = e > no_signal_hist[row, leg] + over_no_signal
            ok = own and not_music and not tone[leg] and signal
            high[leg] = ok and e > mu + max(speech_db, spread_k * spread)
            low[leg] = ok and e > mu + max(boundary_db, 0.5 * spread_k * spread)
        # 4) segment state machine. A segment becomes speech once voiced_run loud frames
        # in a row were voiced (then backfilled to its onset); segments that never voice
        # that long (ringing clanks voice for a frame or two; rustle and most noise bursts
        # not at all) never become speech.
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
                    # above the boundary threshold), at most 100 ms.
                    start = int(st[leg, S_LOW_RUN])
                    if start < t - 10:
                        start = t - 10
                    st[leg, S_IN_SPEECH] = 1.0
                    st[leg, S_SEG_START] = start
                    st[leg, S_LAST_ACT] = t
                    st[leg, S_LAST_VOICED] = t
                    st[leg, S_CONFIRMED] = 0.0
                    st[leg, S_SEG_PEAK] = 0.0
                    st[leg, S_SEG_VOICED] = 0.0
            else:
                last = int(st[leg, S_LAST_ACT])
                talk_voicing = max_unvoiced > 0 and st[leg, S_CONFIRMED] != 0.0
                if talk_voicing and (high[leg] or low[leg]):
                    due = t - st[leg, S_LAST_VOICED] >= VOICED_CHECK_EVERY
                    if t % VOICED_CHECK_EVERY == 0 and due:
                        if voicing(dec_hist, drow, leg, talk_voiced_min) >= talk_voiced_min:
                            st[leg, S_LAST_VOICED] = t
                    if t - st[leg, S_LAST_VOICED] > max_unvoiced:
                        # Talk voices at least every max_unvoiced frames: a level held up
                        # this long without voicing is noise that rose during the talk, and
                        # no longer extends it (the hangover then ends it).
                        high[leg] = False
                        low[leg] = False
                if high[leg]:
                    st[leg, S_LAST_ACT] = t
                elif low[leg] and last == t - 1:
                    st[leg, S_LAST_ACT] = t  # soft decay
                elif t - last > hangover:
                    st[leg, S_IN_SPEECH] = 0.0
                    if st[leg, S_CONFIRMED] != 0.0 and last - st[leg, S_SEG_START] + 1 < min_speech:
                        lo = max(int(st[leg, S_SEG_START]), t - ring) - tent_first
                        if lo < 0:
                            lo = 0
                        for j in range(lo, last + 1 - tent_first):
                            out[j, leg] = 0
                    continue
            if st[leg, S_IN_SPEECH] == 0.0:
                continue
            if st[leg, S_CONFIRMED] == 0.0 and not high[leg]:
                if st[leg, S_SEG_VOICED] < voiced_run:
                    st[leg, S_SEG_VOICED] = 0.0  # the voiced run must be loud throughout
            elif st[leg, S_CONFIRMED] == 0.0:
                above = energy[row, leg] - mu_dec[leg]
                if above > st[leg, S_SEG_PEAK]:
                    st[leg, S_SEG_PEAK] = above
                if st[leg, S_SEG_VOICED] < voiced_run:
                    if voicing(dec_hist, drow, leg, voiced_min) >= voiced_min:
                        st[leg, S_SEG_VOICED] += 1.0
                    else:
                        st[leg, S_SEG_VOICED] = 0.0
                if st[leg, S_SEG_VOICED] >= voiced_run and st[leg, S_SEG_PEAK] >= peak_db:
                    st[leg, S_CONFIRMED] = 1.0
                    st[leg, S_LAST_VOICED] = t
                    # Backfill to the onset, but never into frames already final: how far
                    # back that is must not depend on how the input was chunked.
                    lo = max(int(st[leg, S_SEG_START]), t - ring) - tent_first
                    if lo < 0:
                        lo = 0
                    for j in range(lo, idx + 1):
                        out[j, leg] = 1
                    continue
            if st[leg, S_CONFIRMED] != 0.0 and st[leg, S_LAST_ACT] == t:
                # bridge the silence since the previous active frame
                j = idx
                while j >= 0 and j >= t - ring - tent_first and out[j, leg] == 0:
                    out[j, leg] = 1
                    j -= 1
    return out, st, mins, floors, music_prob, cur, tones, ev


@njit
def level_correlation(
    energy: np.ndarray, row: int, leg: int, other: int, lag: int, n: int
) -> float:
    """Pearson correlation of ``leg``'s levels (dB) over the ``n`` frames ending at history
    row ``row`` with ``other``'s ``lag`` frames earlier (0 where either is flat)."""
    ma = 0.0
    mb = 0.0
    for i in range(n):
        ma += energy[row - i, leg]
        mb += energy[row - lag - i, other]
    ma /= n
    mb /= n
    sab = 0.0
    saa = 0.0
    sbb = 0.0
    for i in range(n):
        a = energy[row - i, leg] - ma
        b = energy[row - lag - i, other] - mb
        sab += a * b
        saa += a * a
        sbb += b * b
    if saa <= 0.0 or sbb <= 0.0:
        return 0.0
    return sab / math.sqrt(saa * sbb)


@njit
def track_echo_delays(energy: np.ndarray, row: int, t: int, st: np.ndarray, ev: np.ndarray) -> None:
    """Frame ``t`` of both legs into the echo-delay evidence ``ev`` (per leg: sums and
    counts per lag, then the rings of its own talk deltas and flags); every ECHO_EVERY
    frames, each leg's delay into ``st[:, S_ECHO_LAG]``. One call per frame: the kernel
    calls it 100 times a second."""
    n_lags = ECHO_MAX_LAG + 1
    base = 2 * n_lags
    pos = (-t) % ECHO_RING
    for leg in range(2):
        # this frame's clipped level change (0 unless the leg is talking) and talk flag
        talking = energy[row, leg] > st[leg, S_NMEAN] + ECHO_TALK_DB
        d = 0.0
        if talking:
            d = energy[row, leg] - energy[row - 1, leg]
            d = min(ECHO_DELTA_CLIP, max(-ECHO_DELTA_CLIP, d))
        flag = 1.0 if talking else 0.0
        ev[leg, base + pos] = d
        ev[leg, base + pos + ECHO_RING] = d
        ev[leg, base + 2 * ECHO_RING + pos] = flag
        ev[leg, base + 3 * ECHO_RING + pos] = flag
    for leg in range(2):
        other = 1 - leg
        de = energy[row, leg] - energy[row - 1, leg]
        de = min(ECHO_DELTA_CLIP, max(-ECHO_DELTA_CLIP, de))
        if abs(de) >= ECHO_DELTA_MIN:
            # the other leg's talk deltas 0..ECHO_MAX_LAG frames ago: one contiguous slice
            for k in range(n_lags):
                ev[leg, k] += de * ev[other, base + pos + k]
                ev[leg, n_lags + k] += ev[other, base + 2 * ECHO_RING + pos + k]
        if t % ECHO_EVERY == 0:
            st[leg, S_ECHO_LAG] = decide_echo_delay(ev[leg], n_lags)


@njit
def decide_echo_delay(ev: np.ndarray, n_lags: int) -> float:
    """1 + the echo delay (frames) the evidence ``ev`` shows, or 0 if it shows none."""
    best = -1
    best_mean = 0.0
    for k in range(n_lags):
        if ev[n_lags + k] > 0.0:
            m = ev[k] / ev[n_lags + k]
            if best < 0 or m > best_mean:
                best, best_mean = k, m
    if best < 0 or ev[n_lags + best] < ECHO_MIN_FRAMES or best_mean <= 0.0:
        return 0.0
    for k in range(n_lags):
        if abs(k - best) >= 4 and ev[n_lags + k] > 0.0:
            if ECHO_MIN_RATIO * ev[k] / ev[n_lags + k] > best_mean:
                return 0.0
    return float(best + 1)


@njit
def window_blocks(dec: np.ndarray, window: np.ndarray, block: int) -> np.ndarray:
    """(n_frames, 40, L) 4 kHz samples -> (L, n_blocks, block * 40) windowed float64 rows,
    contiguous for the FFT (transpose and window in one pass)."""
    n, half, n_legs = dec.shape
    nb = n // block
    size = block * half
    out = np.empty((n_legs, nb, size), dtype=np.float64)
    for leg in range(n_legs):
        for j in range(nb):
            for f in range(block):
                for k in range(half):
                    i = f * half + k
                    out[leg, j, i] = dec[j * block + f, k, leg] * window[i]
    return out
