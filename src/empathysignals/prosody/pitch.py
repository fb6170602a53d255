"""Pitch (F0) tracking: :func:`pitch` for whole signals, :class:`PitchStream` for pushes.

Method (details in ``docs/pitch.md``): audio is brought to an analysis rate (8 kHz below
16 kHz input, else 16 kHz), DC-blocked, and every hop the normalized cross-correlation
(NCCF) of a ``window_s`` rectangular window is searched for peaks between ``1 / fmax_hz``
and ``1 / fmin_hz``; the peaks are voiced candidates, next to one unvoiced candidate whose
score rises in quiet frames. A Viterbi path tracker with octave-jump and voicing-switch
costs (Praat's path finder) picks one candidate per frame, deciding frame ``t`` when frame
``t + lookahead`` is in. The whole-signal function is the stream fed everything, so both
give identical frames for any chunking.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..audio import StreamingResampler, validate_sample_rate, validate_samples
from ..errors import AudioError, ParameterError, StreamStateError

__all__ = ["PitchStream", "PitchTrack", "pitch"]

#: Candidates kept per frame besides the unvoiced one.
N_CANDIDATES = 6
#: High-pass cutoff as a fraction of ``fmin_hz``: removes drifts and hum below the pitch
#: range while costing the lowest F0 less than 2 dB.
HIGHPASS_FRACTION = 0.7
#: The reference level decays this fast (dB/s) so a louder talker earlier in a call does not
#: make later, quieter speech look like silence.
REF_DECAY_DB_PER_S = 3.0
#: Windows below this level (dBFS, RMS) count as silence whatever the reference.
ABS_FLOOR_DBFS = -60.0


@dataclass(frozen=True, slots=True)
class PitchTrack:
    """Frames of a pitch track.

    Attributes
    ----------
    times : (n,) float64
        Frame centres in seconds from the start of the input.
    f0_hz : (n,) float64
        Fundamental frequency in Hz; NaN where the frame is unvoiced.
    voicing : (n,) float64
        Periodicity in [0, 1]: the normalized correlation at the chosen period (at the
        best candidate's period in unvoiced frames).
    sample_rate : int
        Sample rate of the input audio (Hz).
    hop_s : float
        Frame step in seconds (the requested hop rounded to whole samples at the analysis
        rate).
    """

    times: np.ndarray
    f0_hz: np.ndarray
    voicing: np.ndarray
    sample_rate: int
    hop_s: float

    def __len__(self) -> int:
        return int(self.times.shape[0])

    @property
    def voiced(self) -> np.ndarray:
        """(n,) bool: frames with an F0."""
        out: np.ndarray = np.isfinite(self.f0_hz)
        return out

    @staticmethod
    def concatenate(tracks: Sequence[PitchTrack]) -> PitchTrack:
        """Join consecutive parts (e.g. the outputs of a stream's pushes) into one track."""
        if not tracks:
            raise ParameterError("concatenate needs at least one PitchTrack")
        first = tracks[0]
        if any(t.sample_rate != first.sample_rate or t.hop_s != first.hop_s for t in tracks):
            raise ParameterError("tracks differ in sample_rate or hop_s: they cannot be joined")
        return _make_track(
            np.concatenate([t.times for t in tracks]),
            np.concatenate([t.f0_hz for t in tracks]),
            np.concatenate([t.voicing for t in tracks]),
            first.sample_rate,
            first.hop_s,
        )


def _make_track(
    times: np.ndarray, f0: np.ndarray, voicing: np.ndarray, sample_rate: int, hop_s: float
) -> PitchTrack:
    for a in (times, f0, voicing):
        a.setflags(write=False)
    return PitchTrack(times, f0, voicing, sample_rate, hop_s)


def _number(name: str, value: Any, lo: float, hi: float, hint: str = "") -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ParameterError(f"{name} must be a number, got {type(value).__name__}")
    v = float(value)
    if not (math.isfinite(v) and lo <= v <= hi):
        raise ParameterError(f"{name} must be between {lo:g} and {hi:g}, got {value!r}{hint}")
    return v


@dataclass(frozen=True, slots=True)
class _Setup:
    """Validated settings in analysis-rate samples."""

    sample_rate: int
    rate: int  # analysis rate
    hop: int
    block: int  # correlation block: the hop, or half of it when even
    n_blocks: int  # window length in blocks
    offset: int
    lag_lo: int
    lag_hi: int
    lookahead: int
    highpass_hz: float
    params: tuple[float, ...]

    @property
    def hop_s(self) -> float:
        return self.hop / self.rate

    def last_sample(self, t: int) -> int:
        """Index of the last sample frame ``t`` reads."""
        return t * self.hop + self.n_blocks * self.block - self.offset + self.lag_hi


def _setup(
    sample_rate: Any,
    fmin_hz: Any,
    fmax_hz: Any,
    hop_s: Any,
    window_s: Any,
    voicing_threshold: Any,
    silence_threshold: Any,
    octave_cost: Any,
    octave_jump_cost: Any,
    voiced_unvoiced_cost: Any,
    lookahead_s: Any,
) -> _Setup:
    from .._kernels import pitch as k

    sr = validate_sample_rate(sample_rate)
    rate = 8000 if sr < 16000 else 16000
    fmin = _number("fmin_hz", fmin_hz, 20.0, 1000.0)
    fmax = _number(
        "fmax_hz",
        fmax_hz,
        25.0,
        rate / 4,
        f" (pitch is analysed at {rate} Hz for {sr} Hz input; the shortest period must span "
        "4 samples)",
    )
    if fmax < fmin * 1.25:
        raise ParameterError(
            f"fmax_hz ({fmax:g}) must exceed fmin_hz ({fmin:g}) by at least 25 %: "
            "e.g. fmin_hz=60, fmax_hz=500 for adult speech"
        )
    hop_s_v = _number("hop_s", hop_s, 0.001, 0.1)
    window = _number("window_s", window_s, 0.005, 0.1)
    vt = _number("voicing_threshold", voicing_threshold, 0.0, 1.0)
    silence = _number("silence_threshold", silence_threshold, 1e-4, 1.0)
    oc = _number("octave_cost", octave_cost, 0.0, 1.0)
    ojc = _number("octave_jump_cost", octave_jump_cost, 0.0, 10.0)
    vuc = _number("voiced_unvoiced_cost", voiced_unvoiced_cost, 0.0, 10.0)
    look = _number("lookahead_s", lookahead_s, 0.0, 2.0)
    hop = max(1, round(hop_s_v * rate))
    # Half-hop blocks let the window be an odd number of half hops (15 ms at a 10 ms hop).
    block = hop // 2 if hop % 2 == 0 else hop
    n_blocks = max(1, round(window * rate / block))
    lag_lo = max(2, math.floor(rate / fmax))
    lag_hi = math.ceil(rate / fmin)
    width = n_blocks * block
    # Centre the compared material (window plus the lag) on the frame time for the lag in
    # the middle of the range on a log scale (sqrt(fmin * fmax), 173 Hz by default).
    offset = (width + round(math.sqrt(lag_lo * lag_hi))) // 2
    lookahead = round(look / (hop / rate))
    # Praat scales transition costs to a 10 ms step, so the path behaves alike at any hop.
    step = 0.01 / (hop / rate)
    params = [0.0] * k.N_TRACK_PARAMS
    params[k.P_VOICING_THRESHOLD] = vt
    params[k.P_SILENCE_THRESHOLD] = silence
    params[k.P_OCTAVE_COST] = oc
    params[k.P_OCTAVE_JUMP_COST] = ojc * step
    params[k.P_VOICED_UNVOICED_COST] = vuc * step
    params[k.P_REF_DECAY] = 10.0 ** (-REF_DECAY_DB_PER_S * (hop / rate) / 10.0)
    params[k.P_REF_FLOOR] = width * 10.0 ** (ABS_FLOOR_DBFS / 10.0)
    params[k.P_FMAX] = fmax
    params[k.P_LOOKAHEAD] = float(lookahead)
    return _Setup(
        sr,
        rate,
        hop,
        block,
        n_blocks,
        offset,
        lag_lo,
        lag_hi,
        lookahead,
        HIGHPASS_FRACTION * fmin,
        tuple(params),
    )


class PitchStream:
    """Streaming pitch tracker: push audio chunks of any size, get finished frames back.

    Frame ``t`` (centre ``t * hop_s``) is returned once ``lookahead_s`` plus about one
    window of audio after it has been pushed; :meth:`finish` returns the rest. Joining the
    outputs (:meth:`PitchTrack.concatenate`) gives exactly :func:`pitch` of the whole
    input, whatever the chunk sizes. Parameters are those of :func:`pitch`. The state is
    plain numpy arrays and numbers, so a stream can be pickled and resumed.
    """

    def __init__(
        self,
        sample_rate: int,
        *,
        fmin_hz: float = 60.0,
        fmax_hz: float = 500.0,
        hop_s: float = 0.01,
        window_s: float = 0.01,
        voicing_threshold: float = 0.5,
        silence_threshold: float = 0.03,
        octave_cost: float = 0.02,
        octave_jump_cost: float = 0.35,
        voiced_unvoiced_cost: float = 0.25,
        lookahead_s: float = 0.25,
    ) -> None:
        self._setup = _setup(
            sample_rate,
            fmin_hz,
            fmax_hz,
            hop_s,
            window_s,
            voicing_threshold,
            silence_threshold,
            octave_cost,
            octave_jump_cost,
            voiced_unvoiced_cost,
            lookahead_s,
        )
        s = self._setup
        self._resampler = StreamingResampler(s.sample_rate, s.rate)
        self._hp_b, self._hp_a = _butter2_highpass(s.highpass_hz, s.rate)
        self._hp_state = np.zeros(4, dtype=np.float64)
        # Samples before the start are zeros: frame 0's window reaches back `offset`.
        self._x = np.zeros(s.offset, dtype=np.float32)
        self._x_first = -s.offset
        self._n = 0  # analysis-rate samples received
        self._t_next = 0  # next frame whose candidates are computed
        n_ring = s.lookahead + 1
        n_states = N_CANDIDATES + 1
        self._track_state = np.zeros(3, dtype=np.float64)
        self._delta = np.zeros(n_states, dtype=np.float64)
        self._ring_psi = np.zeros((n_ring, n_states), dtype=np.int64)
        self._ring_freq = np.zeros((n_ring, n_states), dtype=np.float64)
        self._ring_peak = np.zeros((n_ring, n_states), dtype=np.float64)
        self._params = np.asarray(s.params, dtype=np.float64)
        self._finished = False

    @property
    def sample_rate(self) -> int:
        return self._setup.sample_rate

    @property
    def hop_s(self) -> float:
        """Frame step in seconds (rounded to whole samples at the analysis rate)."""
        return self._setup.hop_s

    @property
    def frames_out(self) -> int:
        """Frames returned so far."""
        return int(self._track_state[1])

    def push(self, samples: np.ndarray) -> PitchTrack:
        """Add mono samples (shape ``(n,)`` or ``(n, 1)``, int16/int32/float); return the
        frames finished by them (possibly none)."""
        return self.push_checked(_mono(samples))

    def push_checked(self, x: np.ndarray) -> PitchTrack:
        """:meth:`push` for samples already validated: float32, shape ``(n,)``, finite (the
        values are not checked again; their type and shape are)."""
        if self._finished:
            raise StreamStateError("push() after finish(): create a new PitchStream")
        if not (isinstance(x, np.ndarray) and x.dtype == np.float32 and x.ndim == 1):
            raise ParameterError(
                "push_checked takes float32 (n,) samples; use push() for anything else"
            )
        return self._run(self._resampler.process(x), final=False)

    def finish(self) -> PitchTrack:
        """Flush: zero-pad the end and return every remaining frame (centres before the end
        of the input)."""
        if self._finished:
            raise StreamStateError("finish() was already called: create a new PitchStream")
        self._finished = True
        return self._run(self._resampler.finish(), final=True)

    def _run(self, y: np.ndarray, *, final: bool) -> PitchTrack:
        from .._kernels.pitch import P_OCTAVE_COST, highpass, nccf_candidates, track

        s = self._setup
        if y.shape[0]:
            if self._n == 0:
                # Start the filter settled on the first sample: a DC offset would
                # otherwise begin with a decaying step.
                self._hp_state[:2] = y[0]
            filtered = highpass(y, self._hp_b, self._hp_a, self._hp_state)
            self._x = np.concatenate([self._x, filtered])
            self._n += y.shape[0]
        if final:
            n_frames_total = -(-self._n // s.hop)
            t_stop = n_frames_total
            need = s.last_sample(t_stop - 1) + 1 if t_stop > self._t_next else 0
            short = need - (self._x_first + self._x.shape[0])
            if short > 0:
                self._x = np.concatenate([self._x, np.zeros(short, dtype=np.float32)])
        else:
            # one past the last frame t with last_sample(t) <= n - 1
            t_stop = (self._n - 1 - s.lag_hi + s.offset - s.n_blocks * s.block) // s.hop + 1
        n_new = max(0, t_stop - self._t_next)
        lags, peaks, energy = nccf_candidates(
            self._x,
            self._x_first,
            self._t_next,
            n_new,
            s.block,
            s.hop // s.block,
            s.n_blocks,
            s.offset,
            s.lag_lo,
            s.lag_hi,
            N_CANDIDATES,
            s.params[P_OCTAVE_COST],
        )
        freqs = np.divide(s.rate, lags, out=np.zeros_like(lags), where=lags > 0.0)
        t_dec = int(self._track_state[1])
        f0, strength = track(
            freqs,
            peaks,
            energy,
            final,
            self._track_state,
            self._delta,
            self._ring_psi,
            self._ring_freq,
            self._ring_peak,
            self._params,
        )
        self._t_next += n_new
        # Keep only the samples that frames not yet computed will read.
        keep = self._t_next * s.hop - s.offset - self._x_first
        if keep > 0:
            self._x = self._x[keep:].copy()
            self._x_first += keep
        times = (t_dec + np.arange(f0.shape[0], dtype=np.float64)) * s.hop_s
        return _make_track(times, f0, strength, s.sample_rate, s.hop_s)


def _butter2_highpass(cutoff_hz: float, rate: int) -> tuple[np.ndarray, np.ndarray]:
    """2nd-order Butterworth high-pass (bilinear transform), written out so the first call
    does not import scipy.signal; equal to ``scipy.signal.butter(2, cutoff_hz, "highpass",
    fs=rate)`` (tested)."""
    k = math.tan(math.pi * cutoff_hz / rate)
    norm = 1.0 / (1.0 + math.sqrt(2.0) * k + k * k)
    b = np.array([norm, -2.0 * norm, norm])
    a = np.array([1.0, 2.0 * (k * k - 1.0) * norm, (1.0 - math.sqrt(2.0) * k + k * k) * norm])
    return b, a


def _mono(samples: Any) -> np.ndarray:
    x = validate_samples(samples)
    if x.shape[1] != 1:
        raise AudioError(
            f"pitch needs one channel, got {x.shape[1]} (shape {np.shape(samples)}): "
            "pass one channel, e.g. samples[:, 0], or their mean"
        )
    return x[:, 0]


def pitch(
    samples: np.ndarray,
    sample_rate: int,
    *,
    fmin_hz: float = 60.0,
    fmax_hz: float = 500.0,
    hop_s: float = 0.01,
    window_s: float = 0.01,
    voicing_threshold: float = 0.5,
    silence_threshold: float = 0.03,
    octave_cost: float = 0.02,
    octave_jump_cost: float = 0.35,
    voiced_unvoiced_cost: float = 0.25,
    lookahead_s: float = 0.25,
) -> PitchTrack:
    """Fundamental frequency (F0) track of mono speech.

    Works on telephone audio (8 kHz, nothing below 300 Hz: the period is still the peak of
    the correlation) and on wideband audio up to 384 kHz (analysed at 16 kHz).

    Parameters
    ----------
    samples : np.ndarray
        Mono audio, shape ``(n,)`` or ``(n, 1)``; int16, int32 or float in [-1, 1].
    sample_rate : int
        Sample rate of ``samples`` in Hz (8000..384000).
    fmin_hz, fmax_hz : float
        F0 search range in Hz. 60-500 covers adult speech; narrow it for one known talker.
    hop_s : float
        Frame step in seconds (10 ms by default).
    window_s : float
        Correlation window in seconds, rounded to whole half hops (at least one).
    voicing_threshold : float
        Normalized correlation above which a frame tends to be voiced (Praat's default is
        0.45).
    silence_threshold : float
        Windows quieter than this fraction of the running peak level (amplitude) tend to be
        unvoiced.
    octave_cost : float
        Score bonus per octave for higher candidates (against period doubling).
    octave_jump_cost : float
        Path cost per octave of F0 change between consecutive 10 ms frames.
    voiced_unvoiced_cost : float
        Path cost of switching between voiced and unvoiced (per 10 ms frame).
    lookahead_s : float
        How far past a frame the path tracker looks before deciding it: the stream's
        latency beyond the window.

    Returns
    -------
    PitchTrack
        ``ceil(n_analysis / hop)`` frames with centres ``t * hop_s``: ``times`` (s),
        ``f0_hz`` (Hz, NaN unvoiced) and ``voicing`` (0..1), each of shape ``(n_frames,)``.

    Raises
    ------
    AudioError
        Samples not finite, of the wrong dtype or shape, or not mono; unsupported rate.
    ParameterError
        A setting out of range (e.g. ``fmin_hz >= fmax_hz``, ``fmax_hz`` too high for the
        rate).
    """
    stream = PitchStream(
        sample_rate,
        fmin_hz=fmin_hz,
        fmax_hz=fmax_hz,
        hop_s=hop_s,
        window_s=window_s,
        voicing_threshold=voicing_threshold,
        silence_threshold=silence_threshold,
        octave_cost=octave_cost,
        octave_jump_cost=octave_jump_cost,
        voiced_unvoiced_cost=voiced_unvoiced_cost,
        lookahead_s=lookahead_s,
    )
    head = stream.push(samples)
    return PitchTrack.concatenate([head, stream.finish()])
