"""The streaming Analyzer: shared configuration, cheap per-call streams (sans-IO).

>>> analyzer = Analyzer(roles=("customer", "agent"), sample_rate=8000)
>>> call = analyzer.stream()
>>> events = call.push(chunk)          # any chunk size, (n, 2) samples
>>> events += call.finish()            # the summary is the last event

Batch analysis (:func:`analyze`, :func:`analyze_file`) is the same stream fed everything.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import numpy as np

from .audio import (
    decode_alaw,
    decode_mulaw,
    decode_pcm16,
    load_audio,
    validate_roles,
    validate_sample_rate,
    validate_samples,
)
from .config import HOP_S, TurnTakingConfig, VadConfig
from .detectors.base import Detector, DetectorContext, DetectorFactory
from .detectors.frames import FrameBlock
from .detectors.turn_taking import TurnTakingDetector
from .detectors.voice_activity import VoiceActivityStream
from .errors import AudioError, ParameterError, StreamStateError
from .events import Event
from .segmentation import Segmentation, read_rttm
from .summary import SummaryBuilder

__all__ = ["Analyzer", "CallStream", "analyze", "analyze_file", "warmup"]

Encoding = Literal["mulaw", "alaw", "pcm16"]
_DECODERS = {"mulaw": decode_mulaw, "alaw": decode_alaw, "pcm16": decode_pcm16}


class Analyzer:
    """Configuration shared by many calls; :meth:`stream` makes one call's state.

    Parameters
    ----------
    roles : tuple of str
        Names of the legs in channel order, e.g. ``("customer", "agent")``; one role for a
        single-speaker leg.
    sample_rate : int
        Input rate in Hz (8000 for telephony; any rate from 8000 Hz up).
    vad : VadConfig, optional
    turn_taking : TurnTakingConfig, optional
    detectors : sequence of factories, optional
        Extra detectors (see :class:`~empathysignals.detectors.base.Detector`); each factory
        is called with a :class:`DetectorContext` once per call.

    Notes
    -----
    An Analyzer is immutable and holds no per-call state: share one across threads and calls.
    """

    def __init__(
        self,
        *,
        roles: Sequence[str] | str = ("customer", "agent"),
        sample_rate: int = 8000,
        vad: VadConfig | None = None,
        turn_taking: TurnTakingConfig | None = None,
        detectors: Sequence[DetectorFactory] = (),
    ) -> None:
        self.roles = validate_roles(roles)
        self.sample_rate = validate_sample_rate(sample_rate)
        if vad is not None and not isinstance(vad, VadConfig):
            raise ParameterError(f"vad must be a VadConfig, got {type(vad).__name__}")
        if turn_taking is not None and not isinstance(turn_taking, TurnTakingConfig):
            raise ParameterError(
                f"turn_taking must be a TurnTakingConfig, got {type(turn_taking).__name__}"
            )
        self.vad = vad or VadConfig()
        self.turn_taking = turn_taking or TurnTakingConfig()
        for factory in detectors:
            if not callable(factory):
                raise ParameterError(f"detectors must be callables (factories), got {factory!r}")
        self.detectors = tuple(detectors)

    def stream(
        self,
        *,
        segmentation: Iterable[Sequence[object]] | Segmentation | None = None,
        speaker_roles: Mapping[str, str] | None = None,
    ) -> CallStream:
        """Start a new call.

        Parameters
        ----------
        segmentation : rows of (speaker, start_s, end_s), optional
            For a mono recording holding both parties: a diarizer's speaker turns. Speaker
            activity then comes from the segmentation; the audio still drives hold detection.
        speaker_roles : mapping, optional
            Diarizer speaker label -> role.
        """
        return CallStream(self, segmentation=segmentation, speaker_roles=speaker_roles)

    @property
    def latency_s(self) -> float:
        """Stream time between a frame's arrival and decisions about it."""
        return VoiceActivityStream(self.roles[:1], 8000, config=self.vad).latency_s

    def __repr__(self) -> str:
        return (
            f"Analyzer(roles={self.roles!r}, sample_rate={self.sample_rate}, "
            f"vad={self.vad!r}, turn_taking={self.turn_taking!r})"
        )


