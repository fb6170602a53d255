"""Voice activity per leg, looking at both legs at once.

Energy above a tracked noise floor (minimum statistics), a music/speech discriminator on
1 s of context, and echo rejection: a leg's frame is its own speech only if it is louder
than the other leg's echo predicted from their measured coupling. Labels are final
:attr:`~empathysignals.config.VadConfig.delay_frames` frames after they arrive.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from ..audio import StreamingResampler, validate_sample_rate, validate_samples
from ..config import ANALYSIS_RATE_HZ, HOP_S, HOP_SAMPLES, TurnTakingConfig, VadConfig
from ..errors import ParameterError, StreamStateError
from ..framing import FrameBuffer
from .frames import FrameBlock

__all__ = ["VoiceActivityResult", "VoiceActivityStream", "voice_activity"]

MUSIC_BLOCK = 5  # frames per music decision
MUSIC_WINDOW = 300  # frames of context per decision (3 s)
ECHO_LAG = 3  # frames of echo delay considered (30 ms)
DB_FLOOR = -120.0
N_SUBWIN = 8
SUBWIN_FRAMES = 50  # 8 x 0.5 s = 4 s minimum-statistics window
ABS_MIN_DBFS = -65.0

#: Logistic music-vs-speech weights [bias, energy sd (dB), flux (dB/frame), low-energy
#: fraction, active fraction, mean level above the noise floor (dB)].
#: Fitted by ``benchmarks/fit_music.py`` on the *tune* split only.
MUSIC_WEIGHTS = np.array([2.0, -0.6, -1.5, -6.0, 6.0, 0.0])


@lru_cache(maxsize=1)
def _highpass_200hz() -> tuple[np.ndarray, np.ndarray]:
    from scipy.signal import butter  # lazy: scipy.signal costs ~0.2 s to import

    b, a = butter(2, 200.0, btype="highpass", fs=ANALYSIS_RATE_HZ)
    return np.asarray(b, dtype=np.float64), np.asarray(a, dtype=np.float64)


class VoiceActivityStream:
    """Streaming voice activity of one call's legs (sans-IO: push samples, get frames).

    Parameters
    ----------
    roles : tuple of str
        Leg names, one per channel (1 or 2).
    sample_rate : int
        Input rate in Hz (>= 8000); resampled to 8 kHz inside.
    config : VadConfig, optional
    muted_max_dbfs : float
        Frames at or below this level never update the noise floor.
    """

    def __init__(
        self,
        roles: tuple[str, ...],
        sample_rate: int,
        *,
        config: VadConfig | None = None,
        muted_max_dbfs: float = TurnTakingConfig().muted_max_dbfs,
    ) -> None:
        self.roles = tuple(roles)
        self.n_legs = len(self.roles)
        if self.n_legs not in (1, 2):
            raise ParameterError(f"one or two legs are supported, got {self.n_legs}")
        self.sample_rate = validate_sample_rate(sample_rate)
        self.config = config or VadConfig()
        self._muted = float(muted_max_dbfs)
        self._lookahead = self.config.music_lookahead_frames
        self._resamplers = [
            StreamingResampler(self.sample_rate, ANALYSIS_RATE_HZ) for _ in self.roles
        ]
        self._frames = FrameBuffer(self.n_legs, HOP_SAMPLES)
        self._feat_state = np.zeros((self.n_legs, 5))
        # Energy history; rows before frame 0 are virtual digital silence.
        self._hist = np.full((MUSIC_WINDOW + ECHO_LAG, self.n_legs), DB_FLOOR)
        self._hist_first = -(MUSIC_WINDOW + ECHO_LAG)
        self._n_feat = 0
        self._music_now = np.zeros(self.n_legs)
        self._music_params = np.array([MUSIC_BLOCK, MUSIC_WINDOW, self._lookahead], dtype=np.int64)
        self._n_vad = 0
        self._legs = np.zeros((self.n_legs, 16))
        self._sub_mins = np.full((self.n_legs, N_SUBWIN), 1e9)
        self._tent = np.zeros((0, self.n_legs), dtype=np.int8)
        self._tent_first = 0
        self._pend_energy = np.zeros((0, self.n_legs))
        self._pend_floor = np.zeros((0, self.n_legs))
        self._pend_music = np.zeros((0, self.n_legs))
        self._finished = False
        self._params = np.array(
            [
                self.config.speech_above_floor_db,
                self.config.boundary_above_floor_db,
                self.config.min_speech_frames,
                self.config.hangover_frames,
                self.config.bleed_margin_db,
                SUBWIN_FRAMES,
                ABS_MIN_DBFS,
                self._muted,
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
    def _features(self, x8k: np.ndarray) -> np.ndarray:
        from .._kernels.vad import frame_features

        b, a = _highpass_200hz()
        n = len(x8k) // HOP_SAMPLES
        energy = np.empty((n, self.n_legs))
        for leg in range(self.n_legs):
            e, _z, self._feat_state[leg] = frame_features(
                np.ascontiguousarray(x8k[:, leg]), b, a, self._feat_state[leg]
            )
            energy[:, leg] = e
        return energy

    def _append(self, energy: np.ndarray) -> None:
        self._hist = np.concatenate([self._hist, energy])
        self._n_feat += len(energy)

    def _run_vad(self, stop: int) -> None:
        """Label frames up to ``stop`` (exclusive); their music context must be in history."""
        from .._kernels.vad import vad_frames

        n = stop - self._n_vad
        if n <= 0:
            return
        tent, self._legs, self._sub_mins, floors, music, self._music_now = vad_frames(
            self._hist,
            self._hist_first,
            self._n_vad,
            n,
            self._legs,
            self._sub_mins,
            self._music_now,
            self._tent,
            self._tent_first,
            self._params,
            self._music_params,
            MUSIC_WEIGHTS,
        )
        lo = self._n_vad - self._hist_first
        self._tent = tent
        self._pend_energy = np.concatenate([self._pend_energy, self._hist[lo : lo + n]])
        self._pend_floor = np.concatenate([self._pend_floor, floors])
        self._pend_music = np.concatenate([self._pend_music, music])
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
        )
        self._tent = self._tent[k:]
        self._pend_energy = self._pend_energy[k:]
        self._pend_floor = self._pend_floor[k:]
        self._pend_music = self._pend_music[k:]
        self._tent_first += k
        # Keep only the history that future music windows and echo lags can reach.
        keep_from = (self._n_vad // MUSIC_BLOCK) * MUSIC_BLOCK - MUSIC_WINDOW - ECHO_LAG
        drop = keep_from - self._hist_first
        if drop > 0:
            self._hist = self._hist[drop:]
            self._hist_first += drop
        return block

    def push(self, samples: np.ndarray) -> FrameBlock:
        """Push ``(n, n_legs)`` float32 samples at ``sample_rate``; return the frames whose
        labels became final (possibly none)."""
        if self._finished:
            raise StreamStateError("push() after finish(): start a new stream for a new call")
        if self.sample_rate != ANALYSIS_RATE_HZ:
            parts = [rs.process(samples[:, i]) for i, rs in enumerate(self._resamplers)]
            samples = np.stack(parts, axis=1) if parts[0].size else samples[:0]
        whole = self._frames.push(samples)
        if len(whole):
            self._append(self._features(whole))
        self._run_vad(self._ready())
        return self._emit(
            self._n_vad - (self.config.hangover_frames + self.config.min_speech_frames + 2)
        )

    def finish(self) -> FrameBlock:
        """Flush: label every remaining frame and return them."""
        if self._finished:
            raise StreamStateError("finish() called twice")
        self._finished = True
        tail = np.zeros((0, self.n_legs), dtype=np.float32)
        if self.sample_rate != ANALYSIS_RATE_HZ:
            parts = [rs.finish() for rs in self._resamplers]
            tail = np.stack(parts, axis=1)
        whole = np.concatenate([self._frames.push(tail), self._frames.finish()])
        if len(whole):
            self._append(self._features(whole))
        n_real = self._n_feat
        # Virtual silence after the end gives the last blocks their lookahead.
        pad = np.full((self._lookahead + MUSIC_BLOCK, self.n_legs), DB_FLOOR)
        self._hist = np.concatenate([self._hist, pad])
        self._run_vad(n_real)
        # Close open segments at their last active frame; drop those too short.
        min_speech = self.config.min_speech_frames
        for leg in range(self.n_legs):
            if self._legs[leg, 4]:
                start, last = int(self._legs[leg, 5]), int(self._legs[leg, 6])
                if last - start + 1 < min_speech:
                    lo = max(0, start - self._tent_first)
                    self._tent[lo : last + 1 - self._tent_first, leg] = 0
                self._legs[leg, 4] = 0.0
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
    roles = tuple(roles)
    x = validate_samples(samples, n_channels=len(roles))
    stream = VoiceActivityStream(roles, rate, config=config)
    blocks = [stream.push(x), stream.finish()]
    frames = FrameBlock.concat(blocks)
    return VoiceActivityResult(roles, frames.active, HOP_S, frames)
