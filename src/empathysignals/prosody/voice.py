"""Loudness, voice quality and speaking rate of one turn.

- :func:`intensity`: Praat's intensity contour (dB re 2e-5 Pa, full-scale float read as
  pascal), plus its energy mean.
- :func:`voice_quality`: local jitter, local shimmer (dB) and harmonics-to-noise ratio,
  with glottal pulses marked on the waveform from a pitch track.
- :func:`speaking_rate`: syllable nuclei per second of phonation and of speech
  (de Jong & Wempe, 2009).
- :func:`pitch_stats`: mean F0 and spread, range and slope in semitones.

Every function that needs pitch takes a track from any tracker: ``f0_hz`` (one value per
frame, NaN or 0 where unvoiced), frame step ``hop_s`` and the time of the first frame's
centre ``f0_start_s`` (seconds from the first sample; 0.0 for empathysignals' tracker).
Methods and validation figures: ``docs/voice.md``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from ..audio import validate_sample_rate, validate_samples
from ..errors import ParameterError

__all__ = [
    "IntensityTrack",
    "PitchStats",
    "SpeakingRate",
    "VoiceQuality",
    "intensity",
    "pitch_stats",
    "speaking_rate",
    "voice_quality",
]

#: Praat's period limits (s) and largest ratio of consecutive periods for jitter/shimmer.
PERIOD_FLOOR_S = 0.0001
PERIOD_CEILING_S = 0.02
MAX_PERIOD_FACTOR = 1.3
#: Praat's largest ratio of consecutive amplitudes for shimmer.
MAX_AMPLITUDE_FACTOR = 1.6
#: Praat's Bessel-window shape parameter for intensity (2 pi^2 + 0.5).
_KAISER_BETA = 2.0 * math.pi**2 + 0.5
#: Frames of HNR analysis processed per FFT batch (bounds memory on long inputs).
_HNR_BATCH = 256


# ----------------------------------------------------------------------------- results
@dataclass(frozen=True, slots=True)
class IntensityTrack:
    """Intensity contour; unpacks as ``times, db = intensity(...)``.

    Attributes
    ----------
    times : (n,) float64
        Frame centres in seconds from the first sample.
    db : (n,) float64
        Intensity in dB re 2e-5 Pa (float full scale 1.0 read as 1 Pa, as Praat does), -300
        for digital silence.
    """

    times: np.ndarray
    db: np.ndarray

    def __iter__(self) -> Iterator[np.ndarray]:
        return iter((self.times, self.db))

    def mean_db(self) -> float:
        """Energy mean of the frames in dB (Praat's ``Get mean ... energy``); NaN if empty."""
        if self.db.size == 0:
            return math.nan
        return float(10.0 * np.log10(np.mean(10.0 ** (self.db / 10.0))))


@dataclass(frozen=True, slots=True)
class VoiceQuality:
    """Voice-quality measures of one stretch of speech (NaN where undefined).

    Attributes
    ----------
    jitter_local : float
        Mean absolute difference of consecutive glottal periods over the mean period
        (a fraction: 0.01 is Praat's "1 %").
    shimmer_local_db : float
        Mean absolute ratio, in dB, of the amplitudes of consecutive periods.
    hnr_db : float
        Mean harmonics-to-noise ratio (dB) over the frames with enough periodic energy.
    n_pulses : int
        Glottal pulses found (the periods behind jitter and shimmer number ``n_pulses - 1``
        at most).
    """

    jitter_local: float
    shimmer_local_db: float
    hnr_db: float
    n_pulses: int


@dataclass(frozen=True, slots=True)
class SpeakingRate:
    """Syllable nuclei and rates of one stretch of speech.

    Attributes
    ----------
    syllables : int
        Syllable nuclei found.
    phonation_time_s : float
        Time spent sounding: speech without pauses of ``min_pause_s`` or longer.
    speech_time_s : float
        From the start of the first sounding stretch to the end of the last (pauses
        included, leading and trailing silence not).
    rate_per_phonation_s : float
        ``syllables / phonation_time_s`` (de Jong & Wempe's "articulation rate"); NaN if no
        phonation.
    rate_per_speech_s : float
        ``syllables / speech_time_s`` ("speech rate"); NaN if no speech.
    nuclei_s : (k,) float64
        Times of the nuclei (s).
    """

    syllables: int
    phonation_time_s: float
    speech_time_s: float
    rate_per_phonation_s: float
    rate_per_speech_s: float
    nuclei_s: np.ndarray


@dataclass(frozen=True, slots=True)
class PitchStats:
    """Summary of a pitch track (NaN where undefined).

    Attributes
    ----------
    mean_hz : float
        Mean F0 of the voiced frames (Hz).
    sd_semitones : float
        Standard deviation of F0 in semitones.
    range_semitones : float
        95th minus 5th percentile of F0 in semitones (robust to stray octave errors).
    slope_semitones_per_s : float
        Least-squares slope of F0 (semitones) against time over the voiced frames.
    n_voiced : int
        Voiced frames.
    """

    mean_hz: float
    sd_semitones: float
    range_semitones: float
    slope_semitones_per_s: float
    n_voiced: int


# ----------------------------------------------------------------------------- validation
#: Intensity (dB re 2e-5 Pa) at or under which a frame carries no signal: digital silence
#: reads -300 dB, and a -100 dBFS signal still reads about -6 dB.
_NO_SIGNAL_DB = -200.0


def _mono(samples: Any, sample_rate: Any) -> tuple[np.ndarray, int]:
    rate = validate_sample_rate(sample_rate)
    x = validate_samples(samples, n_channels=1)[:, 0].astype(np.float64)
    return x, rate


def _positive(
    name: str, value: Any, hint: str, *, low: float = 0.0, high: float = math.inf
) -> float:
    """A number in ``(0, high]`` and at least ``low``: the bounds keep a setting from asking
    for absurd work (a 1e-12 s hop would allocate terabytes)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ParameterError(f"{name} must be a number, got {value!r}; {hint}")
    v = float(value)
    if not math.isfinite(v) or v <= 0.0 or not low <= v <= high:
        bounds = f" in [{low:g}, {high:g}]" if low or high < math.inf else ""
        raise ParameterError(
            f"{name} must be a positive finite number{bounds}, got {value!r}; {hint}"
        )
    return v


def _check_nyquist(f0: np.ndarray, rate: int) -> None:
    """A track with F0 at or above Nyquist belongs to other audio (another sample rate)."""
    if not np.isnan(f0).all() and np.nanmax(f0) >= 0.5 * rate:
        raise ParameterError(
            f"f0_hz reaches {np.nanmax(f0):.0f} Hz, above the Nyquist frequency of "
            f"{rate} Hz audio: was the track computed at another sample rate?"
        )


def _finite(name: str, value: Any) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(v):
        raise ParameterError(f"{name} must be finite, got {value!r}")
    return v


def _f0_track(f0_hz: Any, hop_s: Any, f0_start_s: Any) -> tuple[np.ndarray, float, float]:
    """Validated copy of a pitch track: float64, NaN where unvoiced (0 accepted)."""
    hop = _positive(
        "hop_s",
        hop_s,
        "pass the pitch track's frame step in seconds (e.g. 0.01)",
        low=1e-3,
        high=1.0,
    )
    start = _finite("f0_start_s", f0_start_s)
    try:
        f0 = np.array(f0_hz, dtype=np.float64)
    except (TypeError, ValueError):
        raise ParameterError(
            "f0_hz must be a 1-D array of frequencies in Hz (NaN where unvoiced)"
        ) from None
    if f0.ndim != 1 or f0.size == 0:
        raise ParameterError(
            f"f0_hz must be a non-empty 1-D array (one value per frame), got shape {f0.shape}"
        )
    if np.isinf(f0).any() or (f0 < 0.0).any():
        raise ParameterError(
            "f0_hz holds negative or infinite values; use NaN (or 0) for unvoiced frames"
        )
    f0[f0 == 0.0] = np.nan
    return f0, hop, start


def _check_coverage(f0: np.ndarray, hop: float, start: float, duration: float) -> None:
    """The track must describe these samples: not start before them, not run past them,
    and reach their last quarter second."""
    end = start + (f0.size - 1) * hop
    if start < -hop or end > duration + hop or end < duration - 0.25 - hop:
        raise ParameterError(
            f"the pitch track ({f0.size} frames, hop_s={hop:g}, first frame at "
            f"{start:g} s, last at {end:.3f} s) does not match the audio ({duration:.3f} s): "
            "pass the track computed on these same samples at this sample rate, with "
            "f0_start_s set to its first frame's time"
        )


def _frame_layout(duration: float, window_s: float, hop: float) -> tuple[int, float]:
    """Praat's ``Sampled_shortTermAnalysis``: frames whose whole window fits, centred."""
    n = math.floor((duration - window_s) / hop + 1e-9) + 1
    if n < 1:
        return 0, 0.0
    return n, 0.5 * duration - 0.5 * n * hop + 0.5 * hop


# ----------------------------------------------------------------------------- intensity
def intensity(
    samples: np.ndarray,
    sample_rate: int,
    *,
    hop_s: float = 0.01,
    min_pitch_hz: float = 100.0,
    subtract_mean: bool = True,
) -> IntensityTrack:
    """Intensity contour as Praat's ``Sound: To Intensity``.

    Each frame is the weighted mean square of the samples under a Bessel (Kaiser-like)
    window ``6.4 / min_pitch_hz`` seconds long, in dB re (2e-5)^2 with full-scale float 1.0
    taken as 1 Pa; the window is long enough that the contour does not ripple at F0 down
    to ``min_pitch_hz``. Frames are those whose window fits the input, centred on it.

    Parameters
    ----------
    samples : np.ndarray
        Mono audio, shape ``(n,)`` or ``(n, 1)``: float (full scale 1.0), int16 or int32.
    sample_rate : int
        Hz (8000 for telephone audio).
    hop_s : float
        Frame step in seconds.
    min_pitch_hz : float
        Lowest pitch the window must smooth over (Praat's default 100 Hz: 64 ms window).
    subtract_mean : bool
        Remove each window's mean first (DC offset does not count as sound).

    Returns
    -------
    IntensityTrack
        ``times`` (n_frames,) s and ``db`` (n_frames,) dB; empty when the input is shorter
        than one window.

    Raises
    ------
    AudioError
        Bad samples or sample rate.
    ParameterError
        Non-positive ``hop_s`` or ``min_pitch_hz``.
    """
    x, rate = _mono(samples, sample_rate)
    hop = _positive("hop_s", hop_s, "e.g. 0.01 for 10 ms frames", low=1e-3, high=1.0)
    fmin = _positive("min_pitch_hz", min_pitch_hz, "Praat's default is 100", low=20.0, high=1000.0)
    return _intensity(x, rate, hop, fmin, bool(subtract_mean))


def _intensity(
    x: np.ndarray, rate: int, hop: float, min_pitch_hz: float, subtract_mean: bool
) -> IntensityTrack:
    from .._kernels.voice import intensity_db

    window_s = 6.4 / min_pitch_hz
    half_s = 0.5 * window_s
    half = math.floor(half_s * rate)
    u = np.arange(-half, half + 1, dtype=np.float64) / rate / half_s
    root = 1.0 - u * u
    window = np.where(root > 0.0, np.i0(_KAISER_BETA * np.sqrt(np.clip(root, 0.0, None))), 0.0)
    n_frames, t0 = _frame_layout(x.size / rate, window_s, hop)
    times = t0 + hop * np.arange(n_frames, dtype=np.float64)
    centers = np.floor(times * rate).astype(np.int64)  # nearest sample: round(t*sr - 0.5)
    db = intensity_db(x, centers, window, subtract_mean)
    return IntensityTrack(times, db)


# ----------------------------------------------------------------------------- voice quality
def _hnr_db(
    x: np.ndarray,
    rate: int,
    *,
    min_pitch_hz: float,
    ceiling_hz: float,
    hop_s: float,
    silence_threshold: float,
    periods_per_window: float,
    track: tuple[np.ndarray, float, float] | None = None,
) -> np.ndarray:
    """Per-frame HNR (dB, NaN where unvoiced), Praat's ``To Harmonicity (ac)``; with a
    pitch ``track`` (f0, start, hop) only the lags near its period are searched."""
    from .._kernels.voice import hnr_at_f0, hnr_frames, hnr_from_ac

    # Praat runs this with its Gaussian-window AC method, which doubles the window
    # (9 periods of min_pitch_hz) and keeps lags up to a quarter of it for interpolation.
    periods = 2.0 * periods_per_window
    window_s = periods / min_pitch_hz
    half_window = math.floor(window_s * rate) // 2 - 1
    if half_window < 2:
        return np.zeros(0)
    nw = 2 * half_window
    max_lag = min(math.floor(nw / periods) + 2, nw)
    n_period = math.floor(rate / min_pitch_hz)
    half_period = n_period // 2 + 1
    n_frames, t0 = _frame_layout(x.size / rate, window_s, hop_s)
    if n_frames == 0:
        return np.zeros(0)
    global_peak = float(np.max(np.abs(x - x.mean())))
    if global_peak == 0.0:
        return np.full(n_frames, np.nan)
    nfft = 1
    while nfft < nw * 1.25:
        nfft *= 2
    nb = nw // 4  # Praat's brent_ixmax: lags kept for interpolation
    i = np.arange(1, nw + 1, dtype=np.float64)
    edge = math.exp(-12.0)
    window = (np.exp(-48.0 * (i - 0.5 * (nw + 1)) ** 2 / (nw + 1) ** 2) - edge) / (1.0 - edge)
    wr = np.fft.irfft(np.abs(np.fft.rfft(window, nfft)) ** 2, nfft)[: nb + 1]
    wr = wr / wr[0]
    times = t0 + hop_s * np.arange(n_frames, dtype=np.float64)
    left = np.floor(times * rate - 0.5).astype(np.int64)
    if track is not None:
        f0, start, hop = track
        return hnr_at_f0(
            x,
            left,
            times,
            window,
            wr,
            half_window,
            n_period,
            half_period,
            global_peak,
            silence_threshold,
            f0,
            start,
            hop,
            float(rate),
        )
    out = np.empty(n_frames)
    for b in range(0, n_frames, _HNR_BATCH):
        frames, peaks = hnr_frames(
            x, left[b : b + _HNR_BATCH], window, half_window, n_period, half_period
        )
        spec = np.fft.rfft(frames, nfft, axis=1)
        ac = np.fft.irfft(spec.real**2 + spec.imag**2, nfft, axis=1)[:, : nb + 1]
        rel = np.minimum(peaks / global_peak, 1.0)
        out[b : b + _HNR_BATCH] = hnr_from_ac(
            np.ascontiguousarray(ac), wr, rel, float(rate), max_lag, ceiling_hz, silence_threshold
        )
    return out


def voice_quality(
    samples: np.ndarray,
    sample_rate: int,
    *,
    f0_hz: np.ndarray,
    hop_s: float,
    f0_start_s: float = 0.0,
    hnr_min_pitch_hz: float = 75.0,
    hnr_silence_threshold: float = 0.1,
    hnr_method: Literal["pitch", "praat"] = "pitch",
) -> VoiceQuality:
    """Local jitter, local shimmer (dB) and HNR of one stretch of speech.

    Glottal pulses are marked as Praat's ``To PointProcess (cc)`` does: in each voiced
    stretch of the pitch track, start at the waveform's absolute peak mid-stretch and step
    period by period to where the waveform correlates best with the current period. Jitter
    and shimmer then follow Praat's ``Get jitter (local)`` and ``Get shimmer (local_dB)``
    with its standard limits (periods 0.1-20 ms, consecutive periods within a factor 1.3,
    amplitudes within 1.6; amplitude = Hann-windowed RMS over 0.2 periods either side of a
    pulse). HNR follows Praat's ``To Harmonicity (ac)`` (0.01 s, 75 Hz, 0.1, 4.5): a
    Gaussian window of 9 periods of ``hnr_min_pitch_hz`` (120 ms) every 10 ms, the frame's
    autocorrelation divided by the window's, ``10 log10(r / (1 - r))`` for its peak ``r``,
    frames quieter than ``hnr_silence_threshold`` of the input's peak left out unless
    periodic enough; ``hnr_db`` is the mean over the frames kept.

    Parameters
    ----------
    samples : np.ndarray
        Mono audio, shape ``(n,)`` or ``(n, 1)``: float (full scale 1.0), int16 or int32.
    sample_rate : int
        Hz.
    f0_hz : (n_frames,) array
        Pitch track in Hz, NaN (or 0) where unvoiced, computed on these samples.
    hop_s : float
        The track's frame step (s).
    f0_start_s : float
        Time (s, from the first sample) of the first frame's centre.
    hnr_min_pitch_hz : float
        Lowest F0 the HNR window must hold 4.5 periods of (Praat doubles it for its
        Gaussian window).
    hnr_silence_threshold : float
        Frames whose peak is below this fraction of the input's peak count as silent.
    hnr_method : {"pitch", "praat"}
        ``"pitch"``: ``r`` is the autocorrelation peak within 3 samples of the track's
        period, in frames the track calls voiced (fast; per frame the same value as Praat
        whenever Praat's peak is at the period). ``"praat"``: the strongest peak over all
        lags with Praat's own voicing rule, one FFT per frame (~10x slower); matches
        Praat's mean, which also takes in loud unvoiced frames and so reads ~1 dB lower.

    Returns
    -------
    VoiceQuality
        NaN for a measure with too few periods or voiced frames.

    Raises
    ------
    AudioError
        Bad samples or sample rate.
    ParameterError
        Bad pitch track (shape, values, or not matching the audio's duration) or options.
    """
    from .._kernels.voice import jitter_local, pulse_amplitudes, pulses, shimmer_local_db

    x, rate = _mono(samples, sample_rate)
    f0, hop, start = _f0_track(f0_hz, hop_s, f0_start_s)
    _check_coverage(f0, hop, start, x.size / rate)
    fmin = _positive(
        "hnr_min_pitch_hz", hnr_min_pitch_hz, "Praat's default is 75", low=20.0, high=1000.0
    )
    thr = _positive("hnr_silence_threshold", hnr_silence_threshold, "Praat's default is 0.1")
    if hnr_method not in ("pitch", "praat"):
        raise ParameterError(
            f"hnr_method must be 'pitch' (fast, lags near the track's period) or 'praat' "
            f"(all lags, as Praat), got {hnr_method!r}"
        )
    _check_nyquist(f0, rate)
    pts = pulses(x, float(rate), f0, start, hop)
    jit = jitter_local(pts, PERIOD_FLOOR_S, PERIOD_CEILING_S, MAX_PERIOD_FACTOR)
    at, amp = pulse_amplitudes(
        x, float(rate), pts, PERIOD_FLOOR_S, PERIOD_CEILING_S, MAX_PERIOD_FACTOR
    )
    shim = shimmer_local_db(at, amp, PERIOD_FLOOR_S, PERIOD_CEILING_S, MAX_AMPLITUDE_FACTOR)
    hnr = _hnr_db(
        x,
        rate,
        min_pitch_hz=fmin,
        ceiling_hz=0.5 * rate,
        hop_s=0.01,
        silence_threshold=thr,
        periods_per_window=4.5,
        track=(f0, start, hop) if hnr_method == "pitch" else None,
    )
    voiced = hnr[np.isfinite(hnr)]
    hnr_mean = float(voiced.mean()) if voiced.size else math.nan
    return VoiceQuality(float(jit), float(shim), hnr_mean, int(pts.size))


# ----------------------------------------------------------------------------- speaking rate
def speaking_rate(
    samples: np.ndarray,
    sample_rate: int,
    *,
    f0_hz: np.ndarray,
    hop_s: float,
    f0_start_s: float = 0.0,
    silence_db: float = -25.0,
    min_dip_db: float = 2.0,
    min_pause_s: float = 0.3,
    min_sounding_s: float = 0.1,
    window_min_pitch_hz: float = 50.0,
) -> SpeakingRate:
    """Syllable nuclei per second of phonation and of speech (de Jong & Wempe, 2009).

    The intensity contour (Praat's, window for a 50 Hz pitch floor, 10 ms step) is
    searched for maxima louder than the 99th percentile plus ``silence_db``; a maximum is
    a nucleus when the contour dips by more than ``min_dip_db`` before the next such
    maximum (or the end) and the pitch track is voiced there. Sounding time is where the
    contour stays above the same threshold, pauses shorter than ``min_pause_s`` bridged and
    bursts shorter than ``min_sounding_s`` dropped.

    Parameters
    ----------
    samples : np.ndarray
        Mono audio, shape ``(n,)`` or ``(n, 1)``: float (full scale 1.0), int16 or int32.
    sample_rate : int
        Hz.
    f0_hz : (n_frames,) array
        Pitch track in Hz, NaN (or 0) where unvoiced, computed on these samples.
    hop_s : float
        The track's frame step (s).
    f0_start_s : float
        Time (s, from the first sample) of the first frame's centre.
    silence_db : float
        Threshold relative to the 99th percentile of the contour (dB, negative).
    min_dip_db : float
        Intensity drop (dB) that separates two nuclei.
    min_pause_s, min_sounding_s : float
        Shortest pause and shortest sounding stretch (s).

    Returns
    -------
    SpeakingRate

    Raises
    ------
    AudioError
        Bad samples or sample rate.
    ParameterError
        Bad pitch track or options.
    """
    from .._kernels.voice import sounding_mask, syllable_nuclei

    x, rate = _mono(samples, sample_rate)
    f0, hop, start = _f0_track(f0_hz, hop_s, f0_start_s)
    duration = x.size / rate
    _check_coverage(f0, hop, start, duration)
    _check_nyquist(f0, rate)
    sil = _finite("silence_db", silence_db)
    if sil >= 0.0:
        raise ParameterError(f"silence_db must be negative (dB below the peak), got {sil}")
    dip = _positive("min_dip_db", min_dip_db, "de Jong & Wempe use 2 dB")
    pause = _positive("min_pause_s", min_pause_s, "de Jong & Wempe use 0.3 s")
    sounding = _positive("min_sounding_s", min_sounding_s, "Praat's default is 0.1 s")
    step = 0.01
    wmin = _positive(
        "window_min_pitch_hz", window_min_pitch_hz, "de Jong & Wempe use 50", low=20.0, high=1000.0
    )
    times, db = _intensity(x, rate, step, wmin, True)
    empty = np.zeros(0)
    if db.size < 3:
        return SpeakingRate(0, 0.0, 0.0, math.nan, math.nan, empty)
    q99 = float(np.quantile(db, 0.99))
    if q99 <= _NO_SIGNAL_DB:
        # digital silence: the relative threshold below would count every frame as sounding
        return SpeakingRate(0, 0.0, 0.0, math.nan, math.nan, empty)
    threshold = max(q99 + sil, float(db.min()), _NO_SIGNAL_DB + 1e-9)
    idx = syllable_nuclei(db, times, threshold, dip, f0, start, hop, duration)
    mask = sounding_mask(db, threshold, round(pause / step), max(1, round(sounding / step)))
    phonation = float(mask.sum()) * step
    on = np.flatnonzero(mask)
    speech = float((on[-1] - on[0] + 1) * step) if on.size else 0.0
    n = int(idx.size)
    return SpeakingRate(
        n,
        phonation,
        speech,
        n / phonation if phonation > 0 else math.nan,
        n / speech if speech > 0 else math.nan,
        times[idx],
    )


# ----------------------------------------------------------------------------- pitch stats
def pitch_stats(f0_hz: np.ndarray, *, hop_s: float, f0_start_s: float = 0.0) -> PitchStats:
    """Mean F0 (Hz) and its spread, range and slope in semitones.

    Parameters
    ----------
    f0_hz : (n_frames,) array
        Pitch track in Hz, NaN (or 0) where unvoiced.
    hop_s : float
        Frame step (s).
    f0_start_s : float
        Time of the first frame's centre (s); moves the time axis of the slope fit only
        (the slope does not depend on it).

    Returns
    -------
    PitchStats
        NaN fields when fewer than two frames are voiced.

    Raises
    ------
    ParameterError
        Bad pitch track.
    """
    f0, hop, start = _f0_track(f0_hz, hop_s, f0_start_s)
    voiced = np.flatnonzero(f0 > 0.0)
    n = int(voiced.size)
    if n < 2:
        mean = float(f0[voiced].mean()) if n else math.nan
        return PitchStats(mean, math.nan, math.nan, math.nan, n)
    hz = f0[voiced]
    st = 12.0 * np.log2(hz / np.median(hz))  # the reference cancels in every statistic
    t = start + hop * voiced.astype(np.float64)
    tc = t - t.mean()
    slope = float(np.dot(tc, st - st.mean()) / np.dot(tc, tc))
    lo, hi = np.percentile(st, [5.0, 95.0])
    return PitchStats(float(hz.mean()), float(st.std()), float(hi - lo), slope, n)
