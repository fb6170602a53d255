"""Typed, frozen event records and their JSON form.

Every event has ``type``, ``id``, ``start``, ``end`` and ``emitted_at``, all times in seconds
from the start of the stream. A condition that is announced while it is still going on (dead
air, hold, an interruption in progress) is emitted twice with the same ``id``: first with
``end=None``, then closed. The JSON form is documented in ``docs/events.md`` and versioned by
:data:`SCHEMA_VERSION`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

from .errors import ParameterError

__all__ = [
    "EVENT_TYPES",
    "SCHEMA_VERSION",
    "AlertEvent",
    "BackchannelEvent",
    "DeadAirEvent",
    "Event",
    "GapEvent",
    "HoldEvent",
    "InterruptionEvent",
    "KeyedDigitsEvent",
    "PauseEvent",
    "SummaryEvent",
    "TurnEvent",
    "event_from_dict",
]

#: Version of the JSON form. Minor bumps add fields; major bumps change or remove them.
SCHEMA_VERSION = "1.4"

# JSON keys that are Python keywords get a trailing underscore as attributes.
_KEY_RENAMES = {"from_": "from"}


def _round(value: float | None) -> float | None:
    # Millisecond resolution: the analysis hop is 10 ms, more digits are noise in the JSON.
    return None if value is None else round(float(value), 3)


@dataclass(frozen=True, slots=True)
class Event:
    """Base of all events. Times are seconds from stream start; ``end`` is ``None`` while
    the condition is still open."""

    type: ClassVar[str] = "event"
    id: int
    start: float
    end: float | None
    emitted_at: float

    @property
    def is_open(self) -> bool:
        return self.end is None

    @property
    def duration(self) -> float | None:
        return None if self.end is None else self.end - self.start

    def to_dict(self) -> dict[str, Any]:
        """The event's JSON object (times rounded to 1 ms)."""
        out: dict[str, Any] = {"type": self.type}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in ("start", "end", "emitted_at") or isinstance(value, float):
                value = _round(value)
            out[_KEY_RENAMES.get(f.name, f.name)] = value
        return out


@dataclass(frozen=True, slots=True)
class TurnEvent(Event):
    """A speaker's turn: from their first to their last speech while they held the floor
    (backchannels and failed interruptions by the listener do not end it). A turn longer
    than ``TurnTakingConfig.max_turn_s`` is reported in parts, split at pauses."""

    type: ClassVar[str] = "turn"
    speaker: str = ""
    #: 1 for a turn's first (or only) part; 2, 3, ... for the parts of a long turn after
    #: its first, each beginning after a pause of the same speaker (schema 1.3).
    part: int = 1
    #: What was said or written in the turn, when a transcript was given (schema 1.1).
    text: str | None = None
    #: Text emotion of ``text`` (schema 1.1): ``model``, ``top`` ([label, prob] pairs),
    #: ``predicted`` (labels at threshold), ``valence`` (-1…1) and, for GoEmotions models,
    #: ``sentiment`` probabilities. See docs/events.md.
    emotion: Mapping[str, Any] | None = None
    #: Prosody of the turn's speech (schema 1.1): pitch, loudness, voice quality, rate and
    #: ``arousal`` relative to the speaker's earlier turns. See docs/prosody.md.
    prosody: Mapping[str, Any] | None = None
    #: Emotional state of the speaker in this turn (schema 1.1): ``valence`` and
    #: ``arousal`` (-1…1), ``label``, ``confidence`` and ``evidence``. See docs/state.md.
    state: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class PauseEvent(Event):
    """Silence inside one speaker's turn, at least ``min_pause_s`` long."""

    type: ClassVar[str] = "pause"
    speaker: str = ""


@dataclass(frozen=True, slots=True)
class GapEvent(Event):
    """A floor transfer from ``from_`` to ``to``. ``offset`` is the new speaker's onset minus
    the previous speaker's offset: the response latency, negative for overlap. ``start`` and
    ``end`` span the silence (or the overlap)."""

    type: ClassVar[str] = "gap"
    from_: str = ""
    to: str = ""
    offset: float = 0.0


@dataclass(frozen=True, slots=True)
class DeadAirEvent(Event):
    """Nobody speaking for at least ``dead_air_min_s``, outside hold."""

    type: ClassVar[str] = "dead_air"


@dataclass(frozen=True, slots=True)
class InterruptionEvent(Event):
    """``by`` started talking while ``of`` was speaking and took, or bid for, the floor.
    ``start`` is the interrupter's onset, ``end`` the end of the overlap. ``successful`` is
    ``True`` when ``of`` yielded, ``False`` when ``by`` gave up, ``None`` while open."""

    type: ClassVar[str] = "interruption"
    by: str = ""
    of: str = ""
    successful: bool | None = None


@dataclass(frozen=True, slots=True)
class BackchannelEvent(Event):
    """A short listener vocalization ("mm-hmm", "right") that did not take the floor."""

    type: ClassVar[str] = "backchannel"
    speaker: str = ""


