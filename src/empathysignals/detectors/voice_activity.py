"""Voice activity per leg, looking at both legs at once.

Energy above a tracked noise floor (minimum statistics), a music/speech discriminator on
1 s of context, and echo rejection: a leg's frame is its own speech only if it is louder
than the other leg's echo predicted from their measured coupling. Labels are final
:attr:`VoiceActivityStream.latency_frames` (0.49 s) after they arrive.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from ..audio import StreamingResampler, validate_roles, validate_sample_rate, validate_samples
from ..config import ANALYSIS_RATE_HZ, HOP_S, HOP_SAMPLES, VadConfig, config_or_default
from ..errors import ParameterError, StreamStateError
from ..framing import FrameBuffer
from .frames import LINE_BANDS_HZ, N_LINE_BANDS, FrameBlock

__all__ = ["VoiceActivityResult", "VoiceActivityStream", "voice_activity"]

MUSIC_BLOCK = 5  # frames per music block (50 ms)
MUSIC_BACK_BLOCKS = 20  # 1 s of past blocks per decision
#: A block is "stable" when its 200-2000 Hz magnitude spectrum is within this cosine
#: distance of the previous block's. Chosen on the tune split with
#: ``benchmarks/music_features.py``: music blocks sit below it, speech and noise above.
MUSIC_FLUX_MAX = 0.15
MUSIC_BINS = slice(10, 101)  # 200-2000 Hz at 20 Hz resolution (200 samples at 4 kHz)
ECHO_LAG = 59  # frames of history the echo test reads (_kernels.vad.ECHO_MAX_LAG + 9)
DB_FLOOR = -120.0
N_SUBWIN = 8
SUBWIN_FRAMES = 50  # 8 x 0.5 s = 4 s minimum-statistics window
# "No signal" (digital silence, a codec's idle pattern) is judged against the input's own
# resolution, so a leg's decisions do not depend on its recording gain: frames at most
# NO_SIGNAL_OVER_STEP_DB over the smallest step between consecutive samples seen in quiet
# frames (QUIET_FRAME_DBFS; a difference, so a DC offset does not move it) never update the
# noise statistics, and speech must stand SPEECH_OVER_NO_SIGNAL_DB above that level.
# Mu-law's step near zero (8 of 32768, -72.2 dBFS) gives -70 and -65 dBFS, the fixed levels
# used before; A-law's (16, having no zero level) -64 and -59; 16-bit PCM's -88 and -83;
# continuous values (float input) stop at STEP_FLOOR_DBFS. Until a quiet frame has shown
# the step, TELEPHONE_NO_SIGNAL_DBFS.
NO_SIGNAL_OVER_STEP_DB = 2.2
SPEECH_OVER_NO_SIGNAL_DB = 5.0
QUIET_FRAME_DBFS = -60.0
RAW_BLOCKS_PER_S = 100
STEP_FLOOR_DBFS = -100.0
TELEPHONE_NO_SIGNAL_DBFS = -70.0
# Start-up of a stream that opens in speech (``_kernels.vad``, ``VadConfig.startup_s``): set
# on the tune split with benchmarks/study_mid_start.py (streams cut mid-word) and checked
# there on whole calls.
STARTUP_CAP_DB = 10.0
STARTUP_ARM_FRAMES = 50  # the first 0.5 s of signal
STARTUP_ARM_RANGE_DB = 15.0
STARTUP_DESCENT = 4.0  # 20 dB/s instead of 5 dB/s while the median is far over the floor
# Call-progress tones (ring-back, busy, dial: the single and paired frequencies of ITU-T
# E.180) are steady narrow lines that the music rule takes ~0.5 s to hear and that pass
# every speech test. A window of TONE_BLOCKS blocks (200 ms, 5 Hz resolution) is a tone
# when TONE_SHARE_MIN of its 200-2000 Hz energy lies within TONE_HALF_HZ of one plan's
# frequencies, each of a pair holding TONE_PAIR_MIN of it, and the levels of its 50 ms
# blocks stay within TONE_RANGE_DB (a generator is steady, a vowel moves in level; 10 ms
# frames would see a pair's beat, 40 Hz for 440 + 480 Hz). Only windows whose 50 ms
# blocks each hold TONE_PRECHECK of their energy near a tone frequency, and are steady, are
# measured (0.1 % of the windows of simulated calls; tones at 10 dB SNR still pass). Set on
# the tune split's calls (no speech block flagged) and the freedesktop tones
# (benchmarks/study_tones.py). Not single 350, 480 or 620 Hz: no
# network sends them alone, and a held vowel at 172 Hz (its 2nd harmonic at 344 Hz) in an
# AMI meeting excerpt passed as 350 Hz.
TONE_PLANS_HZ: tuple[tuple[float, ...], ...] = (
    (400.0,), (425.0,), (440.0,), (450.0,),
    (350.0, 440.0), (440.0, 480.0), (480.0, 620.0), (400.0, 450.0),
)  # fmt: skip
TONE_PAIR_MIN = 0.2
TONE_BLOCKS = 4
TONE_HALF_HZ = 10.0
TONE_SHARE_MIN = 0.9
TONE_RANGE_DB = 3.0
TONE_PRECHECK = 0.8
TONE_PRECHECK_HALF_HZ = 45.0  # the 50 ms blocks' 20 Hz bins and Hann main lobe
# A block that passes the precheck within TONE_EDGE_BLOCKS of a tone window's block is tone
# too: a burst's edges, and bursts shorter than a window right after one (a ring-back's
# double ring), are covered by no whole steady window.
TONE_EDGE_BLOCKS = 2
# DTMF (ITU-T Q.23: one low- and one high-group frequency) from keypads: digits are 40 ms
# and up, so each 50 ms block is judged alone, at its 20 Hz resolution (the groups'
# frequencies are 70 Hz and more apart): DTMF_SHARE_MIN of its 200-2000 Hz energy within
# DTMF_HALF_HZ of one low and one high frequency, each holding DTMF_PART_MIN of it (a
# level difference, "twist", of up to ~9 dB).
DTMF_LOW_HZ = (697.0, 770.0, 852.0, 941.0)
DTMF_HIGH_HZ = (1209.0, 1336.0, 1477.0, 1633.0)
DTMF_HALF_HZ = 40.0
DTMF_SHARE_MIN = 0.9
DTMF_PART_MIN = 0.1
#: ``_kernels.vad.LEG_STATE_SIZE``, repeated so that building a stream does not import numba.
_LEG_STATE_SIZE = 25
_ECHO_STATE_SIZE = 358  # _kernels.vad.ECHO_STATE_SIZE
MAX_PUSH_S = 30  # seconds of input processed per internal slice


@lru_cache(maxsize=4)
def _hann(n: int) -> np.ndarray:
    return np.hanning(n)


@lru_cache(maxsize=1)
def _tone_masks() -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[tuple[int, ...], ...]]:
    """Bin masks: for the 50 ms blocks' 200-2000 Hz bins, the tone region and one row per
    DTMF frequency (low group, then high), as float weights; the 200 ms windows' 200-2000 Hz
    band, and one row per tone frequency; each plan's rows."""
    rate = ANALYSIS_RATE_HZ / 2  # the 4 kHz samples
    f_block = np.fft.rfftfreq(MUSIC_BLOCK * HOP_SAMPLES // 2, 1 / rate)[MUSIC_BINS]
    tones = [f for plan in TONE_PLANS_HZ for f in plan]
    region = [np.any([np.abs(f_block - f) <= TONE_PRECHECK_HALF_HZ for f in tones], axis=0)]
    region += [np.abs(f_block - f) <= DTMF_HALF_HZ for f in DTMF_LOW_HZ + DTMF_HIGH_HZ]
    block_weights = np.array(region, dtype=np.float64)
    f_win = np.fft.rfftfreq(TONE_BLOCKS * MUSIC_BLOCK * HOP_SAMPLES // 2, 1 / rate)
    band = (f_win >= 200.0) & (f_win <= 2000.0)
    freqs = sorted(set(tones))
    near = np.array([np.abs(f_win - f) <= TONE_HALF_HZ for f in freqs])
    plans = tuple(tuple(freqs.index(f) for f in plan) for plan in TONE_PLANS_HZ)
    return block_weights, band, near, plans


@lru_cache(maxsize=1)
def _block_weights() -> np.ndarray:
    """The 50 ms blocks' bin weights: :func:`_tone_masks`' rows, then one row per band of
    ``LINE_BANDS_HZ`` (the last band includes 2000 Hz, the last bin)."""
    f_block = np.fft.rfftfreq(MUSIC_BLOCK * HOP_SAMPLES // 2, 1 / (ANALYSIS_RATE_HZ / 2))
    f_block = f_block[MUSIC_BINS]
    bands = [(f_block >= lo) & (f_block < hi) for lo, hi in itertools.pairwise(LINE_BANDS_HZ)]
    bands[-1] |= f_block == LINE_BANDS_HZ[-1]
    return np.vstack([_tone_masks()[0], np.array(bands, dtype=np.float64)])


def _plan_share(shares: np.ndarray, plans: tuple[tuple[int, ...], ...]) -> float:
    """The largest share of a plan whose every frequency holds its part (TONE_PAIR_MIN)."""
    best = 0.0
    for plan in plans:
        parts = shares[list(plan)]
        if len(plan) == 1 or parts.min() >= TONE_PAIR_MIN:
            best = max(best, float(parts.sum()))
    return best


@lru_cache(maxsize=1)
def _highpass_200hz() -> tuple[np.ndarray, np.ndarray]:
    """2nd-order Butterworth high-pass at 200 Hz for 8 kHz (bilinear transform), written
    out so the first call does not import scipy.signal (~0.3-1 s); equal to
    ``scipy.signal.butter(2, 200, "highpass", fs=8000)`` (tested)."""
    k = np.tan(np.pi * 200.0 / ANALYSIS_RATE_HZ)
    norm = 1.0 / (1.0 + np.sqrt(2.0) * k + k * k)
    b = np.array([norm, -2.0 * norm, norm])
    a = np.array([1.0, 2.0 * (k * k - 1.0) * norm, (1.0 - np.sqrt(2.0) * k + k * k) * norm])
    return b, a


class VoiceActivityStream:
    """Streaming voice activity of one call's legs (sans-IO: push samples, get frames).

    Parameters
    ----------
    roles : tuple of str
        Leg names, one per channel (1 or 2).
    sample_rate : int
        Input rate in Hz (>= 8000); resampled to 8 kHz inside.
    config : VadConfig, optional
        Thresholds, including ``no_signal_max_dbfs`` (the level at or below which frames
        never update the noise statistics; by default from the input's resolution).
    """

    def __init__(
        self,
        roles: tuple[str, ...],
        sample_rate: int,
        *,
        config: VadConfig | None = None,
    ) -> None:
        self.roles = validate_roles(roles)
        self.n_legs = len(self.roles)
        self.sample_rate = validate_sample_rate(sample_rate)
        self.config = config_or_default(config, VadConfig, "config")
        fixed = self.config.no_signal_max_dbfs
        self._fixed_no_signal = None if fixed is None else float(fixed)
        # Smallest nonzero sample step seen so far in quiet frames, per leg, and its level.
        self._step = np.full(self.n_legs, np.inf)
        self._level = self._no_signal_level(self._step)
        # Input at another rate is resampled, which smears its grid and the edges of its
        # runs of digital silence: both are read there, in 10 ms blocks (RAW_BLOCKS_PER_S)
        # of the input, and frame f uses the last block that ends by the frame's end (the
        # running minimum of the step up to it, and whether it is idle).
        self._raw_block = self.sample_rate // RAW_BLOCKS_PER_S
        self._raw_buffer = FrameBuffer(self.n_legs, self._raw_block)
        self._raw_running = np.zeros((0, self.n_legs))  # running minimum per block ...
        self._raw_idle = np.zeros((0, self.n_legs), dtype=bool)  # idle blocks ...
        self._raw_first = 0  # ... from this block on
        self._raw_tracked = self.sample_rate != ANALYSIS_RATE_HZ
        self._lookahead = self.config.music_lookahead_frames
        self._resamplers = [
            StreamingResampler(self.sample_rate, ANALYSIS_RATE_HZ) for _ in self.roles
        ]
        # Whole music blocks only: frames are labelled a block at a time anyway, so pushes
        # smaller than a block (a 20 ms media packet) only queue their samples.
        self._frames = FrameBuffer(self.n_legs, HOP_SAMPLES * MUSIC_BLOCK)
        self._feat_state = np.zeros((self.n_legs, 4))
        # Energy history; rows before frame 0 are virtual digital silence.
        back = MUSIC_BACK_BLOCKS * MUSIC_BLOCK + ECHO_LAG
        self._hist = np.full((back, self.n_legs), DB_FLOOR)
        self._no_signal_hist = np.full((back, self.n_legs), self._level)
        self._hist_first = -back
        # Spectral flux per music block; virtual blocks before 0 are "not stable".
        self._flux = np.ones((MUSIC_BACK_BLOCKS, self.n_legs))
        self._flux_first = -MUSIC_BACK_BLOCKS
        # Per block, aligned with _flux: the tone share of the window that begins at it,
        # 1.0 if it is DTMF, the share of its own energy near a tone frequency (the columns
        # _kernels.vad.block_in_tone reads) and its level in dB (for the tone precheck).
        self._tone = np.zeros((MUSIC_BACK_BLOCKS, self.n_legs, 4))
        # Per block, aligned with _flux: its levels in the bands of FrameBlock.band_db (dB).
        self._bands = np.zeros((MUSIC_BACK_BLOCKS, self.n_legs, N_LINE_BANDS))
        self._block_dec = np.zeros((0, HOP_SAMPLES // 2, self.n_legs), np.float32)
        self._prev_spec = np.zeros((self.n_legs, MUSIC_BINS.stop - MUSIC_BINS.start))
        # 4 kHz samples of recent frames: the voicing window and the tone windows still to
        # come reach less far back than the levels, so this keeps less (_emit).
        self._dec_hist = np.zeros((len(self._hist), HOP_SAMPLES // 2, self.n_legs), np.float32)
        self._dec_first = self._hist_first
        self._n_feat = 0
        self._music_now = np.zeros(self.n_legs)
        if self._lookahead % MUSIC_BLOCK:
            raise ParameterError(f"music_lookahead_ms must be a multiple of {MUSIC_BLOCK * 10} ms")
        self._music_params = np.array(
            [MUSIC_BLOCK, MUSIC_BACK_BLOCKS, self._lookahead // MUSIC_BLOCK], dtype=np.int64
        )
        self._n_vad = 0
        self._legs = np.zeros((self.n_legs, _LEG_STATE_SIZE))
        self._sub_mins = np.full((self.n_legs, N_SUBWIN), 1e9)
        self._echo = np.zeros((self.n_legs, _ECHO_STATE_SIZE))
        self._tent = np.zeros((0, self.n_legs), dtype=np.int8)
        self._tent_first = 0
        self._pend_energy = np.zeros((0, self.n_legs))
        self._pend_floor = np.zeros((0, self.n_legs))
        self._pend_music = np.zeros((0, self.n_legs))
        self._pend_tone = np.zeros((0, self.n_legs), dtype=np.int8)
        self._pend_no_signal = np.zeros((0, self.n_legs))
        self._pend_bands = np.zeros((0, self.n_legs, N_LINE_BANDS))
        self._finished = False
        # Labels of the last _ring frames may still change; older ones are emitted.
        self._ring = self.config.hangover_frames + self.config.min_speech_frames + 2
        self._params = np.array(
            [
                self.config.speech_above_floor_db,
                self.config.boundary_above_floor_db,
                self.config.min_speech_frames,
                self.config.hangover_frames,
                self.config.bleed_margin_db,
                SUBWIN_FRAMES,
                SPEECH_OVER_NO_SIGNAL_DB,
                self.config.voicing_threshold,
                self.config.max_echo_db,
                self.config.segment_peak_db,
                self._ring,
                self.config.noise_spread_factor,
                self.config.min_voiced_frames,
                self.config.startup_frames,
                STARTUP_CAP_DB,
                STARTUP_ARM_FRAMES,
                STARTUP_ARM_RANGE_DB,
                STARTUP_DESCENT,
                TONE_SHARE_MIN,
                TONE_BLOCKS,
                TONE_PRECHECK,
                TONE_EDGE_BLOCKS,
                self.config.max_unvoiced_frames,
                self.config.talk_voicing_threshold,
            ]
        )

    # ------------------------------------------------------------------ properties
    @property
    def latency_frames(self) -> int:
        """Frames between a frame's arrival and its final label."""
        return (
            self._lookahead
            + MUSIC_BLOCK
            - 1
            + self.config.hangover_frames
            + (self.config.min_speech_frames + 2)
        )

    @property
    def latency_s(self) -> float:
        return self.latency_frames * HOP_S

    @property
    def frames_emitted(self) -> int:
        return self._tent_first

    # ------------------------------------------------------------------ pipeline
    def _features(self, x8k: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        from .._kernels.vad import frame_features

        b, a = _highpass_200hz()
        if self._n_feat == 0 and len(x8k):
            # As if the first frame's mean level had always been there: a DC offset is then
            # no step at the stream's start, whose filter transient would make the first
            # frame loud and the noise estimate start seconds too high.
            self._feat_state[:, 0] = self._feat_state[:, 1] = x8k[:HOP_SAMPLES].mean(axis=0)
        energy, dec, self._feat_state = frame_features(x8k, b, a, self._feat_state)
        if self._raw_tracked:
            idle, raw_steps = self._raw_blocks_for_frames(len(energy))
        else:
            from .._kernels.vad import idle_frames

            idle, raw_steps = idle_frames(x8k, HOP_SAMPLES), None
        # Digital silence, or a codec's idle pattern, is no signal, however loud its
        # decoded samples or the high-pass filter's (or the resampler's) ringing into it.
        energy[idle] = DB_FLOOR
        return energy, dec, self._no_signal_levels(x8k, energy, raw_steps)

    def _no_signal_level(self, step: np.ndarray) -> np.ndarray:
        """No-signal level (dBFS) for a smallest sample step ``step`` (any shape)."""
        if self._fixed_no_signal is not None:
            return np.full(np.shape(step), self._fixed_no_signal)
        with np.errstate(divide="ignore"):
            step_db = np.maximum(20.0 * np.log10(step), STEP_FLOOR_DBFS)
        return np.where(
            np.isfinite(step), step_db + NO_SIGNAL_OVER_STEP_DB, TELEPHONE_NO_SIGNAL_DBFS
        )

    def _track_raw_blocks(self, samples: np.ndarray) -> None:
        """Idle flags of the input's 10 ms blocks and (unless the no-signal level is fixed)
        the running smallest step of its quiet ones (input at another rate)."""
        from .._kernels.vad import idle_frames, raw_block_steps

        whole = self._raw_buffer.push(samples)
        if not len(whole):
            return
        self._raw_idle = np.concatenate([self._raw_idle, idle_frames(whole, self._raw_block)])
        if self._fixed_no_signal is not None:
            return
        steps = raw_block_steps(whole, self._raw_block, 10.0 ** (QUIET_FRAME_DBFS / 10.0))
        last = self._raw_running[-1] if len(self._raw_running) else self._step
        running = np.minimum.accumulate(np.vstack([last, steps]), axis=0)[1:]
        self._raw_running = np.concatenate([self._raw_running, running])

    def _raw_blocks_for_frames(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """(n, L) idle flag and running step of the input block that ends last by each new
        frame's end (not idle, and no step, where it has not arrived)."""
        frames = self._n_feat + np.arange(n)
        block_ends = (frames + 1) * self.sample_rate // 100 // self._raw_block
        rows = block_ends - 1 - self._raw_first
        idle = np.zeros((n, self.n_legs), dtype=bool)
        steps = np.full((n, self.n_legs), np.inf)
        known = len(self._raw_idle)
        if known:
            ok = (rows >= 0) & (rows < known)
            idle[ok] = self._raw_idle[rows[ok]]
            if len(self._raw_running):
                ok = rows >= 0
                steps[ok] = self._raw_running[np.minimum(rows[ok], known - 1)]
            # Keep the block the next frame may need, and those after it.
            keep = int(np.clip(rows[-1], 0, known - 1))
            self._raw_idle = self._raw_idle[keep:]
            self._raw_running = self._raw_running[keep:]
            self._raw_first += keep
        return idle, steps

    def _no_signal_levels(
        self, x8k: np.ndarray, energy: np.ndarray, raw_steps: np.ndarray | None
    ) -> np.ndarray:
        """(n, L) no-signal level of each new frame, from the running smallest step (read
        on the input's own blocks, ``raw_steps``, for input at another rate)."""
        running = self._running_steps(x8k, energy, raw_steps)
        if running is None or not len(running) or not (running[-1] < self._step).any():
            return np.broadcast_to(self._level, energy.shape)
        self._step = running[-1].copy()
        self._level = self._no_signal_level(self._step)
        return self._no_signal_level(running)

    def _running_steps(
        self, x8k: np.ndarray, energy: np.ndarray, raw_steps: np.ndarray | None
    ) -> np.ndarray | None:
        """(n, L) smallest step seen up to each new frame, or None where nothing can have
        lowered it (a fixed level, or no quiet frame at 8 kHz)."""
        if self._fixed_no_signal is not None:
            return None
        if raw_steps is not None:
            return raw_steps
        if not (energy < QUIET_FRAME_DBFS).any():
            return None
        from .._kernels.vad import quiet_frame_steps

        steps = quiet_frame_steps(x8k, energy, QUIET_FRAME_DBFS)
        return np.minimum.accumulate(np.vstack([self._step, steps]), axis=0)[1:]

    def _append(self, features: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
        energy, dec, no_signal = features
        self._hist = np.concatenate([self._hist, energy])
        self._no_signal_hist = np.concatenate([self._no_signal_hist, no_signal])
        self._dec_hist = np.concatenate([self._dec_hist, dec])
        self._n_feat += len(energy)
        block_dec = np.concatenate([self._block_dec, dec]) if len(self._block_dec) else dec
        n_blocks = len(block_dec) // MUSIC_BLOCK
        if n_blocks:
            used = n_blocks * MUSIC_BLOCK
            flux, region, level, dtmf, bands = self._block_flux(block_dec[:used])
            self._flux = np.concatenate([self._flux, flux])
            self._bands = np.concatenate([self._bands, bands])
            new = np.stack([np.zeros_like(region), dtmf, region, level], axis=2)
            self._tone = np.concatenate([self._tone, new])
            self._measure_tones(len(self._flux) - n_blocks)
        self._block_dec = block_dec[n_blocks * MUSIC_BLOCK :].copy()

    def _block_flux(
        self, dec: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Cosine distance between consecutive 50 ms magnitude spectra, per leg; the share
        of each block's 200-2000 Hz energy near a tone frequency; that energy in dB (of the
        spectrum); and 1.0 where the block is DTMF. All (blocks, L). Last, the blocks' band
        levels in dB, (blocks, L, N_LINE_BANDS)."""
        from .._kernels.vad import spectral_flux, tone_block_features, window_blocks

        # (legs, blocks, 200 samples at 4 kHz), windowed, rows contiguous for the FFT.
        x = window_blocks(dec, _hann(MUSIC_BLOCK * dec.shape[1]), MUSIC_BLOCK)
        # numpy's FFT on contiguous float64 rows (scipy.fft would be a bit faster but its
        # import adds ~0.2 s to the first call); the kernel forms the magnitudes itself.
        spectrum = np.fft.rfft(x, axis=-1)
        flux, self._prev_spec, power, weighted = spectral_flux(
            spectrum, MUSIC_BINS.start, self._prev_spec, _block_weights()
        )
        n_tone = weighted.shape[2] - N_LINE_BANDS
        region, level, dtmf = tone_block_features(
            power,
            np.ascontiguousarray(weighted[:, :, :n_tone]),
            len(DTMF_LOW_HZ),
            DTMF_SHARE_MIN,
            DTMF_PART_MIN,
        )
        bands = 10.0 * np.log10(weighted[:, :, n_tone:] + 1e-20)
        return flux, region, level, dtmf, bands

    def _measure_tones(self, first_new: int) -> None:
        """Tone share of each window whose last block arrived in this push (rows of
        ``_flux`` from ``first_new``); see TONE_PLANS_HZ."""
        lo = max(0, first_new - TONE_BLOCKS + 1, -self._flux_first)  # no virtual blocks
        hi = len(self._flux) - TONE_BLOCKS + 1  # window starts lo..hi-1
        region = self._tone[:, :, 2]
        if hi <= lo or not (region[first_new:] >= TONE_PRECHECK).any():
            return  # (a window's last block must pass too: the usual exit, one test)
        # Precheck, vectorized: every block of the window near a tone frequency.
        near_tone = region[lo : hi + TONE_BLOCKS - 1] >= TONE_PRECHECK
        passing = near_tone[: hi - lo].copy()
        for k in range(1, TONE_BLOCKS):
            passing &= near_tone[k : k + hi - lo]
        if not passing.any():
            return
        # ... and steady: its blocks' levels within TONE_RANGE_DB.
        levels = self._tone[lo : hi + TONE_BLOCKS - 1, :, 3]
        top, bottom = levels[: hi - lo].copy(), levels[: hi - lo].copy()
        for k in range(1, TONE_BLOCKS):
            np.maximum(top, levels[k : k + hi - lo], out=top)
            np.minimum(bottom, levels[k : k + hi - lo], out=bottom)
        passing &= top - bottom <= TONE_RANGE_DB
        _, band, near, plans = _tone_masks()
        frames = TONE_BLOCKS * MUSIC_BLOCK
        f0 = (self._flux_first + lo) * MUSIC_BLOCK - self._dec_first
        for offset, leg in zip(*np.nonzero(passing), strict=True):
            row = lo + int(offset)
            r0 = f0 + int(offset) * MUSIC_BLOCK
            x = self._dec_hist[r0 : r0 + frames, :, leg].reshape(-1)
            power = np.abs(np.fft.rfft(x * _hann(len(x)))) ** 2
            total = power[band].sum()
            if total > 0.0:
                self._tone[row, leg, 0] = _plan_share(near @ power / total, plans)

    def _run_vad(self, stop: int) -> None:
        """Label frames up to ``stop`` (exclusive); their music context must be in history."""
        from .._kernels.vad import vad_frames

        n = stop - self._n_vad
        if n <= 0:
            return
        (tent, self._legs, self._sub_mins, floors, music, self._music_now, tone, self._echo) = (
            vad_frames(
                self._hist,
                self._dec_hist,
                self._flux,
                self._tone,
                self._no_signal_hist,
                self._hist_first,
                self._flux_first,
                self._n_vad,
                n,
                self._legs,
                self._sub_mins,
                self._music_now,
                self._tent,
                self._tent_first,
                self._params,
                self._music_params,
                MUSIC_FLUX_MAX,
                self._echo,
                self._dec_first,
            )
        )
        lo = self._n_vad - self._hist_first
        self._tent = tent
        self._pend_energy = np.concatenate([self._pend_energy, self._hist[lo : lo + n]])
        self._pend_floor = np.concatenate([self._pend_floor, floors])
        self._pend_music = np.concatenate([self._pend_music, music])
        self._pend_tone = np.concatenate([self._pend_tone, tone])
        self._pend_no_signal = np.concatenate(
            [self._pend_no_signal, self._no_signal_hist[lo : lo + n]]
        )
        blocks = np.arange(self._n_vad, stop) // MUSIC_BLOCK - self._flux_first
        self._pend_bands = np.concatenate([self._pend_bands, self._bands[blocks]])
        self._n_vad = stop

    def _ready(self) -> int:
        """Frames whose whole music block has its lookahead context."""
        blocks = max(0, (self._n_feat - self._lookahead) // MUSIC_BLOCK)
        return min(blocks * MUSIC_BLOCK, self._n_feat)

    def _emit(self, upto: int) -> FrameBlock:
        k = max(0, upto - self._tent_first)
        block = FrameBlock(
            self._tent_first,
            self.roles,
            self._tent[:k].astype(bool),
            self._pend_energy[:k],
            self._pend_floor[:k],
            self._pend_music[:k],
            HOP_S,
            self._pend_tone[:k] > 0,
            self._pend_no_signal[:k],
            self._pend_tone[:k] == 2,
            self._pend_bands[:k],
        )
        self._tent = self._tent[k:]
        self._pend_energy = self._pend_energy[k:]
        self._pend_floor = self._pend_floor[k:]
        self._pend_music = self._pend_music[k:]
        self._pend_tone = self._pend_tone[k:]
        self._pend_no_signal = self._pend_no_signal[k:]
        self._pend_bands = self._pend_bands[k:]
        self._tent_first += k
        # Keep only the history that future music windows and echo lags can reach.
        first_block = self._n_vad // MUSIC_BLOCK - MUSIC_BACK_BLOCKS
        keep_from = first_block * MUSIC_BLOCK - ECHO_LAG - 3  # 3: voicing window
        drop = keep_from - self._hist_first
        if drop > 0:
            self._hist = self._hist[drop:]
            self._no_signal_hist = self._no_signal_hist[drop:]
            self._hist_first += drop
        # The 4 kHz samples: the voicing window of the next frame to label, and the tone
        # windows that the next music blocks complete (_measure_tones).
        next_block = self._flux_first + len(self._flux)
        keep_dec = min(self._n_vad - 2, (next_block - TONE_BLOCKS + 1) * MUSIC_BLOCK)
        drop = keep_dec - self._dec_first
        if drop > 0:
            self._dec_hist = self._dec_hist[drop:]
            self._dec_first += drop
        # The tone table is read further back: windows that cover a block next to the
        # music context's first block (_kernels.vad.block_in_tone).
        drop = first_block - TONE_BLOCKS - TONE_EDGE_BLOCKS - self._flux_first
        if drop > 0:
            self._flux = self._flux[drop:]
            self._tone = self._tone[drop:]
            self._bands = self._bands[drop:]
            self._flux_first += drop
        return block

    def push(self, samples: np.ndarray) -> FrameBlock:
        """Push ``(n, n_legs)`` samples at ``sample_rate`` (int16, int32 or float, as
        :func:`~empathysignals.audio.validate_samples` takes them; a mono stream also takes
        ``(n,)``); return the frames whose labels became final (possibly none).

        Raises
        ------
        AudioError
            Wrong type, dtype or shape, or non-finite values.
        """
        return self.push_validated(validate_samples(samples, n_channels=self.n_legs))

    def push_validated(self, samples: np.ndarray) -> FrameBlock:
        """:meth:`push` for samples the caller has checked already: float32 ``(n, n_legs)``
        from :func:`~empathysignals.audio.validate_samples` (their values are not checked
        again; their type and shape are, which costs nothing)."""
        if self._finished:
            raise StreamStateError("push() after finish(): start a new stream for a new call")
        if not (
            isinstance(samples, np.ndarray)
            and samples.dtype == np.float32
            and samples.ndim == 2
            and samples.shape[1] == self.n_legs
        ):
            raise ParameterError(
                f"push_validated takes float32 (n, {self.n_legs}) samples from validate_samples; "
                "use push() for anything else"
            )
        # Long pushes go through in slices: the same result (chunking never changes it), but
        # working arrays stay cache-sized instead of hundreds of MB for an hour of audio.
        step = MAX_PUSH_S * self.sample_rate
        if len(samples) <= step:
            return self._push(samples)
        return FrameBlock.concat(
            [self._push(samples[i : i + step]) for i in range(0, len(samples), step)]
        )

    def _push(self, samples: np.ndarray) -> FrameBlock:
        if self._raw_tracked:
            self._track_raw_blocks(samples)
        if self.sample_rate != ANALYSIS_RATE_HZ:
            parts = [rs.process(samples[:, i]) for i, rs in enumerate(self._resamplers)]
            samples = np.stack(parts, axis=1) if parts[0].size else samples[:0]
        whole = self._frames.push(samples)
        if not len(whole):
            return self._emit(self._tent_first)  # nothing new: no frame became final
        self._append(self._features(whole))
        self._run_vad(self._ready())
        return self._emit(self._n_vad - self._ring)

    def finish(self) -> FrameBlock:
        """Flush: label every remaining frame and return them."""
        if self._finished:
            raise StreamStateError("finish() called twice")
        self._finished = True
        tail = np.zeros((0, self.n_legs), dtype=np.float32)
        if self.sample_rate != ANALYSIS_RATE_HZ:
            parts = [rs.finish() for rs in self._resamplers]
            tail = np.stack(parts, axis=1)
        whole = np.concatenate([self._frames.push(tail), self._frames.finish(unit=HOP_SAMPLES)])
        if len(whole):
            self._append(self._features(whole))
        n_real = self._n_feat
        # Virtual silence after the end gives the last blocks their lookahead.
        pad = np.full((self._lookahead + MUSIC_BLOCK, self.n_legs), DB_FLOOR)
        self._hist = np.concatenate([self._hist, pad])
        self._no_signal_hist = np.concatenate(
            [self._no_signal_hist, np.broadcast_to(self._no_signal_hist[-1], pad.shape)]
        )
        self._dec_hist = np.concatenate(
            [self._dec_hist, np.zeros((len(pad), HOP_SAMPLES // 2, self.n_legs), np.float32)]
        )
        n_pad_blocks = self._lookahead // MUSIC_BLOCK + 2
        self._flux = np.concatenate([self._flux, np.ones((n_pad_blocks, self.n_legs))])
        self._tone = np.concatenate([self._tone, np.zeros((n_pad_blocks, self.n_legs, 4))])
        self._bands = np.concatenate(
            [self._bands, np.full((n_pad_blocks, self.n_legs, N_LINE_BANDS), DB_FLOOR)]
        )
        self._run_vad(n_real)
        from .._kernels import vad as k

        # Close open segments at their last active frame; drop those too short.
        min_speech = self.config.min_speech_frames
        for leg in range(self.n_legs):
            if self._legs[leg, k.S_IN_SPEECH]:
                start = int(self._legs[leg, k.S_SEG_START])
                last = int(self._legs[leg, k.S_LAST_ACT])
                confirmed = self._legs[leg, k.S_CONFIRMED] != 0.0
                if confirmed and last - start + 1 < min_speech:
                    lo = max(0, start - self._tent_first)
                    self._tent[lo : last + 1 - self._tent_first, leg] = 0
                if confirmed:
                    # frames after the last active one were bridged tentatively: undo
                    self._tent[max(0, last + 1 - self._tent_first) :, leg] = 0
                self._legs[leg, k.S_IN_SPEECH] = 0.0
        return self._emit(self._n_vad)


@dataclass(frozen=True, slots=True)
class VoiceActivityResult:
    """Voice activity of a whole recording.

    Attributes
    ----------
    roles : tuple of str
    active : np.ndarray, (n_frames, n_legs) bool
        Frame ``i`` covers ``[i * hop_s, (i + 1) * hop_s)``.
    hop_s : float
    frames : FrameBlock
        All per-frame features.
    """

    roles: tuple[str, ...]
    active: np.ndarray
    hop_s: float
    frames: FrameBlock

    def segments(self, role: str) -> list[tuple[float, float]]:
        """Speech segments of ``role`` as ``(start_s, end_s)`` pairs."""
        col = self.roles.index(role)
        x = np.concatenate([[False], self.active[:, col], [False]]).astype(np.int8)
        edges = np.flatnonzero(np.diff(x))
        pairs = zip(edges[::2], edges[1::2], strict=True)
        return [(s * self.hop_s, e * self.hop_s) for s, e in pairs]


def voice_activity(
    samples: Any,
    sample_rate: int,
    *,
    roles: tuple[str, ...] = ("customer", "agent"),
    config: VadConfig | None = None,
) -> VoiceActivityResult:
    """Voice activity of each leg of a recording (the stream fed everything, then finished).

    Parameters
    ----------
    samples : np.ndarray, shape (n,) or (n, n_legs)
        int16 or float audio; one column per role.
    sample_rate : int
        Hz, >= 8000.
    roles : tuple of str
        One name per column.
    config : VadConfig, optional

    Returns
    -------
    VoiceActivityResult
    """
    rate = validate_sample_rate(sample_rate)
    roles = validate_roles(roles)
    x = validate_samples(samples, n_channels=len(roles))
    stream = VoiceActivityStream(roles, rate, config=config)
    blocks = [stream.push_validated(x), stream.finish()]
    frames = FrameBlock.concat(blocks)
    return VoiceActivityResult(roles, frames.active, HOP_S, frames)
