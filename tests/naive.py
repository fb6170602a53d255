"""Naive pure-Python references of the numba kernels (slow, obviously right)."""

from __future__ import annotations

import itertools
import math

import numpy as np


def frame_features(x: np.ndarray, b: np.ndarray, a: np.ndarray) -> tuple[list[float], list[float]]:
    """Biquad high-pass, then per 80-sample frame the energy in dB; and the filtered signal
    with sample pairs averaged (4 kHz)."""
    y = []
    x1 = x2 = y1 = y2 = 0.0
    for xi in map(float, x):
        yi = b[0] * xi + b[1] * x1 + b[2] * x2 - a[1] * y1 - a[2] * y2
        x2, x1, y2, y1 = x1, xi, y1, yi
        y.append(yi)
    energy = []
    for f in range(len(x) // 80):
        frame = y[f * 80 : (f + 1) * 80]
        p = sum(v * v for v in frame) / 80
        energy.append(10 * math.log10(p) if p > 1e-12 else -120.0)
    dec = [(y[2 * k] + y[2 * k + 1]) / 2 for k in range(len(x) // 2)]
    return energy, dec


def quiet_frame_steps(x: np.ndarray, energy: np.ndarray, quiet_db: float) -> list[list[float]]:
    """Per 80-sample frame and leg: the smallest nonzero difference of consecutive samples
    within the frame if its level is under ``quiet_db``, else infinity (also for a constant
    frame)."""
    out = []
    for f in range(energy.shape[0]):
        row = []
        for leg in range(energy.shape[1]):
            frame = [float(v) for v in x[f * 80 : (f + 1) * 80, leg]]
            nonzero = [abs(b - a) for a, b in itertools.pairwise(frame) if b != a]
            quiet = energy[f, leg] < quiet_db
            row.append(min(nonzero) if quiet and nonzero else math.inf)
        out.append(row)
    return out


def follows(energy: list[list[float]], row: int, leg: int, other: int, lag: int) -> bool:
    """This leg's last ECHO_FOLLOW_FRAMES levels correlate with the other leg's ``lag``
    frames earlier at ECHO_FOLLOW_MIN_R or more (Pearson, 0 where either is flat)."""
    from empathysignals._kernels import vad as k_

    n = k_.ECHO_FOLLOW_FRAMES
    a = [energy[row - i][leg] for i in range(n)]
    b = [energy[row - lag - i][other] for i in range(n)]
    ma, mb = sum(a) / n, sum(b) / n
    sab = sum((x - ma) * (y - mb) for x, y in zip(a, b, strict=True))
    saa = sum((x - ma) ** 2 for x in a)
    sbb = sum((y - mb) ** 2 for y in b)
    r = sab / math.sqrt(saa * sbb) if saa > 0 and sbb > 0 else 0.0
    return r >= k_.ECHO_FOLLOW_MIN_R


def idle_frames(x: np.ndarray, hop: int) -> list[list[bool]]:
    """Per ``hop``-sample frame and leg: every sample equal to the one two before it (within
    the frame)."""
    out = []
    for f in range(x.shape[0] // hop):
        row = []
        for leg in range(x.shape[1]):
            frame = [float(v) for v in x[f * hop : (f + 1) * hop, leg]]
            row.append(all(frame[i] == frame[i - 2] for i in range(2, len(frame))))
        out.append(row)
    return out


def raw_block_steps(x: np.ndarray, block: int, quiet_power: float) -> list[list[float]]:
    """Per block of ``block`` samples and leg: the smallest nonzero difference of
    consecutive samples if the block's power around its mean is under ``quiet_power``."""
    out = []
    for j in range(x.shape[0] // block):
        row = []
        for leg in range(x.shape[1]):
            seg = [float(v) for v in x[j * block : (j + 1) * block, leg]]
            mean = sum(seg) / block
            quiet = sum((v - mean) ** 2 for v in seg) / block < quiet_power
            nonzero = [abs(b - a) for a, b in itertools.pairwise(seg) if b != a]
            row.append(min(nonzero) if quiet and nonzero else math.inf)
        out.append(row)
    return out


def music_score(
    energy: list[float],
    flux: list[float | None],
    floor: float,
    flux_max: float,
    *,
    sounding_only: bool = False,
    sounding_db: float = 6.0,
) -> float:
    """Fraction of stable blocks (of 5 frames each, with ``sounding_only`` only those whose
    mean floored level is ``sounding_db`` over the floor) among the blocks whose flux is
    not ``None`` (tone blocks), or 0 when the frames are within 6 dB of the noise or no
    block counts."""
    level = sum(max(e, floor) for e in energy) / len(energy)
    counted = [j for j, f in enumerate(flux) if f is not None]
    if level < floor + 6.0 or not counted:
        return 0.0
    stable = 0
    for j in counted:
        f = flux[j]
        block_level = sum(max(e, floor) for e in energy[5 * j : 5 * j + 5]) / 5
        if (
            f is not None
            and f <= flux_max
            and (not sounding_only or block_level >= floor + sounding_db)
        ):
            stable += 1
    return stable / len(counted)


def voicing(x: list[float], min_lag: int, max_lag: int) -> float:
    """Peak normalized autocorrelation over lags ``min_lag..max_lag``."""
    best = 0.0
    for lag in range(min_lag, max_lag + 1):
        a, b = x[: len(x) - lag], x[lag:]
        num = sum(p * q for p, q in zip(a, b, strict=True))
        den = math.sqrt(sum(p * p for p in a) * sum(q * q for q in b))
        if den > 0:
            best = max(best, num / den)
    return best


Table = list[list[float]]


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
) -> tuple[list[list[int]], Table, Table, Table, Table, list[list[int]], Table]:
    """The two-leg speech state machine of ``_kernels.vad.vad_frames``, frame by frame in
    plain Python: noise floors (minimum statistics and quantile tracking), echo coupling,
    double-threshold decisions, voiced confirmation with backfill, hangover. Returns the
    labels (tentative and new), the leg state, the sub-window minima, the noise floors and
    the music probabilities."""
    n_legs = hist.shape[1]
    block, n_back, n_ahead = (int(v) for v in music_params)
    speech_db, boundary_db = float(params[0]), float(params[1])
    min_speech, hangover = int(params[2]), int(params[3])
    margin, sub_len = float(params[4]), int(params[5])
    over_no_signal = float(params[6])
    voiced_min, max_echo, peak_db = float(params[7]), float(params[8]), float(params[9])
    ring, spread_k = int(params[10]), float(params[11])
    voiced_run = float(params[12])
    startup_frames, startup_cap = float(params[13]), float(params[14])
    arm_frames, arm_range, descent = float(params[15]), float(params[16]), float(params[17])
    tone_min, tone_blocks = float(params[18]), int(params[19])
    edge_share, edge_reach = float(params[20]), int(params[21])
    max_unvoiced = int(params[22])
    talk_voiced_min = float(params[23])
    energy = hist.tolist()
    st = legs.tolist()
    mins = sub_mins.tolist()
    cur = music_now.tolist()
    out = [list(map(int, row)) for row in tent.tolist()] + [[0] * n_legs for _ in range(n)]
    floors: list[list[float]] = []
    music: list[list[float]] = []
    tones: list[list[int]] = []
    (FLOOR, SMOOTH, BMIN, BCOUNT, INSP, SEGSTART, LASTACT, _HC, RECENT, COUP, STARTED,
     LOWRUN, NMEAN, NVAR, CONF, PEAK, VOICED, MUSIC_UNTIL, SIGNAL, STARTUP, START_RUN,
     START_LO, START_HI, ECHO_LAG, LAST_VOICED) = range(25)  # fmt: skip
    from empathysignals._kernels import vad as k_

    lags = k_.ECHO_MAX_LAG + 1
    ev = echo.tolist()

    def clip(d: float) -> float:
        return min(k_.ECHO_DELTA_CLIP, max(-k_.ECHO_DELTA_CLIP, d))

    def echo_delay(sums: list[float], counts: list[float]) -> float:
        # the lag with the highest mean product, if it has the evidence and stands out
        means = {k: sums[k] / counts[k] for k in range(lags) if counts[k] > 0}
        if not means:
            return 0.0
        best = max(means, key=lambda k: (means[k], -k))
        if counts[best] < k_.ECHO_MIN_FRAMES or means[best] <= 0.0:
            return 0.0
        rivals = [m for k, m in means.items() if abs(k - best) >= 4]
        if any(k_.ECHO_MIN_RATIO * m > means[best] for m in rivals):
            return 0.0
        return float(best + 1)

    music_memory_blocks = 200  # stable blocks count however quiet 10 s after music

    def window_voicing(row: int, leg: int) -> float:
        # dec_hist's rows start at frame dec_first, hist's at hist_first
        r0 = row + hist_first - dec_first
        samples = [float(v) for r in range(r0 - 2, r0 + 1) for v in dec_hist[r, :, leg]]
        return voicing(samples, 10, 64)

    def window_tone(j: int, leg: int, last_window: int) -> bool:
        # a window of tone_blocks covering block j that ends within the lookahead
        last = min(j, last_window)
        return any(
            tone_hist[w, leg, 0] >= tone_min for w in range(max(0, j - tone_blocks + 1), last + 1)
        )

    def in_tone(j: int, leg: int, last_window: int) -> bool:
        # DTMF, a tone window, or a tone-like block next to one
        if tone_hist[j, leg, 1] >= 0.5 or window_tone(j, leg, last_window):
            return True
        near = range(max(0, j - edge_reach), j + edge_reach + 1)
        return bool(tone_hist[j, leg, 2] >= edge_share) and any(
            window_tone(i, leg, last_window) for i in near if i != j
        )

    for k in range(n):
        t = first_frame + k
        row = t - hist_first
        b = t // block - flux_first
        last_window = b + n_ahead - tone_blocks + 1
        tone = [in_tone(b, leg, last_window) for leg in range(n_legs)]
        if t % block == 0:
            for leg in range(n_legs):
                fl = st[leg][NMEAN] if st[leg][STARTED] != 0.0 else -120.0
                # a block in a tone says nothing about music
                flux: list[float | None] = [
                    None if in_tone(j, leg, last_window) else float(flux_hist[j, leg])
                    for j in range(b - n_back + 1, b + n_ahead + 1)
                ]
                cur[leg] = music_score(
                    [energy[i][leg] for i in range(row - (n_back - 1) * block,
                                                   row + (n_ahead + 1) * block)],
                    flux, fl, flux_max, sounding_only=t // block >= st[leg][MUSIC_UNTIL],
                )  # fmt: skip
                if cur[leg] >= 0.5:
                    st[leg][MUSIC_UNTIL] = t // block + music_memory_blocks
        music.append(list(cur))
        tones.append(
            [(2 if tone_hist[b, leg, 1] >= 0.5 else 1) if tone[leg] else 0 for leg in range(n_legs)]
        )
        no_signal = [float(v) for v in no_signal_hist[row]]
        for leg in range(n_legs):  # minimum statistics
            e = energy[row][leg]
            muted = no_signal[leg]
            s = st[leg]
            if s[STARTED] == 0.0:
                s[STARTED], s[SMOOTH], s[BMIN], s[FLOOR] = 1.0, e, e, e
                mins[leg] = [1e9] * len(mins[leg])
            if e > muted and cur[leg] < 0.5 and not tone[leg]:
                s[SMOOTH] = 0.7 * s[SMOOTH] + 0.3 * e
                s[BMIN] = min(s[BMIN], s[SMOOTH])
                s[BCOUNT] += 1.0
                if s[BCOUNT] >= sub_len:
                    mins[leg] = [*mins[leg][1:], s[BMIN]]
                    s[BMIN], s[BCOUNT] = 1e9, 0.0
                s[FLOOR] = min([s[BMIN], *mins[leg]])
        frame_floors = []
        mu_dec = [0.0] * n_legs  # the median the decisions use (capped during a start-up)
        for leg in range(n_legs):  # quantiles of the frames outside speech
            e = energy[row][leg]
            s = st[leg]
            if s[NVAR] == 0.0:
                s[NMEAN], s[NVAR] = e, e + 3.0
            q50, q90 = s[NMEAN], s[NVAR]
            muted = no_signal[leg]
            if e > muted and s[SIGNAL] < startup_frames:  # does the stream open in speech?
                s[SIGNAL] += 1.0
                if s[STARTUP] == 0.0:
                    s[START_LO] = e if s[SIGNAL] == 1.0 else min(s[START_LO], e)
                    s[START_HI] = e if s[SIGNAL] == 1.0 else max(s[START_HI], e)
                    voiced = not tone[leg] and window_voicing(row, leg) >= voiced_min
                    s[START_RUN] = s[START_RUN] + 1.0 if voiced else 0.0
                    if s[START_RUN] >= voiced_run and s[START_HI] - s[START_LO] >= arm_range:
                        s[STARTUP] = 1.0
                    elif s[SIGNAL] >= arm_frames:
                        s[STARTUP] = -1.0
            startup = s[STARTUP] == 1.0 and s[SIGNAL] < startup_frames
            far = startup and q50 > s[FLOOR] + startup_cap
            # an open segment that has not voiced for max_unvoiced frames is noise
            stale = bool(max_unvoiced) and s[INSP] != 0.0 and s[CONF] == 0.0
            stale = stale and t - s[LAST_VOICED] > max_unvoiced
            learn = s[INSP] == 0.0 or far or stale
            if e > muted and cur[leg] < 0.5 and not tone[leg] and learn:
                q50 += 0.1 * 0.5 if e > q50 else -0.1 * 0.5 * (descent if far else 1.0)
                q90 += 0.1 * 0.9 if e > q90 else -0.1 * 0.1
            q50 = max(q50, s[FLOOR])
            q90 = min(max(q90, q50 + 1.0), q50 + 4.0)
            s[NMEAN], s[NVAR] = q50, q90
            mu_dec[leg] = min(q50, s[FLOOR] + startup_cap) if startup else q50
            frame_floors.append(mu_dec[leg])
        floors.append(frame_floors)
        high, low = [False] * n_legs, [False] * n_legs
        echo_ring = k_.ECHO_RING
        base = 2 * lags
        if n_legs == 2:  # each leg's talk delta and flag of this frame, into its rings
            for leg in range(n_legs):
                talking = energy[row][leg] > st[leg][NMEAN] + k_.ECHO_TALK_DB
                d = clip(energy[row][leg] - energy[row - 1][leg]) if talking else 0.0
                at = (-t) % echo_ring
                for copy in (0, echo_ring):
                    ev[leg][base + at + copy] = d
                    ev[leg][base + 2 * echo_ring + at + copy] = 1.0 if talking else 0.0
        for leg in range(n_legs):  # decisions, with echo rejection
            e = energy[row][leg]
            s = st[leg]
            mu, spread = mu_dec[leg], s[NVAR] - s[NMEAN]
            own = True
            if n_legs == 2:
                other = 1 - leg
                de = clip(e - energy[row - 1][leg])
                if abs(de) >= k_.ECHO_DELTA_MIN:
                    for lag in range(lags):  # the other leg's talk deltas, lag frames ago
                        at = (-(t - lag)) % echo_ring
                        ev[leg][lag] += de * ev[other][base + at]
                        ev[leg][lags + lag] += ev[other][base + 2 * echo_ring + at]
                if t % k_.ECHO_EVERY == 0:
                    s[ECHO_LAG] = echo_delay(ev[leg][:lags], ev[leg][lags:])
                window = list(range(k_.ECHO_NEAR + 1))
                far = int(s[ECHO_LAG]) - 1
                if far > k_.ECHO_NEAR:
                    window += list(range(far - 1, far + k_.ECHO_NEAR))
                eo = max(energy[row - lag][other] for lag in window)
                c = s[COUP] if s[COUP] != 0.0 else max_echo
                eo_signal = eo > no_signal[other] + over_no_signal
                other_talk = cur[other] < 0.5 and not tone[other]  # not music, not a tone
                if eo > st[other][NMEAN] + 15.0 and e > mu + 6.0 and eo_signal and other_talk:
                    new_c = c + (0.06 if e - eo > c else -0.14)
                    if new_c <= max_echo:
                        c = new_c
                    elif far >= 0 and follows(energy, row, leg, other, far):
                        c = min(new_c, k_.ECHO_SHOWN_MAX_DB)
                    elif c <= max_echo:
                        c = max_echo
                    c = max(c, -45.0)
                if c > max_echo and far < 0:
                    c = max_echo
                s[COUP] = c
                own = e > eo + c + margin
            signal = e > no_signal[leg] + over_no_signal
            ok = own and music[k][leg] < 0.5 and not tone[leg] and signal
            high[leg] = ok and e > mu + max(speech_db, spread_k * spread)
            low[leg] = ok and e > mu + max(boundary_db, 0.5 * spread_k * spread)
        for leg in range(n_legs):  # segments
            s = st[leg]
            idx = t - tent_first
            if not low[leg]:
                s[LOWRUN] = t + 1
            recent = ((int(s[RECENT]) << 1) | int(high[leg])) & 0xF
            s[RECENT] = recent
            if s[INSP] == 0.0:
                if high[leg] and bin(recent).count("1") >= 3:
                    s[INSP], s[SEGSTART], s[LASTACT] = 1.0, max(int(s[LOWRUN]), t - 10), t
                    s[CONF] = s[PEAK] = s[VOICED] = 0.0
                    s[LAST_VOICED] = t  # for an unconfirmed segment: when it opened
            else:
                last = int(s[LASTACT])
                if max_unvoiced and (high[leg] or low[leg]) and s[CONF] != 0.0:
                    # voicing looked for every VOICED_CHECK_EVERY frames
                    every = k_.VOICED_CHECK_EVERY
                    if t % every == 0 and t - s[LAST_VOICED] >= every:
                        if window_voicing(row, leg) >= talk_voiced_min:
                            s[LAST_VOICED] = t
                    if t - s[LAST_VOICED] > max_unvoiced:  # unvoiced this long: noise
                        high[leg] = low[leg] = False
                if high[leg] or (low[leg] and last == t - 1):
                    s[LASTACT] = t
                elif t - last > hangover:
                    s[INSP] = 0.0
                    if s[CONF] != 0.0 and last - s[SEGSTART] + 1 < min_speech:
                        lo = max(max(int(s[SEGSTART]), t - ring) - tent_first, 0)
                        for j in range(lo, last + 1 - tent_first):
                            out[j][leg] = 0
                    continue
            if s[INSP] == 0.0:
                continue
            if s[CONF] == 0.0 and not high[leg]:
                if s[VOICED] < voiced_run:
                    s[VOICED] = 0.0
            elif s[CONF] == 0.0:
                s[PEAK] = max(s[PEAK], energy[row][leg] - mu_dec[leg])
                if s[VOICED] < voiced_run:
                    voiced = window_voicing(row, leg) >= voiced_min
                    s[VOICED] = s[VOICED] + 1.0 if voiced else 0.0
                if s[VOICED] >= voiced_run and s[PEAK] >= peak_db:
                    s[CONF], s[LAST_VOICED] = 1.0, t
                    lo = max(max(int(s[SEGSTART]), t - ring) - tent_first, 0)
                    for j in range(lo, idx + 1):
                        out[j][leg] = 1
                    continue
            if s[CONF] != 0.0 and s[LASTACT] == t:
                j = idx
                while j >= 0 and j >= t - ring - tent_first and out[j][leg] == 0:
                    out[j][leg] = 1
                    j -= 1
    return out, st, mins, floors, music, tones, ev


def hold_line_back(
    energy: list[float],
    music: list[bool],
    talking: list[bool],
    *,
    ref: float,
    switch_below: float,
    floor_band: float,
    back_frames: int,
    music_return: int,
    talk_after: int,
    talk: int,
    hold_back: int,
    music_step: float,
    hold_start: int,
    switch_heard: int,
    net_no_music: int,
    net_talk: int,
    pause_frames: int,
    steady_db: float,
    bands: list[list[float]] | None = None,
    shape: list[float] | None = None,
    shape_max: float = 0.0,
) -> list[tuple[bool, int]]:
    """Per frame of a music hold: is the agent's line back, and where the music ended
    (docs/concepts.md, hold), written as the rule reads, one frame at a time. ``bands``:
    each frame's band levels (dB); ``shape``: the pre-hold noise's spectral shape, which a
    run at the floor must match within ``shape_max`` dB RMS (0: no test)."""
    back = False
    floor_run = floor_total = music_run = talked = 0
    over_band: list[float] = []  # levels of the current floor run's frames over the band
    window: list[list[float]] = []  # band levels of the frames the shape test will judge
    pause_ok = True  # the run at the floor has the noise's shape over its first pause_frames

    def has_shape() -> bool:
        if shape_max <= 0 or shape is None:
            return True
        mean = [sum(col) / len(window) for col in zip(*window, strict=True)]
        level = sum(mean) / len(mean)
        diff = [m - level - s for m, s in zip(mean, shape, strict=True)]
        return math.sqrt(sum(d * d for d in diff) / len(diff)) <= shape_max

    line_from = None  # first frame of the current run of the line's own sound
    last_music, talk_no_music, talk_no_music_from = switch_heard, 0, 0
    back_from = -1
    music_db = math.nan
    out = []
    for t, e in enumerate(energy):
        from_switch = e < switch_below
        if music[t]:
            last_music, talk_no_music = t, 0
        elif talking[t]:
            if talk_no_music == 0:
                talk_no_music_from = t
            talk_no_music += 1
        if back:
            music_run += music[t]
            talked += talking[t]
            if (from_switch and talked < hold_back) or music_run >= music_return:
                back, floor_run, switch_heard = False, 0, t
                over_band = []
        elif t - last_music >= net_no_music and talk_no_music >= net_talk:
            back, back_from = True, max(talk_no_music_from, hold_start)
            music_run, talked = 0, hold_back
        elif from_switch or music[t]:
            switch_heard, floor_run, floor_total, talked = t, 0, 0, 0
            over_band = []
            line_from = None
            if music[t]:
                if math.isnan(music_db):
                    music_db = e
                else:
                    music_db += music_step if e > music_db else -music_step
        else:
            band = ref + floor_band
            top = band
            if not math.isnan(music_db):
                top = max(top, (ref + music_db) / 2)
            if e > top:
                floor_run, over_band = 0, []
            else:
                if e > band:
                    # over the band, the run's frames must keep a steady level
                    if max([*over_band, e]) - min([*over_band, e]) > steady_db:
                        floor_run, over_band = 0, []
                    over_band.append(e)
                elif floor_run == 0:
                    over_band = []
                if floor_run == 0:
                    window = []
                window.append(bands[t] if bands is not None else [])
                floor_run += 1
                # the talk rule counts the frames of runs of pause_frames or more that have
                # the noise's shape over their first pause_frames
                if floor_run == pause_frames:
                    pause_ok = has_shape()
                    floor_total += pause_frames * pause_ok
                elif floor_run > pause_frames:
                    floor_total += pause_ok
            talked += talking[t]
            own_sound = floor_run > 0 or talking[t]
            if not own_sound:
                line_from = None
            elif line_from is None:
                line_from = t
            quiet_for = t - switch_heard
            talked_back = quiet_for >= talk_after and talked >= talk and floor_total >= back_frames
            at_floor = floor_run >= back_frames
            if at_floor and shape_max > 0 and shape is not None:
                # the run's frames are judged back_frames at a time, each window afresh
                at_floor = len(window) >= back_frames and has_shape()
                if len(window) >= back_frames and not at_floor:
                    window = []
            if at_floor or talked_back:
                back = True
                back_from = max(t if line_from is None else line_from, hold_start)
                music_run = 0
                talked = hold_back if talked_back else 0
        out.append((back, back_from))
    return out