@dataclass(frozen=True, slots=True)
class HoldEvent(Event):
    """The caller on hold: ``kind`` is ``"music"`` or ``"silence"`` (muted agent leg) when
    detected, ``"marker"`` when the host injected hold markers from telephony metadata.
    ``source`` is ``"detected"`` or ``"marker"``."""

    type: ClassVar[str] = "hold"
    kind: str = "music"
    source: str = "detected"


@dataclass(frozen=True, slots=True)
class KeyedDigitsEvent(Event):
    """Keyed digits (schema 1.4): DTMF on ``speaker``'s leg, digits less than
    ``KEYED_DIGITS_GAP_S`` apart joined (an account or card number keyed in groups).
    Announced open at the first digit's onset, so a host can pause a recording (PCI DSS),
    then closed at the last digit's end. ``digits`` counts them (so far, while open); which
    keys were pressed is never decoded."""

    type: ClassVar[str] = "keyed_digits"
    speaker: str = ""
    digits: int = 0


@dataclass(frozen=True, slots=True)
class AlertEvent(Event):
    """A live coaching alert (schema 1.1): ``kind`` (``agent_interrupting``, ``long_wait``,
    ``dead_air``, ``hold_long``, ``agitation_rising``), ``who`` it concerns, a short
    human-readable ``message``, and the ``value`` that crossed ``threshold``. ``start`` is
    the moment that triggered it; alerts are instantaneous (``end == start``)."""

    type: ClassVar[str] = "alert"
    kind: str = ""
    who: str = ""
    message: str = ""
    value: float | None = None
    threshold: float | None = None


@dataclass(frozen=True, slots=True)
class SummaryEvent(Event):
    """The last event of a stream: call-level turn-taking metrics. See ``docs/events.md``."""

    type: ClassVar[str] = "summary"
    schema_version: str = SCHEMA_VERSION
    duration_s: float = 0.0
    talk_time_s: Mapping[str, float] = field(default_factory=dict)
    non_talk_time_s: float = 0.0
    overtalk_time_s: float = 0.0
    interruptions: Mapping[str, int] = field(default_factory=dict)
    backchannels: Mapping[str, int] = field(default_factory=dict)
    turns: Mapping[str, int] = field(default_factory=dict)
    holds: Mapping[str, float] = field(default_factory=dict)
    dead_air: Mapping[str, float] = field(default_factory=dict)
    response_latency_s: Mapping[str, Mapping[str, float | int | None]] = field(default_factory=dict)
    #: Per role: ``start``, ``peak``, ``end`` states, ``trend``, ``peak_end``,
    #: ``valence_by_quarter`` (schema 1.1, see docs/state.md).
    emotion: Mapping[str, Any] = field(default_factory=dict)
    articulation_rate_syl_s: Mapping[str, float | None] = field(default_factory=dict)
    #: Up to 200 moments {time, kind, who, detail, why}, in time order (schema 1.1).
    coachable_moments: Sequence[Mapping[str, Any]] = field(default_factory=list)
    coachable_moments_total: int = 0

    def to_dict(self) -> dict[str, Any]:
        out = Event.to_dict(self)
        for key in ("talk_time_s", "holds", "dead_air"):
            out[key] = {k: _round(v) if isinstance(v, float) else v for k, v in out[key].items()}
        out["response_latency_s"] = {
            direction: {k: _round(v) if isinstance(v, float) else v for k, v in stats.items()}
            for direction, stats in self.response_latency_s.items()
        }
        for key in ("interruptions", "backchannels", "turns"):
            out[key] = dict(out[key])
        return out


EVENT_TYPES: dict[str, type[Event]] = {
    cls.type: cls
    for cls in (
        AlertEvent,
        TurnEvent,
        PauseEvent,
        GapEvent,
        DeadAirEvent,
        InterruptionEvent,
        BackchannelEvent,
        HoldEvent,
        KeyedDigitsEvent,
        SummaryEvent,
    )
}


def event_from_dict(data: Mapping[str, Any]) -> Event:
    """Rebuild an event from its :meth:`Event.to_dict` form.

    Fields this version does not know are ignored: a later minor version of the schema
    only adds fields, so its JSON reads here without them.

    Parameters
    ----------
    data : mapping
        One event's JSON object.

    Returns
    -------
    Event
        The event of the class its ``type`` names.

    Raises
    ------
    ParameterError
        If ``data`` is not a mapping, ``type`` is unknown, a field is missing, or a time
        is not a finite number (``end`` may be null).
    """
    if not isinstance(data, Mapping):
        raise ParameterError(f"an event is a JSON object (a mapping), got {type(data).__name__}")
    kind = data.get("type")
    cls = EVENT_TYPES.get(str(kind))
    if cls is None:
        raise ParameterError(f"unknown event type {kind!r}; expected one of {sorted(EVENT_TYPES)}")
    inverse = {v: k for k, v in _KEY_RENAMES.items()}
    known = {f.name for f in fields(cls)}
    kwargs = {inverse.get(k, k): v for k, v in data.items() if inverse.get(k, k) in known}
    for name in ("start", "end", "emitted_at"):
        value = kwargs.get(name)
        if name == "end" and value is None:
            continue
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
        ):
            raise ParameterError(
                f"malformed {kind} event: {name} must be a finite number, got {value!r}"
            )
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise ParameterError(f"malformed {kind} event: {exc}") from None
