"""The streaming Analyzer: shared configuration, cheap per-call streams (sans-IO).

>>> analyzer = Analyzer(roles=("customer", "agent"), sample_rate=8000)
>>> call = analyzer.stream()
>>> events = call.push(chunk)          # any chunk size, (n, 2) samples
>>> events += call.finish()            # the summary is the last event

Batch analysis (:func:`analyze`, :func:`analyze_file`) is the same stream fed everything.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .alerts import AlertTracker
from .audio import (
    audio_blocks,
    decode_alaw,
    decode_mulaw,
    decode_pcm16,
    validate_roles,
    validate_sample_rate,
    validate_samples,
)
from .coaching import CoachingTracker
from .config import (
    HOP_S,
    AlertConfig,
    TranscriptConfig,
    TurnTakingConfig,
    VadConfig,
    config_or_default,
)
from .detectors.base import Detector, DetectorContext, DetectorFactory
from .detectors.frames import FrameBlock
from .detectors.keyed_digits import KeyedDigitsDetector
from .detectors.turn_taking import TurnTakingDetector
from .detectors.voice_activity import VoiceActivityStream
from .errors import AudioError, ModelError, ParameterError, StreamStateError
from .events import Event, TurnEvent
from .legs import LegAligner
from .prosody.turns import TurnProsody
from .segmentation import Segmentation, read_rttm
from .state import StateTracker
from .summary import SummaryBuilder
from .text.conversation import MessageTurns
from .text.transcript import TranscriptAligner, as_segments, read_transcript

if TYPE_CHECKING:
    from .text.model import EmotionModel

__all__ = ["Analyzer", "CallStream", "analyze", "analyze_file", "analyze_transcript", "warmup"]

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
    emotion_model : EmotionModel, str or None, default "default"
        Scores the text of each turn when a transcript is given. ``"default"`` is the
        bundled GoEmotions model, loaded on first need; a name from
        :data:`~empathysignals.text.KNOWN_MODELS`; your own :class:`EmotionModel`; or
        ``None`` to attach text without emotion.
    transcript : TranscriptConfig, optional
        How transcript text is attached to turns.
    prosody : bool, default True
        Give every ``turn`` its ``prosody`` (pitch, loudness, voice quality, rate, arousal).
        Pitch tracking is most of the analysis cost; turn it off for turn-taking alone.
    alerts : AlertConfig or bool, default True
        Live coaching ``alert`` events (see docs/alerts.md); ``False`` turns them off.

    Notes
    -----
    An Analyzer holds no per-call state: share one across threads and calls. Its emotion
    model (one onnxruntime session) is shared by every call.
    """

    def __init__(
        self,
        *,
        roles: Sequence[str] | str = ("customer", "agent"),
        sample_rate: int = 8000,
        vad: VadConfig | None = None,
        turn_taking: TurnTakingConfig | None = None,
        detectors: Sequence[DetectorFactory] = (),
        emotion_model: EmotionModel | str | None = "default",
        transcript: TranscriptConfig | None = None,
        prosody: bool = True,
        alerts: AlertConfig | bool = True,
    ) -> None:
        self.roles = validate_roles(roles)
        self.prosody = bool(prosody)
        if not isinstance(alerts, (AlertConfig, bool)):
            raise ParameterError(f"alerts must be an AlertConfig or a bool, got {alerts!r}")
        self.alerts: AlertConfig | None = (
            alerts if isinstance(alerts, AlertConfig) else AlertConfig() if alerts else None
        )
        self.sample_rate = validate_sample_rate(sample_rate)
        self.vad = config_or_default(vad, VadConfig, "vad")
        self.turn_taking = config_or_default(turn_taking, TurnTakingConfig, "turn_taking")
        for factory in detectors:
            if not callable(factory):
                raise ParameterError(f"detectors must be callables (factories), got {factory!r}")
        self.detectors = tuple(detectors)
        self.transcript = config_or_default(transcript, TranscriptConfig, "transcript")
        self._emotion = _EmotionSource(emotion_model)

    @property
    def emotion_model(self) -> EmotionModel | None:
        """The shared emotion model (loaded now if it was not yet)."""
        return self._emotion.get()

    def stream(
        self,
        *,
        segmentation: Iterable[Sequence[object]] | Segmentation | None = None,
        speaker_roles: Mapping[str, str | None] | None = None,
        audio: bool = True,
        transcript: bool = False,
    ) -> CallStream:
        """Start a new call.

        Parameters
        ----------
        audio : bool, default True
            ``False`` starts a text-only conversation (chat, messaging, email): feed it
            messages with :meth:`CallStream.push_transcript`; turns and response gaps come
            from the messages.
        transcript : bool, default False
            A transcript will be pushed alongside the audio: hold each turn until its text
            arrives (at most ``TranscriptConfig.wait_s``). Pushing a transcript turns this on
            from that moment.
        segmentation : rows of (speaker, start_s, end_s), optional
            For a mono recording holding both parties: a diarizer's speaker turns. Speaker
            activity then comes from the segmentation; the audio still drives hold detection.
        speaker_roles : mapping, optional
            Diarizer speaker label -> role, or None to leave a speaker out; every speaker
            of the segmentation must be mapped (see :meth:`Segmentation.from_rows`).
        """
        return CallStream(
            self,
            segmentation=segmentation,
            speaker_roles=speaker_roles,
            audio=audio,
            transcript=transcript,
        )

    def push_many(self, items: Sequence[tuple[CallStream, Any]]) -> list[list[Event]]:
        """Push one audio chunk to each of several calls, scoring every turn that is ready
        for text emotion in one batched model run (many calls per core).

        Parameters
        ----------
        items : sequence of (CallStream, np.ndarray)
            Each call (from this Analyzer: they share its model) with its chunk, as
            :meth:`CallStream.push` takes it: shape ``(n,)`` or ``(n, channels)``.

        Returns
        -------
        list of list of Event
            Each call's events, in the order of ``items``.
        """
        if isinstance(items, (str, bytes)) or not isinstance(items, Sequence):
            raise ParameterError("push_many takes a sequence of (CallStream, samples) pairs")
        if not all(isinstance(item, tuple) and len(item) == 2 for item in items):
            raise ParameterError(
                "push_many takes (CallStream, samples) pairs, e.g. [(call, chunk)]"
            )
        calls = [call for call, _ in items]
        for call in calls:
            if not isinstance(call, CallStream) or call._emotion is not self._emotion:
                raise ParameterError("push_many takes (CallStream, samples) pairs of this Analyzer")
        if len({id(call) for call in calls}) != len(calls):
            raise ParameterError(
                "a call appears twice in one push_many: join its chunks (np.concatenate) "
                "into one item, or push them in successive rounds"
            )
        # Everything checked before anything is analysed: a refused round leaves no trace,
        # so a host may retry it.
        checked = [call._checked_audio(samples) for call, samples in items]
        for call, x in zip(calls, checked, strict=True):
            call._ingest_checked(x)
        _score_awaiting(calls)
        return [call._drain() for call in calls]

    def resume(self, call: CallStream) -> CallStream:
        """Re-attach an unpickled call to this Analyzer's shared model (a pickled call
        otherwise loads its own copy on first need).

        Parameters
        ----------
        call : CallStream
            A call unpickled on this worker, with this Analyzer's roles.

        Returns
        -------
        CallStream
            The same call, now sharing this Analyzer's model.
        """
        if not isinstance(call, CallStream):
            raise ParameterError(f"resume takes a CallStream, got {type(call).__name__}")
        if call.roles != self.roles:
            raise ParameterError(
                f"call roles {call.roles} differ from this Analyzer's {self.roles}"
            )
        call._emotion = self._emotion
        return call

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
        speaker_roles: Mapping[str, str | None] | None = None,
        audio: bool = True,
        transcript: bool = False,
    ) -> None:
        self.roles = analyzer.roles
        self.sample_rate = analyzer.sample_rate
        self._segmentation: Segmentation | None = None
        audio_roles = self.roles
        if speaker_roles is not None and segmentation is None:
            raise ParameterError("speaker_roles maps a segmentation's speakers: pass segmentation=")
        if speaker_roles is not None and not isinstance(speaker_roles, Mapping):
            raise ParameterError(
                "speaker_roles must map speaker labels to roles, e.g. {'spk1': 'customer'}, "
                f"got {type(speaker_roles).__name__}"
            )
        if segmentation is not None:
            if len(self.roles) != 2:
                raise ParameterError("a segmentation needs two roles, e.g. ('customer', 'agent')")
            self._segmentation = (
                segmentation
                if isinstance(segmentation, Segmentation)
                else Segmentation.from_rows(segmentation, self.roles, speaker_roles=speaker_roles)
            )
            audio_roles = (self.roles[-1],)  # one mono channel carries both parties
        self.n_channels = len(audio_roles)
        self._vad = VoiceActivityStream(audio_roles, self.sample_rate, config=analyzer.vad)
        self.context = DetectorContext(self.roles, self._vad.latency_frames)
        self._turns = TurnTakingDetector(self.context, analyzer.turn_taking)
        self._detectors: list[Detector] = [self._turns, KeyedDigitsDetector(self.context)]
        for factory in analyzer.detectors:
            det = factory(self.context)
            if not isinstance(det, Detector):
                raise ParameterError(
                    f"detector factory {factory!r} returned {det!r}, which lacks push()/flush()"
                )
            self._detectors.append(det)
        self._summary = SummaryBuilder(self.context)
        self._legs = LegAligner(self.roles, self.sample_rate)
        self._finished = False
        self.audio = bool(audio)
        self._emotion = analyzer._emotion
        self._aligner = TranscriptAligner(
            self.roles,
            tolerance_s=analyzer.transcript.tolerance_s,
            wait_s=analyzer.transcript.wait_s,
        )
        self._aligner.used = bool(transcript)
        self._messages = None if self.audio else MessageTurns(self.context)
        self._summary.text_only = self._messages is not None
        self._prosody: TurnProsody | None = None
        if self.audio and analyzer.prosody:
            channel_of_role = tuple(0 if self._segmentation else i for i in range(len(self.roles)))
            self._prosody = TurnProsody(
                self.roles, channel_of_role, self.n_channels, self.sample_rate, HOP_S
            )
        self._state = StateTracker(self.roles)
        self._coaching = CoachingTracker(self.roles)
        # The alert tracker takes the hold detector's silent-hold frames (both watch the
        # agent's leg by the same rules), so the line gate runs once.
        self._alerts = (
            AlertTracker(self.context, analyzer.alerts, analyzer.turn_taking, own_line_gate=False)
            if analyzer.alerts is not None
            else None
        )
        self._held: list[TurnEvent] = []  # turns waiting for their transcript
        self._awaiting: list[TurnEvent] = []  # turns with text, waiting for emotion
        self._outbox: list[Event] = []
        self._latest_emitted_at = 0.0  # of every event returned so far

    # ------------------------------------------------------------------ input
    def push(self, samples: Any) -> list[Event]:
        """Push audio: ``(n, n_channels)`` or ``(n,)`` int16/float samples at the stream's
        rate. Returns the events decided so far, in emission order."""
        self._ingest_audio(samples)
        return self._score_and_drain()

    def push_legs(self, legs: Mapping[str, Any], *, at_s: float | None = None) -> list[Event]:
        """Push separate mono legs by role, e.g. ``{"customer": a, "agent": b}``.

        Legs may arrive with different lengths; samples are analysed once every leg has
        them. Without timestamps, each leg's samples are taken as contiguous: a leg that
        loses packets must be filled with silence by the caller, or it runs late from then
        on. A leg pushed ahead of the others waits in memory until they catch up
        (:attr:`leg_lag_s` says how far ahead).

        Parameters
        ----------
        legs : mapping of role to np.ndarray, shape (n,)
            Mono samples per role (int16, int32 or float), any subset of the roles.
        at_s : float, optional
            Stream time (s) of the first sample of the legs pushed, 0 to a day. Gaps are
            filled with silence; within 1 ms of where a leg ends counts as contiguous; a
            time further back is a :class:`ParameterError` (see :attr:`leg_received_s`).

        Returns
        -------
        list of Event
            The events this push decided (possibly none).
        """
        self._check_open(audio=True)
        if self._segmentation is not None:
            raise ParameterError("push_legs needs one leg per role; this stream is mono")
        if not isinstance(legs, Mapping):
            raise ParameterError(
                f"legs must map roles to samples, e.g. {{{self.roles[0]!r}: samples}}, got "
                f"{type(legs).__name__}"
            )
        unknown = {role for role in legs if not isinstance(role, str) or role not in self.roles}
        if unknown:
            raise ParameterError(f"unknown role(s) {sorted(unknown)}; roles are {self.roles}")
        # Validate every leg before queueing any: a rejected push leaves no trace.
        checked = {role: validate_samples(data, n_channels=1)[:, 0] for role, data in legs.items()}
        self._legs.add(checked, at_s)
        if not self._analyse_aligned():
            return []
        return self._score_and_drain()

    @property
    def leg_lag_s(self) -> float:
        """Seconds of audio one leg has queued ahead of another (per-leg input): a live
        host can fill a stalled track with silence (or pass ``at_s``) when this grows."""
        return self._legs.lag_s

    @property
    def leg_received_s(self) -> dict[str, float]:
        """Seconds of audio each leg has received through ``push_legs`` / ``push_bytes(role=)``
        (silence filled for timestamp gaps included): the time a packet's ``at_s`` may not
        fall more than 1 ms before, so a host can drop late or duplicated packets first."""
        return self._legs.received_s()

    def push_bytes(
        self,
        data: bytes,
        *,
        encoding: Encoding = "mulaw",
        role: str | None = None,
        at_s: float | None = None,
    ) -> list[Event]:
        """Push raw telephony payload.

        Parameters
        ----------
        data : bytes, bytearray or memoryview
            The payload: one byte a sample for G.711, two (little-endian) for PCM16.
            Without ``role``, multi-channel bytes are interleaved frames.
        encoding : {"mulaw", "alaw", "pcm16"}, default "mulaw"
        role : str, optional
            The leg these bytes are (Twilio sends one track per message); see
            :meth:`push_legs` for how legs are lined up.
        at_s : float, optional
            With ``role``: stream time (s) of the first sample, e.g. a Twilio media
            message's ``timestamp`` / 1000; gaps are filled with silence (see
            :meth:`push_legs`).

        Returns
        -------
        list of Event
            The events this push decided (possibly none).
        """
        self._check_open(audio=True)
        decoder = _DECODERS.get(encoding) if isinstance(encoding, str) else None
        if decoder is None:
            raise ParameterError(f"encoding must be one of {sorted(_DECODERS)}, got {encoding!r}")
        x = decoder(data)
        if role is not None:
            if not isinstance(role, str):
                raise ParameterError(f"role must be one of {self.roles}, got {role!r}")
            return self.push_legs({role: x}, at_s=at_s)
        if at_s is not None:
            raise ParameterError("at_s is for one leg's bytes: pass role= with it")
        if len(x) % self.n_channels:
            raise AudioError(
                f"{len(x)} samples do not split into {self.n_channels} interleaved channels"
            )
        return self.push(x.reshape(-1, self.n_channels))

    def mark_hold(self, at_s: float, *, on: bool = True) -> None:
        """Telephony says hold started or ended: marked holds override detection.

        Call before the audio of that time is pushed for exact timing. A marker for audio
        already analysed applies from where the stream is now (events already out are not
        taken back), so markers that arrive late together (a start and its end) give a hold
        of no length.

        Parameters
        ----------
        at_s : float
            Stream time (s) of the start or end; markers in time order.
        on : bool, default True
            True: hold starts; False: hold ends.
        """
        self._check_open(audio=True)
        self._turns.mark_hold(at_s, on=on)

    def push_transcript(self, segments: Iterable[Any], *, complete: bool = False) -> list[Event]:
        """Push transcript text: words, utterances or chat messages, as
        :class:`~empathysignals.text.TranscriptSegment`, dicts with ``speaker``, ``start``,
        ``end``, ``text`` (optionally ``final``, ``id``), or ``(speaker, start, end, text)``
        tuples; ``speaker`` is a role. Partial ASR results (``final=False``) are replaced
        by later segments with the same ``id``.

        With audio, text is attached to the audio turn it overlaps and each ``turn`` waits
        for its transcript (at most ``TranscriptConfig.wait_s``). In a text-only stream
        (``analyzer.stream(audio=False)``) the messages are the turns.

        Parameters
        ----------
        segments : iterable
            Transcript segments as above, in any order within a push.
        complete : bool, default False
            No more transcript will come: release the turns waiting for text.

        Returns
        -------
        list of Event
            Events this text released (turns, with ``text`` and ``emotion``).
        """
        self._check_open()
        rows = as_segments(segments, self.roles)
        if self._messages is not None:
            self._accept(self._messages.push(rows))
        else:
            self._aligner.add(rows)
            if complete:
                self._aligner.complete = True
            self._release()
        return self._score_and_drain()

    def transcript_complete(self) -> list[Event]:
        """No more transcript will come; returns the turns this releases."""
        return self.push_transcript([], complete=True)

    def finish(self) -> list[Event]:
        """End of stream: flush every detector; the summary is the last event."""
        self._check_open()
        if self._messages is not None:
            return self._finish_text()
        self._legs.pad()  # legs of unequal length: the short ones padded with silence
        self._analyse_aligned(release=False)  # finish releases everything below
        if self._prosody is not None:
            self._prosody.finish_samples()  # pitch frames first: the last labels need them
        self._accept(self._process(self._vad.finish()))
        flushed: list[Event] = []
        for det in self._detectors:
            flushed.extend(det.flush())
        self._accept(flushed)
        self._release(final=True)
        given = self._latest_emitted_at  # by the pushes
        events = self._score_and_drain()
        events.append(self._summary_event(self._vad.frames_emitted))
        self._finished = True
        # Everything left goes out now, when the stream has ended: no emission time after
        # it, nor before one a push already gave (a push may return an event up to a block
        # before its emission time, and the stream may end inside that block).
        end_s = round(self._vad.frames_emitted * HOP_S, 6)
        out: list[Event] = []
        for ev in events:
            at = max(min(ev.emitted_at, end_s), given)
            out.append(ev if at == ev.emitted_at else replace(ev, emitted_at=at))
        return out

    def _finish_text(self) -> list[Event]:
        assert self._messages is not None
        flushed = self._messages.flush()
        self._accept(flushed)
        events = self._score_and_drain()
        end_frame = round(self._messages.now / HOP_S)
        events.append(self._summary_event(end_frame, emitted_at=self._messages.now))
        self._finished = True
        return events

    # ------------------------------------------------------------------ internals
    def _check_open(self, *, audio: bool = False) -> None:
        if self._finished:
            raise StreamStateError("this call has finished; start a new one with analyzer.stream()")
        if audio and not self.audio:
            raise StreamStateError(
                "this stream is text-only (audio=False); push messages with push_transcript()"
            )

    def _ingest_audio(self, samples: Any) -> None:
        self._ingest_checked(self._checked_audio(samples))

    def _checked_audio(self, samples: Any) -> np.ndarray:
        """Interleaved samples checked for this stream, nothing changed yet."""
        self._check_open(audio=True)
        if self._legs.pending:
            raise StreamStateError(
                "per-leg samples are still queued (push_legs / push_bytes with role=) waiting "
                "for the other legs: keep pushing per leg, or use interleaved frames only"
            )
        return validate_samples(samples, n_channels=self.n_channels)

    def _ingest_checked(self, x: np.ndarray) -> None:
        if self._prosody is not None:
            self._prosody.push_samples(x)
        self._accept(self._process(self._vad.push_validated(x)))
        self._release()

    def _analyse_aligned(self, *, release: bool = True) -> bool:
        """Analyse what every leg has (per-leg input), block by bounded block; whether
        there was any."""
        any_block = False
        while (block := self._legs.take()) is not None:
            any_block = True
            if self._prosody is not None:
                self._prosody.push_samples(block)
            self._accept(self._process(self._vad.push_validated(block)))
            if release:
                self._release()
        return any_block

    def _accept(self, events: list[Event]) -> None:
        """Route decided events: turns wait for text and emotion, the rest go out."""
        for ev in events:
            if isinstance(ev, TurnEvent) and ev.end is not None and self._prosody is not None:
                ev = replace(ev, prosody=self._prosody.turn(ev.speaker, ev.start, ev.end))
            if not isinstance(ev, TurnEvent) or ev.end is None:
                self._outbox.append(ev)
            elif ev.text is not None:
                self._awaiting.append(ev)
            elif not self._aligner.used:
                self._outbox.append(ev)
            elif self._aligner.ready_at(ev.speaker, ev.end) == -math.inf:
                # Its text was here when the turn was decided: no delay (batch mode).
                self._attach_text(ev, ev.emitted_at)
            else:
                self._held.append(ev)
        self._summary.observe_events(events)

    def _release(self, *, final: bool = False) -> None:
        """Release held turns whose transcript has arrived or whose wait is over."""
        now = self.stream_time_s
        # Emission times count input time, as the detectors' do: labels final up to `now`
        # mean input up to `now` + latency (at the end of the stream, all of it is in).
        lag = 0.0 if final else self._vad.latency_s
        still: list[TurnEvent] = []
        for turn in self._held:
            assert turn.end is not None
            ready = self._aligner.ready_at(turn.speaker, turn.end)
            if ready == -math.inf or final:
                self._attach_text(turn, max(turn.emitted_at, now + lag))  # text arrives now
            elif ready <= now:
                self._attach_text(turn, max(turn.emitted_at, ready + lag))  # waited long enough
            else:
                still.append(turn)
        self._held = still

    def _attach_text(self, turn: TurnEvent, at: float) -> None:
        text = self._aligner.take(turn.speaker, turn.start, turn.end or turn.start)
        self._awaiting.append(replace(turn, text=text, emitted_at=round(at, 6)))

    def _score_and_drain(self) -> list[Event]:
        _score_awaiting([self])
        return self._drain()

    def _drain(self) -> list[Event]:
        out = _ordered(self._outbox)
        self._outbox = []
        final: list[Event] = []
        for ev in out:
            if isinstance(ev, TurnEvent) and ev.end is not None:
                ev = replace(ev, state=self._state.state(ev))
                final.append(ev)
                if self._alerts is not None:
                    final += self._alerts.observe_turn(ev)
            else:
                self._state.observe(ev)
                final.append(ev)
            self._coaching.observe(ev)
        if final:
            self._latest_emitted_at = max(self._latest_emitted_at, *(e.emitted_at for e in final))
        return final

    def _summary_event(self, end_frame: int, emitted_at: float | None = None) -> Event:
        summary = self._summary.build(end_frame, emitted_at=emitted_at)
        return replace(summary, **self._coaching.summary_fields(summary.duration_s))

    def _process(self, block: FrameBlock) -> list[Event]:
        if block.n_frames == 0:
            if self._prosody is not None:
                # A push that finished no frame does the prosody work the next block needs,
                # so that push does not carry both (per-push time, not total work).
                self._prosody.analyse_ahead()
            return []
        if self._segmentation is not None:
            block = self._diarized(block)
        if self._prosody is not None:
            self._prosody.observe(block)
        self._summary.observe_frames(block)
        out: list[Event] = []
        for det in self._detectors:
            out.extend(det.push(block))
        if self._alerts is not None:
            alerts: list[Event] = []
            for ev in out:
                alerts += self._alerts.observe_event(ev)
            out += alerts + self._alerts.observe_block(block, self._turns.silent_hold_frames)
        return out

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
            block.hop_s,
            None if block.tone is None else rep(block.tone, 2, axis=1),
            None if block.no_signal_db is None else rep(block.no_signal_db, 2, axis=1),
            None if block.dtmf is None else rep(block.dtmf, 2, axis=1),
        )

    @property
    def stream_time_s(self) -> float:
        """Stream time up to which events are final."""
        return self._vad.frames_emitted * HOP_S