class CallStream:
    """One call's state. Push audio, receive events; :meth:`finish` returns the rest and the
    summary. Picklable between pushes (move a call to another worker)."""

    def __init__(
        self,
        analyzer: Analyzer,
        *,
        segmentation: Iterable[Sequence[object]] | Segmentation | None = None,
        speaker_roles: Mapping[str, str] | None = None,
    ) -> None:
        self.roles = analyzer.roles
        self.sample_rate = analyzer.sample_rate
        self._segmentation: Segmentation | None = None
        audio_roles = self.roles
        if segmentation is not None:
            if len(self.roles) != 2:
                raise ParameterError("a segmentation needs two roles, e.g. ('customer', 'agent')")
            self._segmentation = (
                segmentation
                if isinstance(segmentation, Segmentation)
                else Segmentation.from_rows(segmentation, self.roles, speaker_roles)
            )
            audio_roles = (self.roles[-1],)  # one mono channel carries both parties
        self.n_channels = len(audio_roles)
        self._vad = VoiceActivityStream(audio_roles, self.sample_rate, config=analyzer.vad)
        self.context = DetectorContext(self.roles, self._vad.latency_frames)
        self._turns = TurnTakingDetector(self.context, analyzer.turn_taking)
        self._detectors: list[Detector] = [self._turns]
        for factory in analyzer.detectors:
            det = factory(self.context)
            if not isinstance(det, Detector):
                raise ParameterError(
                    f"detector factory {factory!r} returned {det!r}, which lacks push()/flush()"
                )
            self._detectors.append(det)
        self._summary = SummaryBuilder(self.context)
        self._pending_legs: dict[str, np.ndarray] = {}
        self._finished = False

    # ------------------------------------------------------------------ input
    def push(self, samples: Any) -> list[Event]:
        """Push audio: ``(n, n_channels)`` or ``(n,)`` int16/float samples at the stream's
        rate. Returns the events decided so far, in emission order."""
        self._check_open()
        x = validate_samples(samples, n_channels=self.n_channels)
        return self._process(self._vad.push(x))

    def push_legs(self, legs: Mapping[str, Any]) -> list[Event]:
        """Push separate mono legs by role, e.g. ``{"customer": a, "agent": b}``. Legs may
        arrive with different lengths; samples are analysed once every leg has them."""
        self._check_open()
        if self._segmentation is not None:
            raise ParameterError("push_legs needs one leg per role; this stream is mono")
        unknown = set(legs) - set(self.roles)
        if unknown:
            raise ParameterError(f"unknown role(s) {sorted(unknown)}; roles are {self.roles}")
        for role, data in legs.items():
            x = validate_samples(data, n_channels=1)[:, 0]
            prev = self._pending_legs.get(role)
            self._pending_legs[role] = x if prev is None else np.concatenate([prev, x])
        if len(self._pending_legs) < len(self.roles):
            return []
        n = min(len(v) for v in self._pending_legs.values())
        block = np.stack([self._pending_legs[r][:n] for r in self.roles], axis=1)
        self._pending_legs = {r: v[n:] for r, v in self._pending_legs.items()}
        return self._process(self._vad.push(block))

    def push_bytes(
        self, data: bytes, *, encoding: Encoding = "mulaw", role: str | None = None
    ) -> list[Event]:
        """Push raw telephony payload: G.711 ``"mulaw"``/``"alaw"`` or little-endian
        ``"pcm16"``. With ``role``, the bytes are that leg (Twilio/AudioHook send one track
        per message); without, multi-channel bytes are interleaved frames."""
        decoder = _DECODERS.get(encoding)
        if decoder is None:
            raise ParameterError(f"encoding must be one of {sorted(_DECODERS)}, got {encoding!r}")
        x = decoder(data)
        if role is not None:
            return self.push_legs({role: x})
        if len(x) % self.n_channels:
            raise AudioError(
                f"{len(x)} samples do not split into {self.n_channels} interleaved channels"
            )
        return self.push(x.reshape(-1, self.n_channels))

    def mark_hold(self, at_s: float, *, on: bool = True) -> None:
        """Telephony says hold started (``on=True``) or ended (``on=False``) at stream time
        ``at_s``. Marked holds override detection; call before the audio of that time is
        pushed for exact timing."""
        self._check_open()
        self._turns.mark_hold(at_s, on=on)

    def finish(self) -> list[Event]:
        """End of stream: flush every detector; the summary is the last event."""
        self._check_open()
        events: list[Event] = []
        if any(len(v) for v in self._pending_legs.values()):
            # Legs of unequal total length: pad the short ones with silence.
            n = max(len(v) for v in self._pending_legs.values())
            block = np.zeros((n, len(self.roles)), dtype=np.float32)
            for i, role in enumerate(self.roles):
                leg = self._pending_legs.get(role, block[:0, i])
                block[: len(leg), i] = leg
            events += self._process(self._vad.push(block))
        events += self._process(self._vad.finish())
        flushed: list[Event] = []
        for det in self._detectors:
            flushed.extend(det.flush())
        self._summary.observe_events(flushed)
        events += _ordered(flushed)
        events.append(self._summary.build(self._vad.frames_emitted))
        self._finished = True
        return events

    # ------------------------------------------------------------------ internals
    def _check_open(self) -> None:
        if self._finished:
            raise StreamStateError("this call has finished; start a new one with analyzer.stream()")

    def _process(self, block: FrameBlock) -> list[Event]:
        if block.n_frames == 0:
            return []
        if self._segmentation is not None:
            block = self._diarized(block)
        self._summary.observe_frames(block)
        out: list[Event] = []
        for det in self._detectors:
            out.extend(det.push(block))
        self._summary.observe_events(out)
        return _ordered(out)

    def _diarized(self, block: FrameBlock) -> FrameBlock:
        assert self._segmentation is not None
        act = self._segmentation.activity(block.first_frame, block.n_frames, HOP_S)
        rep = np.repeat  # the mono leg's features serve both roles
        return FrameBlock(
            block.first_frame,
            self.roles,
            act,
            rep(block.energy_db, 2, axis=1),
            rep(block.floor_db, 2, axis=1),
            rep(block.music_prob, 2, axis=1),
        )

    @property
    def stream_time_s(self) -> float:
        """Stream time up to which events are final."""
        return self._vad.frames_emitted * HOP_S


