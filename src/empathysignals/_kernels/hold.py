"""Music-hold kernel: is the agent's line back? (rules in ``detectors.turn_taking``).

The state is a small float64 array owned by the caller, so a stream is picklable and
chunking does not change results.
"""

from __future__ import annotations

import math

import numpy as np

from ._jit import njit

# --- state layout (float64)
L_BACK = 0  # 1.0 once the agent's line is back
L_FLOOR_RUN = 1  # consecutive frames at the floor since the switch was heard
L_FLOOR_TOTAL = 2  # all frames at the floor since then
L_MUSIC_RUN = 3  # music frames since the line came back
L_TALK = 4  # hold-leg talk since the switch was heard (or the line came back)
L_SWITCH_HEARD = 5  # last frame with sound from the switch
L_BACK_FROM = 6  # where the line came back (L_LINE_FROM when it did)
L_MUSIC_DB = 7  # running median of the music's level (NaN until music is heard)
L_LINE_RUN = 8  # frames in a row of the line's own sound: at the floor, or talk
L_LINE_FROM = 9  # first frame of that run
L_LAST_MUSIC = 10  # last music frame
L_TALK_NO_MUSIC = 11  # talk frames since then
L_TALK_NO_MUSIC_FROM = 12  # the first of them
L_PAUSE_LO = 13  # quietest and loudest frame over the floor band of the run at the floor
L_PAUSE_HI = 14  # (NaN: none yet)
L_PAUSE_OK = 15  # the run at the floor has the noise's shape over its first pause frames
L_SHAPE_RUN = 16  # frames of the run at the floor whose band levels are summed ...
L_SHAPE_SUM = 17  # ... here (N_BANDS slots), for the run's spectral shape
N_BANDS = 6  # detectors.frames.LINE_BANDS_HZ
LINE_STATE_SIZE = L_SHAPE_SUM + N_BANDS

# --- parameters (float64)
P_REF = 0  # the hold leg's noise floor before the hold (dB)
P_SWITCH_BELOW = 1  # a frame under this (dB) is near-silence from the switch
P_FLOOR_BAND = 2  # "at the floor": at most this far above it (dB), or nearer it than the music
P_BACK_FRAMES = 3  # frames at the floor that bring the line back
P_MUSIC_RETURN = 4  # music frames that put the hold back
P_TALK_AFTER = 5  # frames with nothing from the switch before talk brings the line back
P_TALK = 6  # talk frames that do
P_HOLD_BACK = 7  # talk frames after which near-silence is the agent's pause
P_MUSIC_STEP = 8  # dB per frame of the music-level median tracker
P_HOLD_START = 9  # first frame of the hold
P_NET_NO_MUSIC = 10  # frames without music after which ...
P_NET_TALK = 11  # ... this much talk is the agent back, whatever the line's level
P_PAUSE_FRAMES = 12  # a pause in the talk rule: this many frames in a row at the floor ...
P_STEADY_DB = 13  # ... within this range of each other where over the floor band (dB)
P_SHAPE_MAX = 14  # a run at the floor brings the line back only if its spectral shape is
# within this (dB, RMS over the bands) of the pre-hold noise's; 0: no shape known, no test
P_SHAPE = 15  # that shape (N_BANDS slots: band levels minus their mean, dB)
LINE_PARAMS_SIZE = P_SHAPE + N_BANDS


def new_line_state(switch_heard: int) -> np.ndarray:
    """State at a music hold's start; ``switch_heard``: the frame it was judged present."""
    state = np.zeros(LINE_STATE_SIZE)
    state[L_SWITCH_HEARD] = switch_heard
    state[L_LAST_MUSIC] = switch_heard
    state[L_BACK_FROM] = -1.0
    state[L_MUSIC_DB] = np.nan
    return state


@njit
def noise_shape_update(shapes: np.ndarray, shape: np.ndarray, alpha: float) -> np.ndarray:
    """Exponential average, frame by frame, of ``shapes`` (k, N_BANDS) into ``shape``
    (N_BANDS,; NaN: none yet, then the first row), with weight ``alpha`` per frame.
    Returns the updated copy. Frame by frame, so chunking does not change the result."""
    out: np.ndarray = shape.copy()
    for i in range(shapes.shape[0]):
        if np.isnan(out[0]):
            out[:] = shapes[i]
        else:
            for b in range(out.shape[0]):
                out[b] += alpha * (shapes[i, b] - out[b])
    return out


