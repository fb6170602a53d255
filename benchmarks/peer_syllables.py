"""Peer syllable-nucleus counter: de Jong & Wempe (2009), "Praat script to detect syllable
nuclei and measure speech rate automatically" (Behavior Research Methods 41(2), 385-390),
as in their script's version 2 (2010 update, defaults ``silencedb = -25``, ``mindip = 2``,
``minpause = 0.3``), run through Praat itself with ``praat-parselmouth``.

The steps follow the script line by line:

1. ``To Intensity: 50, 0, "yes"``; threshold = the 0.99 intensity quantile + silencedb
   (not below the minimum intensity);
2. silences: ``To TextGrid (silences)`` with the script's relative threshold, minpause
   0.3 s, minimum sounding 0.1 s;
3. peaks: the intensity contour as a Sound, ``To PointProcess (extrema): 1, "yes", "no",
   "Sinc70"``; peaks above the threshold;
4. a peak counts when the intensity between it and the next peak dips more than mindip
   (2 dB) below it;
5. and when it lies in a sounding interval with a defined pitch
   (``To Pitch (ac): 0.02, 30, 4, "no", 0.03, 0.25, 0.01, 0.35, 0.25, 450``).

Only the syllable count and the sounding span are used here; everything is in the
benchmark, not the library (parselmouth is a ``[bench]`` extra).
"""

from __future__ import annotations

import numpy as np

__all__ = ["dejong_wempe"]

SILENCE_DB = -25.0
MIN_DIP_DB = 2.0
MIN_PAUSE_S = 0.3


def dejong_wempe(samples: np.ndarray, sample_rate: int) -> dict[str, float]:
    """Syllable nuclei of one utterance by de Jong & Wempe's method.

    Parameters
    ----------
    samples : np.ndarray, shape (n,)
        Mono float audio.
    sample_rate : int
        Hz.

    Returns
    -------
    dict
        ``syllables`` (count), ``sounding_s`` (time from the first to the last sounding
        interval's bounds), ``phonation_s`` (total sounding time).
    """
    import parselmouth
    from parselmouth.praat import call

    snd = parselmouth.Sound(np.asarray(samples, dtype=np.float64), float(sample_rate))
    intensity = call(snd, "To Intensity", 50, 0, "yes")
    start, end = call(intensity, "Get start time"), call(intensity, "Get end time")
    min_int = call(intensity, "Get minimum", 0, 0, "Parabolic")
    max_int = call(intensity, "Get maximum", 0, 0, "Parabolic")
    max99 = call(intensity, "Get quantile", 0, 0, 0.99)
    threshold = max(max99 + SILENCE_DB, min_int)
    threshold3 = SILENCE_DB - (max_int - max99)
    grid = call(intensity, "To TextGrid (silences)", threshold3, MIN_PAUSE_S, 0.1, "silent",
                "sounding")  # fmt: skip
    sounding = []
    for i in range(1, int(call(grid, "Get number of intervals", 1)) + 1):
        if call(grid, "Get label of interval", 1, i) == "sounding":
            sounding.append((call(grid, "Get start time of interval", 1, i),
                             call(grid, "Get end time of interval", 1, i)))  # fmt: skip
    matrix = call(intensity, "Down to Matrix")
    contour = call(matrix, "To Sound (slice)", 1)
    points = call(contour, "To PointProcess (extrema)", 1, "yes", "no", "Sinc70")
    times = [call(points, "Get time from index", i + 1)
             for i in range(int(call(points, "Get number of points")))]  # fmt: skip
    peaks = [(t, v) for t in times
             if (v := call(contour, "Get value at time", 1, t, "cubic")) > threshold]  # fmt: skip
    valid = []
    for p in range(len(peaks) - 1):
        t, v = peaks[p]
        if p > 0:
            v = call(intensity, "Get value at time", t, "cubic")
        dip = call(intensity, "Get minimum", t, peaks[p + 1][0], "None")
        if abs(v - dip) > MIN_DIP_DB:
            valid.append(t)
    pitch = call(snd, "To Pitch (ac)", 0.02, 30, 4, "no", 0.03, 0.25, 0.01, 0.35, 0.25, 450)
    count = 0
    for t in valid:
        in_sound = any(a <= t <= b for a, b in sounding)
        f0 = call(pitch, "Get value at time", t, "Hertz", "linear")
        if in_sound and not np.isnan(f0):
            count += 1
    span = (sounding[-1][1] - sounding[0][0]) if sounding else end - start
    return {
        "syllables": float(count),
        "sounding_s": float(span),
        "phonation_s": float(sum(b - a for a, b in sounding)),
    }