def _ordered(events: list[Event]) -> list[Event]:
    return sorted(events, key=lambda e: e.emitted_at)


def analyze(
    samples: Any,
    sample_rate: int,
    *,
    roles: Sequence[str] | str = ("customer", "agent"),
    segmentation: Iterable[Sequence[object]] | str | os.PathLike[str] | None = None,
    speaker_roles: Mapping[str, str] | None = None,
    vad: VadConfig | None = None,
    turn_taking: TurnTakingConfig | None = None,
) -> list[Event]:
    """Analyse a whole recording: the stream fed everything, then finished.

    Parameters
    ----------
    samples : np.ndarray, shape (n,) or (n, channels)
        int16 or float audio, one channel per role.
    sample_rate : int
        Hz, >= 8000.
    roles : tuple of str
        Role of each channel, e.g. ``("customer", "agent")``.
    segmentation : RTTM path or rows of (speaker, start_s, end_s), optional
        For mono audio holding both parties.

    Returns
    -------
    list of Event
        In emission order; the summary last.
    """
    analyzer = Analyzer(roles=roles, sample_rate=sample_rate, vad=vad, turn_taking=turn_taking)
    if isinstance(segmentation, (str, os.PathLike)):
        segmentation = read_rttm(segmentation)
    call = analyzer.stream(segmentation=segmentation, speaker_roles=speaker_roles)
    return call.push(samples) + call.finish()


def analyze_file(
    path: str | os.PathLike[str],
    *,
    roles: Sequence[str] | str = ("customer", "agent"),
    segmentation: Iterable[Sequence[object]] | str | os.PathLike[str] | None = None,
    speaker_roles: Mapping[str, str] | None = None,
    vad: VadConfig | None = None,
    turn_taking: TurnTakingConfig | None = None,
    allow_truncated: bool = False,
) -> list[Event]:
    """Analyse an audio file (WAV incl. 8 kHz mu-law/A-law, FLAC, OGG); see :func:`analyze`.

    A file with more channels than ``roles`` is an error; a mono file with two roles needs a
    ``segmentation``.
    """
    roles_t = validate_roles(roles)
    audio = load_audio(path, allow_truncated=allow_truncated)
    n_ch = audio.samples.shape[1]
    expected = 1 if segmentation is not None else len(roles_t)
    if n_ch != expected:
        hint = (
            "pass one role per channel, e.g. --roles customer,agent"
            if segmentation is None and n_ch > 1
            else "a mono file with two roles needs a speaker segmentation (RTTM)"
            if n_ch == 1
            else "a segmentation is for mono files"
        )
        raise AudioError(f"{path}: has {n_ch} channel(s) but roles are {roles_t}; {hint}")
    return analyze(
        audio.samples,
        audio.sample_rate,
        roles=roles_t,
        segmentation=segmentation,
        speaker_roles=speaker_roles,
        vad=vad,
        turn_taking=turn_taking,
    )


def warmup() -> None:
    """Compile (or load from cache) every kernel now, so the first real call is fast."""
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((16000, 2)) * 0.01).astype(np.float32)
    analyze(x, 8000)
    analyze(x, 16000)