@njit
def shape_distance(sums: np.ndarray, count: float, shape: np.ndarray) -> float:
    """RMS difference (dB) between the spectral shape of ``count`` frames whose band levels
    sum to ``sums`` (their mean levels minus the mean over bands) and ``shape``."""
    n = sums.shape[0]
    mean = 0.0
    for b in range(n):
        mean += sums[b] / count
    mean /= n
    acc = 0.0
    for b in range(n):
        d = sums[b] / count - mean - shape[b]
        acc += d * d
    return math.sqrt(acc / n)


@njit
def has_shape(st: np.ndarray, params: np.ndarray) -> bool:
    """Whether the frames summed in ``L_SHAPE_SUM`` have the pre-hold noise's spectral
    shape (always, without a known shape)."""
    if params[P_SHAPE_MAX] <= 0.0:
        return True
    sums = st[L_SHAPE_SUM : L_SHAPE_SUM + N_BANDS]
    shape = params[P_SHAPE : P_SHAPE + N_BANDS]
    return bool(shape_distance(sums, st[L_SHAPE_RUN], shape) <= params[P_SHAPE_MAX])


@njit
def floor_frame(
    e: float, bands: np.ndarray, top: float, band: float, st: np.ndarray, params: np.ndarray
) -> None:
    """Frame level ``e`` (band levels ``bands``) into the run at the floor
    (``L_FLOOR_RUN``), its spectral shape (``L_SHAPE_RUN``, ``L_SHAPE_SUM``) and the talk
    rule's pauses (``L_FLOOR_TOTAL``: the frames of runs of at least ``P_PAUSE_FRAMES``).

    At the floor is at most ``band`` (the pre-hold floor's band), or at most ``top`` (nearer
    that floor than the music) at a steady level: such frames of a run keep within
    ``P_STEADY_DB`` of each other, as a microphone's background does. A queue announcement
    from the switch dips under ``top`` between its words too, falling through it."""
    if e > top:
        st[L_FLOOR_RUN] = 0.0  # (the shape's run restarts with the next run, below)
        return
    if st[L_FLOOR_RUN] == 0.0:
        st[L_PAUSE_LO] = st[L_PAUSE_HI] = np.nan  # no frame over the band in this run yet
    if e > band:
        seen = not np.isnan(st[L_PAUSE_LO])
        lo = min(st[L_PAUSE_LO], e) if seen else e
        hi = max(st[L_PAUSE_HI], e) if seen else e
        if hi - lo > params[P_STEADY_DB]:
            st[L_FLOOR_RUN] = 0.0  # not steady: a new run starts here
            lo = hi = e
        st[L_PAUSE_LO] = lo
        st[L_PAUSE_HI] = hi
    if st[L_FLOOR_RUN] == 0.0:
        st[L_SHAPE_RUN] = 0.0
    if st[L_SHAPE_RUN] == 0.0:
        st[L_SHAPE_SUM : L_SHAPE_SUM + N_BANDS] = 0.0
    st[L_SHAPE_SUM : L_SHAPE_SUM + N_BANDS] += bands
    st[L_SHAPE_RUN] += 1.0
    st[L_FLOOR_RUN] += 1.0
    if st[L_FLOOR_RUN] == params[P_PAUSE_FRAMES]:
        # A pause counts only with the line's own noise in it (its first frames judged)
        st[L_PAUSE_OK] = 1.0 if has_shape(st, params) else 0.0
        st[L_FLOOR_TOTAL] += params[P_PAUSE_FRAMES] * st[L_PAUSE_OK]
    elif st[L_FLOOR_RUN] > params[P_PAUSE_FRAMES]:
        st[L_FLOOR_TOTAL] += st[L_PAUSE_OK]


@njit
def shape_matches(st: np.ndarray, params: np.ndarray) -> bool:
    """Whether the last ``P_BACK_FRAMES`` frames of the run at the floor have the pre-hold
    noise's spectral shape (always, without a known shape: the shape's run then never
    restarts and is the floor run). If they do not, the shape is taken afresh from the next
    frame: the line's own noise is then judged on frames of its own, not on a music
    tail's."""
    if st[L_SHAPE_RUN] < params[P_BACK_FRAMES]:
        return False
    if has_shape(st, params):
        return True
    st[L_SHAPE_RUN] = 0.0
    return False


