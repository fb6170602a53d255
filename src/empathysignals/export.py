"""Exports of a call's events in the formats researchers' tools read.

* JSON Lines: one event per line (:meth:`Event.to_dict`), the library's own format.
* RTTM: one ``SPEAKER`` line per turn (NIST RTTM, as diarization scorers read it).
* Praat TextGrid: interval tiers for turns and turn emotion per role, pauses, gaps,
  overlaps (interruptions), holds and dead air (long text format, readable by Praat and
  parselmouth).
* CSV of turns: one row per turn with every prosodic and emotional field.
* pandas DataFrame of turns, when pandas is installed.

Only closed events are exported (an open condition is re-emitted closed later).
"""

from __future__ import annotations

import csv
import json
import math
import os
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from .errors import MissingDependencyError, ParameterError
from .events import Event, SummaryEvent, TurnEvent

__all__ = ["to_dataframe", "turn_rows", "write_csv", "write_jsonl", "write_rttm", "write_textgrid"]

PathLike = str | os.PathLike[str]


def _event(ev: object) -> Event:
    if not isinstance(ev, Event):
        raise ParameterError(
            f"expected Event objects (what analyze() returns), got {type(ev).__name__}"
        )
    return ev


def _closed(events: Iterable[Event]) -> list[Event]:
    return [ev for ev in map(_event, events) if ev.end is not None]


def write_jsonl(events: Iterable[Event], path: PathLike) -> None:
    """Every event, open announcements included, one JSON object per line.

    Parameters
    ----------
    events : iterable of Event
        A stream's events, as ``analyze`` returns them.
    path : str or PathLike
        The file to write (UTF-8); read it back with :func:`~empathysignals.event_from_dict`.
    """
    lines = [json.dumps(_event(ev).to_dict()) for ev in events]  # checked before the file opens
    with open(path, "w", encoding="utf-8") as fh:
        fh.writelines(line + "\n" for line in lines)


def write_rttm(events: Iterable[Event], path: PathLike, *, file_id: str = "call") -> None:
    """Turns as RTTM ``SPEAKER`` lines (speaker = role), in order of start, times to 1 ms.

    Each part of a long turn (:attr:`TurnEvent.part`) is a line of its own: the parts are
    separated by the speaker's pause, so the lines are the speaker's speech as the turns
    report it. Merge consecutive parts of one speaker for whole floor turns.

    Parameters
    ----------
    events : iterable of Event
        A stream's events; the closed turns are written.
    path : str or PathLike
        The file to write.
    file_id : str, default "call"
        The recording id (field 2), one word.
    """
    if not isinstance(file_id, str) or not file_id or any(c.isspace() for c in file_id):
        raise ParameterError(f"file_id must be a non-empty word without spaces, got {file_id!r}")
    turns = sorted((e for e in _closed(events) if isinstance(e, TurnEvent)), key=lambda e: e.start)
    for t in turns:
        if any(c.isspace() for c in t.speaker):
            # RTTM fields are separated by spaces: a name with one would shift the fields.
            raise ParameterError(
                f"role {t.speaker!r} contains a space, which RTTM cannot hold: use roles "
                "without spaces (e.g. 'customer_care')"
            )
    with open(path, "w", encoding="utf-8") as fh:
        for t in turns:
            assert t.end is not None
            # The duration between the rounded times, so that onset + duration is the
            # turn's end to 1 ms (rounding the two separately could be 1 ms off).
            start, end = round(t.start, 3), round(t.end, 3)
            fh.write(
                f"SPEAKER {file_id} 1 {start:.3f} {end - start:.3f} <NA> <NA> "
                f"{t.speaker} <NA> <NA>\n"
            )


def _label(ev: Event) -> str:
    if isinstance(ev, TurnEvent):
        return ev.speaker
    for name in ("speaker", "by", "kind"):
        value = getattr(ev, name, None)
        if value:
            return str(value)
    if ev.type == "gap":
        return (
            f"{getattr(ev, 'from_', '')}->{getattr(ev, 'to', '')} {getattr(ev, 'offset', 0):+.2f}"
        )
    return ev.type