def _ordered(events: list[Event]) -> list[Event]:
    return sorted(events, key=lambda e: (e.emitted_at, e.id))


class _EmotionSource:
    """The emotion model an Analyzer's calls share, resolved on first need (so building an
    Analyzer never loads a model). Pickles as its spec."""

    def __init__(self, spec: EmotionModel | str | None) -> None:
        from .text.model import EmotionModel

        if spec is not None and not isinstance(spec, (str, EmotionModel)):
            raise ParameterError(
                "emotion_model must be an EmotionModel, a bundled model name, 'default' or "
                f"None; got {type(spec).__name__}"
            )
        if isinstance(spec, str) and spec != "default":
            from .text.registry import KNOWN_MODELS

            if spec not in KNOWN_MODELS:  # now, not at the first scored turn mid-call
                raise ModelError(
                    f"unknown emotion model {spec!r}; known: {list(KNOWN_MODELS)}, 'default', "
                    "or None for none (your own exported model: EmotionModel(path))"
                )
        self.spec = spec
        self._model: EmotionModel | None = spec if isinstance(spec, EmotionModel) else None
        self._lock = threading.Lock()

    def get(self) -> EmotionModel | None:
        if self._model is None and isinstance(self.spec, str):
            from .text.registry import DEFAULT_EMOTION_MODEL, load_emotion_model

            with self._lock:
                if self._model is None:
                    name = DEFAULT_EMOTION_MODEL if self.spec == "default" else self.spec
                    self._model = load_emotion_model(name)
        return self._model

    def __getstate__(self) -> dict[str, Any]:
        return {"spec": self.spec}

    def __setstate__(self, state: dict[str, Any]) -> None:
        _EmotionSource.__init__(self, state["spec"])