@njit
def line_scan(
    energy: np.ndarray,
    bands: np.ndarray,
    first: int,
    music: bool,
    talking: bool,
    state: np.ndarray,
    params: np.ndarray,
) -> tuple[int, np.ndarray]:
    """Advance the line state over frames ``first, first + 1, ...`` (hold-leg energies in
    dB, ``energy`` (n,), and band levels in dB, ``bands`` (n, N_BANDS); ``music`` and
    ``talking`` are the same for all of them) and stop after the first frame at which
    "line back" changes.

    Returns the number of frames consumed (all of ``energy`` if nothing changed) and the
    updated copy of ``state``.
    """
    st = state.copy()
    ref = params[P_REF]
    back0 = st[L_BACK]
    for i in range(energy.shape[0]):
        t = first + i
        e = energy[i]
        switch_quiet = e < params[P_SWITCH_BELOW]
        if music:
            st[L_LAST_MUSIC] = t
            st[L_TALK_NO_MUSIC] = 0.0
        elif talking:
            if st[L_TALK_NO_MUSIC] == 0.0:
                st[L_TALK_NO_MUSIC_FROM] = t
            st[L_TALK_NO_MUSIC] += 1.0
        if st[L_BACK] != 0.0:
            if music:
                st[L_MUSIC_RUN] += 1.0
            if talking:
                st[L_TALK] += 1.0
            # A muted line after the agent talked is their pause.
            agent_back = st[L_TALK] >= params[P_HOLD_BACK]
            if (switch_quiet and not agent_back) or st[L_MUSIC_RUN] >= params[P_MUSIC_RETURN]:
                st[L_BACK] = 0.0
                st[L_FLOOR_RUN] = 0.0
                st[L_SWITCH_HEARD] = t
        elif (
            t - st[L_LAST_MUSIC] >= params[P_NET_NO_MUSIC]
            and st[L_TALK_NO_MUSIC] >= params[P_NET_TALK]
        ):
            # Safety net: long talk and no music. Near-silence between the words then is
            # the agent's line, quieter than before the hold (another room, a noise
            # suppressor), not the switch; without this the hold would never end.
            st[L_BACK] = 1.0
            st[L_BACK_FROM] = max(st[L_TALK_NO_MUSIC_FROM], params[P_HOLD_START])
            st[L_MUSIC_RUN] = 0.0
            st[L_TALK] = params[P_HOLD_BACK]  # the agent is back: quiet frames are pauses
        elif switch_quiet or music:
            st[L_SWITCH_HEARD] = t
            st[L_FLOOR_RUN] = 0.0
            st[L_FLOOR_TOTAL] = 0.0
            st[L_TALK] = 0.0
            st[L_LINE_RUN] = 0.0
            if music:
                if np.isnan(st[L_MUSIC_DB]):
                    st[L_MUSIC_DB] = e
                elif e > st[L_MUSIC_DB]:
                    st[L_MUSIC_DB] += params[P_MUSIC_STEP]
                else:
                    st[L_MUSIC_DB] -= params[P_MUSIC_STEP]
        else:
            # The agent's noise may have changed level since the hold began: "at the
            # floor" is also anything nearer that floor than the music's level.
            band = ref + params[P_FLOOR_BAND]
            top = band
            if not np.isnan(st[L_MUSIC_DB]):
                top = max(top, 0.5 * (ref + st[L_MUSIC_DB]))
            floor_frame(e, bands[i], top, band, st, params)
            if talking:
                st[L_TALK] += 1.0
            if st[L_FLOOR_RUN] > 0.0 or talking:
                if st[L_LINE_RUN] == 0.0:
                    st[L_LINE_FROM] = t
                st[L_LINE_RUN] += 1.0
            else:
                st[L_LINE_RUN] = 0.0  # loud, not talk, not music: the switch's sound
            # Talk with pauses and nothing from the switch for a while is the agent back
            # even where their noise never settles (music taken for talk has no pauses).
            talked_back = (
                t - st[L_SWITCH_HEARD] >= params[P_TALK_AFTER]
                and st[L_TALK] >= params[P_TALK]
                and st[L_FLOOR_TOTAL] >= params[P_BACK_FRAMES]
            )
            at_floor = st[L_FLOOR_RUN] >= params[P_BACK_FRAMES] and shape_matches(st, params)
            if at_floor or talked_back:
                st[L_BACK] = 1.0
                # The line's own sound began there. Not necessarily where the switch was
                # last heard: the music detector may have lost the music long before it
                # stopped.
                back_from = st[L_LINE_FROM] if st[L_LINE_RUN] > 0.0 else t
                st[L_BACK_FROM] = max(back_from, params[P_HOLD_START])
                st[L_MUSIC_RUN] = 0.0
                # After talk, quiet frames are the agent's pauses (see P_HOLD_BACK).
                st[L_TALK] = params[P_HOLD_BACK] if talked_back else 0.0
        if st[L_BACK] != back0:
            return i + 1, st
    return energy.shape[0], st