def _emotion_label(turn: TurnEvent) -> str:
    if not turn.emotion:
        return ""
    top = turn.emotion.get("top") or []
    label = top[0][0] if top else ""
    valence = turn.emotion.get("valence")
    return f"{turn.speaker}: {label}" + ("" if valence is None else f" ({valence:+.2f})")


def _quoted(text: str) -> str:
    """Text inside a TextGrid string: Praat writes a quote as two."""
    return text.replace('"', '""')


def _tier(name: str, items: list[tuple[float, float, str]], xmax: float) -> list[str]:
    """An interval tier; gaps between items are filled with empty intervals, overlapping
    items are clipped so intervals stay contiguous, as Praat requires. Times are rounded to
    the file's 1 ms first (``xmax`` already is), so that no interval is empty once written."""
    intervals: list[tuple[float, float, str]] = []
    t = 0.0
    for start, end, text in sorted((round(a, 3), round(b, 3), x) for a, b, x in items):
        start, end = max(start, t), min(end, xmax)
        if end <= start:
            continue
        if start > t:
            intervals.append((t, start, ""))
        intervals.append((start, end, text))
        t = end
    if t < xmax:
        intervals.append((t, xmax, ""))
    lines = [
        '        class = "IntervalTier"',
        f'        name = "{_quoted(name)}"',
        "        xmin = 0",
        f"        xmax = {xmax:.3f}",
        f"        intervals: size = {len(intervals)}",
    ]
    for k, (a, b, text) in enumerate(intervals, start=1):
        safe = _quoted(text)
        lines += [
            f"        intervals [{k}]:",
            f"            xmin = {a:.3f}",
            f"            xmax = {b:.3f}",
            f'            text = "{safe}"',
        ]
    return lines


def _role_order(closed: list[Event], summary: SummaryEvent | None) -> list[str]:
    """The roles that have a turn: in the call's column order (the summary's), then any
    others in order of their first turn."""
    speakers = [
        e.speaker for e in sorted(closed, key=lambda e: e.start) if isinstance(e, TurnEvent)
    ]
    columns = list(summary.talk_time_s) if summary is not None else []
    return [r for r in columns if r in speakers] + list(
        dict.fromkeys(s for s in speakers if s not in columns)
    )


def write_textgrid(
    events: Iterable[Event], path: PathLike, *, duration_s: float | None = None
) -> None:
    """A Praat TextGrid of the closed events, times to 1 ms.

    Tiers, in this order: ``turns <role>`` for each role that has a turn (in the call's
    role order, from the summary; without one, in order of first turn; label: the role, one
    interval per part of a long turn), ``pauses`` (label: the speaker), ``gaps``
    (``"<from>-><to> <offset>"``), ``overlaps`` (interruptions; label: who interrupted),
    ``holds`` (label: the kind), ``dead air`` and ``emotion <role>`` for each of those roles
    (the turns that carry a text emotion; label ``"<role>: <top label> (<valence>)"``, no
    valence when it has none). The two roles' turns overlap at overlapping floor transfers,
    so each role has tiers of its own; on every other tier the detector's events are
    disjoint.

    The grid runs from 0 to ``duration_s``, else the summary's ``duration_s``, else the
    last event's end; events running past it are clipped to it. An event of no length (a
    gap of offset 0: neither silence nor overlap between the turns) has no interval. Events
    that overlap on one tier (hand-built or merged streams) are clipped: each starts where
    the one before it on the tier ended, and one that ends there has no interval.

    Parameters
    ----------
    events : iterable of Event
        A stream's events; the closed ones are written.
    path : str or PathLike
        The file to write (Praat's long text format, UTF-8).
    duration_s : float, optional
        The grid's length in seconds (the audio's), else the summary's ``duration_s``.
    """
    closed = _closed(events)
    summary = next((e for e in closed if isinstance(e, SummaryEvent)), None)
    if duration_s is not None:
        number = isinstance(duration_s, (int, float, np.integer, np.floating))
        if isinstance(duration_s, bool) or not number or not 0 < duration_s < math.inf:
            raise ParameterError(f"duration_s must be seconds > 0, got {duration_s!r}")
        xmax = float(duration_s)  # the audio's own length: later events are clipped to it
    elif summary is not None:
        xmax = summary.duration_s
    else:
        xmax = max([0.0, *(e.end for e in closed if e.end is not None)])
    if round(xmax, 3) <= 0:  # the file's precision
        raise ParameterError(
            "nothing to export: no closed events and no duration_s"
            if xmax <= 0
            else f"nothing to export: the grid's length ({xmax} s) is under the file's 1 ms"
        )
    xmax = round(xmax, 3)  # so that the last interval, written to 1 ms, is not empty
    roles = _role_order(closed, summary)

    def items(kind: str) -> list[tuple[float, float, str]]:
        return [(e.start, e.end or e.start, _label(e)) for e in closed if e.type == kind]

    tiers = [(f"turns {r}", [i for i in items("turn") if i[2] == r]) for r in roles]
    tiers += [
        ("pauses", items("pause")),
        ("gaps", items("gap")),
        ("overlaps", items("interruption")),
        ("holds", items("hold")),
        ("dead air", items("dead_air")),
    ]
    # Per role, as the turns: on one shared tier the later of two overlapping turns (an
    # overlapping floor transfer) was clipped to start at the earlier one's end, or dropped.
    tiers += [
        (
            f"emotion {r}",
            [
                (e.start, e.end or e.start, _emotion_label(e))
                for e in closed
                if isinstance(e, TurnEvent) and e.emotion and e.speaker == r
            ],
        )
        for r in roles
    ]
    lines = [
        'File type = "ooTextFile"',
        'Object class = "TextGrid"',
        "",
        "xmin = 0",
        f"xmax = {xmax:.3f}",
        "tiers? <exists>",
        f"size = {len(tiers)}",
        "item []:",
    ]
    for k, (name, tier_items) in enumerate(tiers, start=1):
        lines.append(f"    item [{k}]:")
        lines += _tier(name, tier_items, xmax)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