def _score_awaiting(calls: Sequence[CallStream]) -> None:
    """Score every turn waiting for emotion, across calls, in one model run."""
    pending = [(call, turn) for call in calls for turn in call._awaiting]
    if not pending:
        return
    model = calls[0]._emotion.get()
    if model is None:
        emotions: list[dict[str, Any] | None] = [None] * len(pending)
    else:
        from .text.turn_emotion import turn_emotions

        emotions = turn_emotions(model, [turn.text or "" for _, turn in pending])
    for (call, turn), emotion in zip(pending, emotions, strict=True):
        call._outbox.append(replace(turn, emotion=emotion))
    for call in calls:
        call._awaiting = []


def analyze(
    samples: Any,
    sample_rate: int,
    *,
    roles: Sequence[str] | str = ("customer", "agent"),
    segmentation: Iterable[Sequence[object]] | Segmentation | str | os.PathLike[str] | None = None,
    speaker_roles: Mapping[str, str | None] | None = None,
    vad: VadConfig | None = None,
    turn_taking: TurnTakingConfig | None = None,
    transcript: Iterable[Any] | str | os.PathLike[str] | None = None,
    emotion_model: EmotionModel | str | None = "default",
    alerts: AlertConfig | bool = True,
    prosody: bool = True,
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
    segmentation : RTTM path, rows of (speaker, start_s, end_s) or a Segmentation, optional
        For mono audio holding both parties (an RTTM file must hold one recording; read
        others with :func:`read_rttm` and its ``uri``).
    speaker_roles : mapping, optional
        Diarizer speaker label -> role, or None to leave a speaker out; every speaker of
        the segmentation must be mapped (see :meth:`Segmentation.from_rows`).
    vad, turn_taking : VadConfig, TurnTakingConfig, optional
        Detector settings (``docs/tuning.md``); defaults when omitted.
    transcript : JSON/JSONL path or transcript rows, optional
        Words or utterances with speaker (a role), start, end and text, from any ASR (see
        :meth:`CallStream.push_transcript`). Each turn then carries ``text`` and ``emotion``.
    emotion_model : EmotionModel, str or None, default "default"
        See :class:`Analyzer`.
    alerts : AlertConfig or bool, default True
        See :class:`Analyzer`.
    prosody : bool, default True
        Per-turn prosody (and so arousal); False for turn-taking alone, ~6.5x faster.

    Returns
    -------
    list of Event
        In emission order; the summary last.
    """
    return _analyze_blocks(
        [samples],
        sample_rate,
        roles=roles,
        segmentation=segmentation,
        speaker_roles=speaker_roles,
        vad=vad,
        turn_taking=turn_taking,
        transcript=transcript,
        emotion_model=emotion_model,
        alerts=alerts,
        prosody=prosody,
    )


def _analyze_blocks(
    blocks: Iterable[Any],
    sample_rate: int,
    *,
    roles: Sequence[str] | str,
    segmentation: Iterable[Sequence[object]] | Segmentation | str | os.PathLike[str] | None,
    speaker_roles: Mapping[str, str | None] | None,
    vad: VadConfig | None,
    turn_taking: TurnTakingConfig | None,
    transcript: Iterable[Any] | str | os.PathLike[str] | None,
    emotion_model: EmotionModel | str | None,
    alerts: AlertConfig | bool,
    prosody: bool,
) -> list[Event]:
    """One stream fed ``blocks`` in turn (the whole recording, or a file read block by
    block), then finished: the same events either way."""
    analyzer = Analyzer(
        roles=roles,
        sample_rate=sample_rate,
        vad=vad,
        turn_taking=turn_taking,
        emotion_model=emotion_model,
        alerts=alerts,
        prosody=prosody,
    )
    if isinstance(segmentation, (str, os.PathLike)):
        segmentation = read_rttm(segmentation)
    call = analyzer.stream(segmentation=segmentation, speaker_roles=speaker_roles)
    events: list[Event] = []
    if transcript is not None:
        if isinstance(transcript, (str, os.PathLike)):
            transcript = read_transcript(transcript)
        events += call.push_transcript(transcript, complete=True)
    for block in blocks:
        events += call.push(block)
    return events + call.finish()


def analyze_transcript(
    messages: Iterable[Any] | str | os.PathLike[str],
    *,
    roles: Sequence[str] | str = ("customer", "agent"),
    emotion_model: EmotionModel | str | None = "default",
) -> list[Event]:
    """Analyse a text-only conversation (chat, messaging, email thread).

    Parameters
    ----------
    roles : tuple of str, default ("customer", "agent")
        The speakers of the messages.
    emotion_model : EmotionModel, str or None, default "default"
        See :class:`Analyzer`; None attaches no emotion.
    messages : JSON/JSONL path or rows
        Each with ``speaker`` (a role), ``start`` (timestamp, seconds from the start of the
        conversation; ``end`` optional) and ``text``, in time order.

    Returns
    -------
    list of Event
        ``turn`` (with ``text`` and ``emotion``) and ``gap`` (response time) events, the
        summary last.
    """
    analyzer = Analyzer(roles=roles, emotion_model=emotion_model)
    if isinstance(messages, (str, os.PathLike)):
        messages = read_transcript(messages)
    call = analyzer.stream(audio=False)
    return call.push_transcript(messages) + call.finish()


def analyze_file(
    path: str | os.PathLike[str],
    *,
    roles: Sequence[str] | str = ("customer", "agent"),
    segmentation: Iterable[Sequence[object]] | Segmentation | str | os.PathLike[str] | None = None,
    speaker_roles: Mapping[str, str | None] | None = None,
    vad: VadConfig | None = None,
    turn_taking: TurnTakingConfig | None = None,
    allow_truncated: bool = False,
    transcript: Iterable[Any] | str | os.PathLike[str] | None = None,
    emotion_model: EmotionModel | str | None = "default",
    alerts: AlertConfig | bool = True,
    prosody: bool = True,
) -> list[Event]:
    """Analyse an audio file (WAV incl. 8 kHz mu-law/A-law, FLAC, OGG, MP3, and what else
    libsndfile reads); see :func:`analyze`.

    A file with more channels than ``roles`` is an error; a mono file with two roles needs a
    ``segmentation``.

    Parameters
    ----------
    path : str or PathLike
        The recording; its channels are the ``roles`` in order.
    allow_truncated : bool, default False
        Analyse a WAV whose header promises more audio than the file holds (a recording cut
        off mid-write) instead of raising :class:`AudioError`.
    roles, segmentation, speaker_roles, vad, turn_taking, transcript, emotion_model, alerts, prosody
        As in :func:`analyze`.

    Returns
    -------
    list of Event
        In emission order; the summary last.
    """
    roles_t = validate_roles(roles)
    # Read block by block: memory stays flat however long the recording.
    rate, n_ch, n_frames, blocks = audio_blocks(path, allow_truncated=allow_truncated)
    if isinstance(segmentation, (str, os.PathLike)):
        segmentation = read_rttm(segmentation)
    if segmentation is not None and not isinstance(segmentation, Segmentation):
        if len(roles_t) == 2:  # else the stream says a segmentation needs two roles
            segmentation = Segmentation.from_rows(
                segmentation, roles_t, speaker_roles=speaker_roles
            )
    if isinstance(segmentation, Segmentation) and segmentation.segments and n_frames:
        duration = n_frames / rate
        if min(start for _, start, _ in segmentation.segments) >= duration:
            raise ParameterError(
                f"{path}: every segment of the segmentation starts after the audio ends "
                f"({duration:.1f} s): is it for another recording? (an RTTM of several: "
                "--rttm-uri / read_rttm(uri=))"
            )
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
    return _analyze_blocks(
        blocks,
        rate,
        roles=roles_t,
        segmentation=segmentation,
        speaker_roles=speaker_roles,
        vad=vad,
        turn_taking=turn_taking,
        transcript=transcript,
        emotion_model=emotion_model,
        alerts=alerts,
        prosody=prosody,
    )


def warmup() -> None:
    """Compile (or load from cache) every kernel now, so the first real call is fast.

    The warm-up call alternates voiced turns on the two legs: the voice-quality kernel
    (glottal pulses, jitter, shimmer) only runs on voiced speech and would otherwise load at
    the first real voiced stretch, a ~25 ms stall in the middle of a live call.
    """
    for rate in (8000, 16000):
        analyze(_warmup_call(rate), rate)
    # Music holds and frames quiet enough to show the input's quantization step are not in
    # the warm-up call; their kernels are tiny, call them directly.
    from ._kernels import hold, vad

    state = hold.new_line_state(0)
    bands = np.zeros((1, hold.N_BANDS))
    hold.line_scan(np.zeros(1), bands, 0, False, False, state, np.zeros(hold.LINE_PARAMS_SIZE))
    hold.noise_shape_update(bands, np.full(hold.N_BANDS, np.nan), 0.5)
    vad.quiet_frame_steps(np.zeros((vad.HOP, 2), np.float32), np.full((1, 2), -120.0), -60.0)
    vad.raw_block_steps(np.zeros((160, 2), np.float32), 160, 1e-6)


def _warmup_call(rate: int) -> np.ndarray:
    """4 s of two legs taking turns: a harmonic source with 1/k partials (120 / 210 Hz,
    gently falling), syllable-rate amplitude modulation, over faint noise."""
    rng = np.random.default_rng(0)
    n = 4 * rate
    t = np.arange(n) / rate
    x = 0.003 * rng.standard_normal((n, 2))
    for leg, (f0, start, stop) in enumerate(((120.0, 0.3, 1.6), (210.0, 2.1, 3.4))):
        phase = 2.0 * np.pi * np.cumsum(f0 * (1.0 - 0.1 * t) / rate)
        voiced = np.sin(np.outer(phase, np.arange(1, 12))) @ (1.0 / np.arange(1, 12))
        envelope = 0.5 - 0.5 * np.cos(2.0 * np.pi * 4.0 * t)  # 4 syllables per second
        on = (t >= start) & (t < stop)
        x[on, leg] += 0.1 * voiced[on] * envelope[on]
    return x.astype(np.float32)
