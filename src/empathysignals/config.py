"""Frozen configuration records. Units are in the names; defaults carry their reasons in
``docs/concepts.md``."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, fields
from typing import Literal, TypeVar

from .errors import ParameterError

__all__ = ["AlertConfig", "TranscriptConfig", "TurnTakingConfig", "VadConfig"]

#: Internal analysis rate. Telephone speech carries nothing above 4 kHz that turn-taking
#: needs, and 8 kHz halves the work of a 16 kHz pipeline.
ANALYSIS_RATE_HZ = 8000
#: One analysis frame: 10 ms is the common hop of VADs and pitch trackers.
HOP_SAMPLES = 80
HOP_S = HOP_SAMPLES / ANALYSIS_RATE_HZ


_C = TypeVar("_C")


def config_or_default(value: object, cls: type[_C], name: str) -> _C:
    """``value`` if it is a ``cls``, a fresh default one if it is None; anything else (a
    dict, another config class) is a ParameterError that names the right class."""
    if value is None:
        return cls()
    if not isinstance(value, cls):
        raise ParameterError(
            f"{name} must be {cls.__name__}(...) or None, got {type(value).__name__}"
        )
    return value


def _check_numbers(obj: object, *names: str) -> None:
    """Each field a real number (numpy's too), not a bool or a string."""
    for name in names:
        value = getattr(obj, name)
        if not isinstance(value, numbers.Real) or isinstance(value, bool):
            raise ParameterError(f"{name} must be a number, got {type(value).__name__}")


def _check_positive(obj: object, *names: str, allow_zero: bool = False) -> None:
    _check_numbers(obj, *names)
    for name in names:
        value = getattr(obj, name)
        if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
            bound = ">= 0" if allow_zero else "> 0"
            raise ParameterError(f"{name} must be finite and {bound}, got {value!r}")


@dataclass(frozen=True, slots=True)
class VadConfig:
    """Voice-activity settings, per leg.

    Attributes
    ----------
    speech_above_floor_db : float
        A frame is a speech candidate when its energy exceeds the leg's noise median by
        this many dB, or by ``noise_spread_factor`` noise spreads if that is more.
    boundary_above_floor_db : float
        Lower threshold (or half the spread threshold, if more) used to extend a detected
        segment to its soft onset and decay (double-threshold endpointing, Lamel et al. 1981).
    min_speech_ms : float
        Segments shorter than this are dropped (clicks, door slams).
    hangover_ms : float
        Silence shorter than this inside speech is bridged; a segment's end is final this long
        after it happens.
    bleed_margin_db : float
        A leg's frame counts as its own speech only if it is this much louder than the echo of
        the other leg predicted from the measured coupling between the legs.
    max_echo_db : float
        Strongest echo (bleed) of one leg in the other that the coupling estimate may assume,
        relative to the other leg. Telephone echo paths lose 20 dB or more; raising this
        rejects more echo but also quiet double talk.
    music_lookahead_ms : float
        Future context the music/speech discrimination may use; part of the pipeline latency.
        A multiple of 50 ms (the music detector's block), at most 400.
    voicing_threshold : float
        A frame is voiced when the peak normalized autocorrelation of its last 30 ms over
        pitch lags (62.5-400 Hz) reaches this; unvoiced bursts (rustle) never are.
    min_voiced_ms : float
        A segment becomes speech once this many milliseconds of consecutive frames above
        the speech threshold were voiced. Ringing clanks (dishes) voice for a frame or two;
        speech, even a short "mm", for several.
    noise_spread_factor : float
        The speech threshold is at least this many times the noise spread (90th
        percentile minus median, about 1.3 standard deviations) above the noise median;
        half of it for the boundary threshold. 2.0 since the voiced-run rule guards against
        bursts (2.5 before: a lower factor then let noise bursts in).
    segment_peak_db : float
        ... and whose loudest frame stands this far above the noise median. Speech at 10 dB
        SNR peaks about 15 dB over the noise (vowels are ~5 dB above the active level), its
        quieter words 10-15 dB; with the voiced-run rule guarding against noise bursts, 10 dB
        keeps those words (15 dB costs 0.012 tune F1, ``docs/tuning.md``).
    no_signal_max_dbfs : float or None
        Frames at or below this level (digital silence, a codec's idle pattern) never
        update the noise statistics: they say nothing about the noise under speech; speech
        must stand 5 dB above it. ``None`` (default): 2.2 dB over the input's quantization
        step (the smallest step between consecutive samples in the leg's quiet frames), so
        decisions do not depend on the recording gain: -70 dBFS on mu-law legs (step
        -72.2 dBFS), -64 on A-law (-66.2), -88 on 16-bit PCM, -97.8 on continuous values
        (float input); at rates other than 8 kHz the step is read before resampling; -70
        until a quiet frame has shown the step. A number fixes the level (-70 was the default
        before session 11).
    startup_s : float
        How long a stream that opens in speech (joined mid-call, or a recording that starts
        on the greeting) may judge speech against a noise level capped near its quietest
        frames, while the running noise median comes down (four times faster than usual)
        from the speech level it started at. Only a leg whose first 0.5 s holds voiced
        sound with a 15 dB level range takes this path. 0 turns it off. 8 s (tune split,
        ``benchmarks/study_mid_start.py``).
    max_unvoiced_ms : float
        Talk voices at least this often. Past this long after a segment's last voiced
        frame, frames over the thresholds no longer extend it (the hangover then ends it),
        and the frames of a segment that has gone this long without voicing teach the
        noise median. A noise that rises while a leg talks (a tap turned on, dishes,
        traffic) is otherwise taken for talk until it falls, since the noise median learns
        outside talk only. Speech's unvoiced stretches (a consonant cluster and a stop's
        closure) last up to ~300 ms. 0 turns it off (the behaviour before session 14).
        500 ms (tune split: 400-600 ms do alike, 300 ms cuts talk, 800 ms keeps noise).
    talk_voicing_threshold : float
        The voicing (as ``voicing_threshold``) that counts for ``max_unvoiced_ms`` within
        talk. Noise that rings (dishes, a tap) reaches 0.5-0.6 now and then, which kept
        talk going over it after the speaker had stopped; speech's vowels reach 0.7-0.95.
        0.7 (tune split, ``docs/studies.md``: 0.65-0.75 do alike).
    """

    speech_above_floor_db: float = 6.0
    boundary_above_floor_db: float = 3.0
    min_speech_ms: float = 80.0
    hangover_ms: float = 200.0
    bleed_margin_db: float = 6.0
    max_echo_db: float = -20.0
    music_lookahead_ms: float = 150.0
    voicing_threshold: float = 0.5
    min_voiced_ms: float = 60.0
    segment_peak_db: float = 10.0
    noise_spread_factor: float = 2.0
    no_signal_max_dbfs: float | None = None
    startup_s: float = 8.0
    max_unvoiced_ms: float = 500.0
    talk_voicing_threshold: float = 0.7

    def __post_init__(self) -> None:
        _check_positive(
            self,
            "speech_above_floor_db",
            "boundary_above_floor_db",
            "min_speech_ms",
            "hangover_ms",
            "music_lookahead_ms",
            "segment_peak_db",
            "noise_spread_factor",
            "min_voiced_ms",
        )
        _check_positive(self, "bleed_margin_db", "startup_s", "max_unvoiced_ms", allow_zero=True)
        _check_numbers(self, "max_echo_db", "voicing_threshold", "talk_voicing_threshold")
        if not -60.0 <= self.max_echo_db <= 0.0:
            raise ParameterError(f"max_echo_db must be in [-60, 0] dB, got {self.max_echo_db!r}")
        for name in ("voicing_threshold", "talk_voicing_threshold"):
            value = getattr(self, name)
            if not 0.0 < value < 1.0:
                raise ParameterError(f"{name} must be in (0, 1), got {value!r}")
        if self.no_signal_max_dbfs is not None and (
            isinstance(self.no_signal_max_dbfs, bool)
            or not isinstance(self.no_signal_max_dbfs, (int, float))
            or not -140.0 <= self.no_signal_max_dbfs <= -40.0
        ):
            raise ParameterError(
                "no_signal_max_dbfs must be None (from the input's resolution) or a level in "
                f"[-140, -40] dBFS (digital silence is -120), got {self.no_signal_max_dbfs!r}"
            )
        if self.boundary_above_floor_db > self.speech_above_floor_db:
            raise ParameterError(
                "boundary_above_floor_db must not exceed speech_above_floor_db "
                f"({self.boundary_above_floor_db} > {self.speech_above_floor_db}); lower it"
            )
        if self.music_lookahead_ms % 50:
            nearest = max(50, round(self.music_lookahead_ms / 50) * 50)
            raise ParameterError(
                f"music_lookahead_ms must be a multiple of 50 ms (the music detector's block), "
                f"got {self.music_lookahead_ms}: e.g. {nearest}"
            )
        if self.hangover_ms > 400 or self.music_lookahead_ms > 400:
            # Both add to the Analyzer's declared lookahead (latency_s: 0.49 s at the
            # defaults, 0.94 s with both at 400 ms); beyond that live coaching lags.
            raise ParameterError(
                "hangover_ms and music_lookahead_ms must be <= 400: each adds to the "
                "Analyzer's lookahead (Analyzer.latency_s, 0.49 s at the defaults)"
            )

    @property
    def hangover_frames(self) -> int:
        return max(1, round(self.hangover_ms / 1000 / HOP_S))

    @property
    def min_speech_frames(self) -> int:
        return max(1, round(self.min_speech_ms / 1000 / HOP_S))

    @property
    def min_voiced_frames(self) -> int:
        return max(1, round(self.min_voiced_ms / 1000 / HOP_S))

    @property
    def max_unvoiced_frames(self) -> int:
        """0 when off."""
        return round(self.max_unvoiced_ms / 1000 / HOP_S)

    @property
    def startup_frames(self) -> int:
        return round(self.startup_s / HOP_S)

    @property
    def music_lookahead_frames(self) -> int:
        return max(1, round(self.music_lookahead_ms / 1000 / HOP_S))


@dataclass(frozen=True, slots=True)
class TurnTakingConfig:
    """Turn-taking thresholds (seconds). See ``docs/concepts.md`` for the sources.

    Attributes
    ----------
    min_pause_s : float
        Shortest within-turn silence reported as a ``pause``.
    backchannel_max_s : float
        Longest listener vocalization that can still be a backchannel; a newcomer who talks
        longer than this has taken, or bid for, the floor.
    backchannel_resume_s : float
        A short listener spurt in the holder's silence is a backchannel only if the holder
        speaks again within this time (or within ``listener_pause_max_s``, if longer: the
        spurt is decided only then). A holder silent this long has left the floor open:
        coming back over a listener who started then is their bid (``docs/concepts.md``).
        0.6 s: a speaker's own pauses within a turn run to about half a second, and a
        silence measured on a noisy line is longer than the speaker's (its quiet edges lie
        under the noise); 0.5 s gave the floor away in such pauses (tune split,
        ``docs/tuning.md``).
    listener_pause_max_s : float
        A listener's talk with pauses shorter than this is one bid: "I -- I think" is not
        two backchannels. Backchannels are decided this long after they end.
    interruption_min_overlap_s : float
        Overlap shorter than this at a floor transfer is terminal overlap (Schegloff's
        non-competitive overlap), not an interruption.
    dead_air_min_s : float
        Shortest silence on both legs, outside hold, reported as ``dead_air``.
    hold_min_s : float
        Shortest run of music, or of a muted agent leg, reported as ``hold``.
    hold_end_tolerance_s : float
        Music may pause this long without ending a hold.
    muted_max_dbfs : float or None
        Agent-leg level at or below which the line counts as muted (silent hold). ``None``
        (default): 10 dB under the voice-activity front end's no-signal level
        (``VadConfig.no_signal_max_dbfs``), so -80 dBFS on mu-law or A-law legs and lower
        on quieter representations; -80 with a front end that gives no such level.
    silent_holds : {"auto", True, False}
        Report a muted agent line (``muted_max_dbfs``) of ``hold_min_s`` as a ``silence``
        hold. Agent legs with silence suppression (VoIP DTX, some recorders) carry digital
        silence whenever the agent is not talking, so a listening agent would look like a
        silent hold. ``"auto"`` (default) reports silent holds until the line shows it is
        gated (short muted runs tightly bracketed by the agent's own talk,
        ``detectors.line_gate``), then stops; ``True`` always reports them, ``False``
        never. Music holds and host markers are unaffected.
    max_turn_s : float
        A turn that has lasted this long is reported in parts: at the speaker's next pause
        (``min_pause_s``) the part so far is emitted as a ``turn`` and their talk after the
        pause continues the same floor as the next part (``part`` 2, 3, ...). A customer's
        two-minute complaint then gets its prosody and emotional state, and can raise an
        alert, while it runs, and a lone speaker's leg gets per-utterance turns; the
        per-call state stays bounded. 20 s is above every turn of the simulated calls and
        under what live coaching can wait. 0 never splits.
    """

    min_pause_s: float = 0.25
    backchannel_max_s: float = 1.0
    backchannel_resume_s: float = 0.6
    listener_pause_max_s: float = 0.6
    interruption_min_overlap_s: float = 0.5
    dead_air_min_s: float = 5.0
    hold_min_s: float = 3.0
    hold_end_tolerance_s: float = 2.0
    muted_max_dbfs: float | None = None
    silent_holds: bool | Literal["auto"] = "auto"
    max_turn_s: float = 20.0

    def __post_init__(self) -> None:
        if not (isinstance(self.silent_holds, bool) or self.silent_holds == "auto"):
            raise ParameterError(
                f"silent_holds must be 'auto', True or False, got {self.silent_holds!r}"
            )
        _check_positive(self, "max_turn_s", allow_zero=True)
        _check_positive(
            self,
            "min_pause_s",
            "backchannel_max_s",
            "backchannel_resume_s",
            "listener_pause_max_s",
            "interruption_min_overlap_s",
            "dead_air_min_s",
            "hold_min_s",
            "hold_end_tolerance_s",
        )
        if self.muted_max_dbfs is not None and (
            isinstance(self.muted_max_dbfs, bool)
            or not isinstance(self.muted_max_dbfs, (int, float))
            or not math.isfinite(self.muted_max_dbfs)
        ):
            raise ParameterError(
                "muted_max_dbfs must be None (from the front end's no-signal level) or a "
                f"finite number, got {self.muted_max_dbfs!r}"
            )
        if self.interruption_min_overlap_s > self.backchannel_max_s:
            raise ParameterError(
                "interruption_min_overlap_s must not exceed backchannel_max_s: an overlap "
                "is classified when the newcomer's talk reaches backchannel_max_s"
            )

    def to_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class TranscriptConfig:
    """How transcript text is attached to audio turns (seconds).

    Attributes
    ----------
    tolerance_s : float
        Slack on each side of a turn within which a transcript segment of the same speaker
        still belongs to it: ASR word times and VAD boundaries differ by a few hundred ms.
    wait_s : float
        How long after a turn ends (in stream time) to wait for its final transcript before
        emitting the turn with what has arrived. Streaming ASR finalizes within ~1 s of the
        end of speech; 2 s covers that with margin and keeps coaching timely.
    """

    tolerance_s: float = 0.3
    wait_s: float = 2.0

    def __post_init__(self) -> None:
        _check_positive(self, "tolerance_s", "wait_s")

    def to_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class AlertConfig:
    """Live coaching alerts (seconds). See ``docs/alerts.md`` for each rule and its source.

    Attributes
    ----------
    long_wait_s : float
        The customer stopped talking and the agent has said nothing for this long (outside
        hold). Answers normally come within 0.2-0.5 s (Stivers et al. 2009); 3 s is a
        noticeable wait without firing on every slow answer.
    hold_long_s : float
        A hold has lasted this long; contact-center practice is to check back with the
        caller at least every 60 s.
    agitation_arousal : float
        A customer turn whose fused state arousal is at least this, and rising from their
        previous turn, with negative valence, counts towards agitation. In (0, 1): the
        state's arousal lies in -1..1.
    agitation_turns : int
        This many such turns in a row raise ``agitation_rising``.
    """

    long_wait_s: float = 3.0
    hold_long_s: float = 60.0
    agitation_arousal: float = 0.25
    agitation_turns: int = 2

    def __post_init__(self) -> None:
        _check_positive(self, "long_wait_s", "hold_long_s", "agitation_arousal")
        if self.agitation_arousal >= 1.0:
            raise ParameterError(
                f"agitation_arousal must be under 1 (arousal lies in -1..1, so the alert could "
                f"never fire), got {self.agitation_arousal!r}"
            )
        if isinstance(self.agitation_turns, bool) or not isinstance(self.agitation_turns, int) \
                or self.agitation_turns < 1:  # fmt: skip
            raise ParameterError(
                f"agitation_turns must be an int >= 1, got {self.agitation_turns!r}"
            )

    def to_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}