def turn_rows(events: Iterable[Event]) -> list[dict[str, Any]]:
    """One flat dict per turn: times, speaker, part (of a long turn), text, every
    ``prosody`` field (prefixed ``prosody_``), the text emotion's top label, its
    probability, the predicted labels (``;``-joined), valence and sentiment, and the fused
    ``state`` (valence, arousal, label, confidence, and the signals named as evidence,
    ``;``-joined)."""
    rows = []
    for t in _closed(events):
        if not isinstance(t, TurnEvent):
            continue
        row: dict[str, Any] = {"id": t.id, "speaker": t.speaker, "part": t.part,
                               "start": t.start, "end": t.end, "text": t.text}  # fmt: skip
        for key, value in (t.prosody or {}).items():
            row[f"prosody_{key}"] = value
        emotion = t.emotion or {}
        top = emotion.get("top") or [[None, None]]
        row["emotion_label"], row["emotion_prob"] = top[0][0], top[0][1]
        row["emotion_valence"] = emotion.get("valence")
        predicted = emotion.get("predicted")
        row["emotion_predicted"] = ";".join(predicted) if predicted else None
        for key, value in (emotion.get("sentiment") or {}).items():
            row[f"sentiment_{key}"] = value
        state = t.state or {}
        for key in ("valence", "arousal", "label", "confidence"):
            row[f"state_{key}"] = state.get(key)
        evidence = state.get("evidence") or []
        row["state_evidence"] = ";".join(str(e.get("signal")) for e in evidence) or None
        rows.append(row)
    return rows


def write_csv(events: Iterable[Event], path: PathLike) -> None:
    """The turns of :func:`turn_rows` as CSV (columns: the union over turns).

    Parameters
    ----------
    events : iterable of Event
        A stream's events; one row per closed turn.
    path : str or PathLike
        The file to write (UTF-8).
    """
    rows = turn_rows(events)
    columns: list[str] = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns or ["id"])
        writer.writeheader()
        writer.writerows(rows)


def to_dataframe(events: Sequence[Event]) -> Any:
    """The turns of :func:`turn_rows` as a pandas DataFrame: one row per closed turn, the
    columns of :func:`write_csv` (other event types are not rows; filter ``events`` or use
    ``[e.to_dict() for e in events]`` for those). Needs pandas (``pip install pandas``);
    without it, :class:`~empathysignals.MissingDependencyError`."""
    try:
        import pandas as pd
    except ImportError:
        raise MissingDependencyError("to_dataframe() needs pandas: pip install pandas") from None
    return pd.DataFrame(turn_rows(events))
