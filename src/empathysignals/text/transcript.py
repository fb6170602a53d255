"""Transcript input from any ASR or chat: segments, validation, and attaching text to turns.

A :class:`TranscriptSegment` is a word, an utterance or a chat message with its speaker (a
role) and times in seconds from stream start. ASR engines send partial results that later
become final: give them the same ``id`` and each new one replaces the last.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import ParameterError

__all__ = ["TranscriptAligner", "TranscriptSegment", "as_segments", "read_transcript"]

_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class TranscriptSegment:
    """Text spoken or written by ``speaker`` between ``start`` and ``end`` (seconds).

    ``final=False`` marks an ASR partial result; a later segment with the same ``id``
    replaces it. A chat message has ``start == end`` (its timestamp) unless typing time is
    known.
    """

    speaker: str
    start: float
    end: float
    text: str
    final: bool = True
    id: str | None = None


def _segment(row: Any, roles: Sequence[str], index: int) -> TranscriptSegment:
    if isinstance(row, TranscriptSegment):
        seg = row
    elif isinstance(row, Mapping):
        try:
            speaker = row.get("speaker", row.get("role"))
            start = row["start"]
            end = row.get("end", start)
            final = row.get("final", True)
            if not isinstance(final, bool):  # "false" would read as True
                raise TypeError(f"final must be true or false, got {final!r}")
            seg = TranscriptSegment(
                str(speaker), float(start), float(end), row["text"],
                final, None if row.get("id") is None else str(row["id"]),
            )  # fmt: skip
        except (KeyError, TypeError, ValueError) as exc:
            raise ParameterError(
                f"transcript item {index}: needs speaker, start, text (and optionally end, "
                f"final, id); {exc!r}"
            ) from None
    elif isinstance(row, Sequence) and not isinstance(row, str) and len(row) in (3, 4):
        try:
            if len(row) == 4:
                seg = TranscriptSegment(str(row[0]), float(row[1]), float(row[2]), row[3])
            else:
                seg = TranscriptSegment(str(row[0]), float(row[1]), float(row[1]), row[2])
        except (TypeError, ValueError) as exc:
            raise ParameterError(f"transcript item {index}: {exc}") from None
    else:
        raise ParameterError(
            f"transcript item {index} is {type(row).__name__}; pass TranscriptSegment, a dict "
            "with speaker/start/end/text, or a (speaker, start, end, text) tuple"
        )
    if seg.speaker not in roles:
        raise ParameterError(
            f"transcript item {index}: speaker {seg.speaker!r} is not a role of this call "
            f"({', '.join(roles)}); map diarizer labels to roles first"
        )
    if not isinstance(seg.text, str):
        raise ParameterError(
            f"transcript item {index}: text must be str, got {type(seg.text).__name__}"
        )
    if _SURROGATE.search(seg.text):
        # A lone UTF-16 surrogate (JSON allows "\ud83d") is no character: the tokenizer,
        # CSV and HTML all refuse it. It stands for a character the ASR cut in two.
        seg = replace(seg, text=_SURROGATE.sub("\ufffd", seg.text))
    if not (math.isfinite(seg.start) and math.isfinite(seg.end)):
        raise ParameterError(
            f"transcript item {index}: times must be finite, got {seg.start}, {seg.end}"
        )
    if seg.start < 0 or seg.end < seg.start:
        raise ParameterError(
            f"transcript item {index}: "
            f"needs 0 <= start <= end, got start={seg.start}, end={seg.end}"
        )
    return seg


def read_transcript(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Read transcript rows from JSON (a list, or an object with ``segments``, ``words``,
    ``utterances`` or ``messages``) or JSON Lines (one row per line), told apart by the
    content, not the file name; ``"-"`` reads standard input. Rows are validated when
    pushed."""
    if not isinstance(path, (str, os.PathLike)):
        raise ParameterError(f"path must be a str or PathLike, got {type(path).__name__}")
    if str(path) == "-":
        p = Path("<stdin>")
        text = sys.stdin.read()
    else:
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise ParameterError(f"cannot read transcript {p}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise ParameterError(f"transcript {p} is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as whole:
        try:  # JSON Lines: one row per line
            data = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError:
            raise ParameterError(
                f"transcript {p} is not valid JSON, nor JSON Lines (one row a line): {whole}"
            ) from None
    if isinstance(data, dict):
        key = next((k for k in ("segments", "words", "utterances", "messages") if k in data), None)
        if key is None and "text" in data:  # JSON Lines of a single row
            return [data]
        if key is None:
            raise ParameterError(
                f"transcript {p}: a JSON object needs a 'segments', 'words', 'utterances' or "
                "'messages' list (or give one row per line, JSON Lines)"
            )
        data = data[key]
    if not isinstance(data, list):
        raise ParameterError(f"transcript {p} must hold a list of rows")
    return data


def as_segments(rows: Iterable[Any], roles: Sequence[str]) -> list[TranscriptSegment]:
    """Validate transcript rows into segments (see :class:`TranscriptSegment`), in time
    order (stable: a later hypothesis of one utterance stays after the earlier one)."""
    if isinstance(rows, (str, bytes, Mapping, TranscriptSegment)):
        rows = [rows]
    try:
        items = list(rows)
    except TypeError:
        raise ParameterError(
            f"transcript must be an iterable of segments (dicts, tuples or "
            f"TranscriptSegment), got {type(rows).__name__}"
        ) from None
    return sorted((_segment(row, roles, i) for i, row in enumerate(items)), key=lambda s: s.start)


class TranscriptAligner:
    """Holds transcript segments until the audio turn they belong to is released.

    A segment belongs to the turn of its speaker that it overlaps, with ``tolerance_s`` of
    slack on each side of the turn (ASR and VAD boundaries differ by a few hundred ms).
    A turn is *ready* once the speaker's final transcript reaches its end, the transcript
    is marked complete, or ``wait_s`` of stream time has passed since the turn ended.
    """

    def __init__(self, roles: Sequence[str], *, tolerance_s: float, wait_s: float) -> None:
        self.roles = tuple(roles)
        self.tolerance_s = tolerance_s
        self.wait_s = wait_s
        self.segments: dict[str, list[TranscriptSegment]] = {r: [] for r in self.roles}
        self.final_until: dict[str, float] = dict.fromkeys(self.roles, 0.0)
        self.last_final_start: dict[str, float] = dict.fromkeys(self.roles, 0.0)
        self.complete = False
        self.used = False

    def add(self, segments: Iterable[TranscriptSegment]) -> None:
        segments = list(segments)
        last = dict(self.last_final_start)  # checked first: a refused push leaves no trace
        for seg in segments:
            if seg.final:
                if seg.start < last[seg.speaker]:
                    raise ParameterError(
                        f"final transcript for {seg.speaker!r} went back in time (start "
                        f"{seg.start} after {last[seg.speaker]}); push each speaker's final "
                        "segments in time order"
                    )
                last[seg.speaker] = seg.start
        for seg in segments:
            self.used = True
            pending = self.segments[seg.speaker]
            if seg.id is not None:
                # A newer hypothesis for the same utterance replaces the older one.
                pending[:] = [s for s in pending if s.id != seg.id]
            if seg.final:
                self.last_final_start[seg.speaker] = seg.start
                self.final_until[seg.speaker] = max(self.final_until[seg.speaker], seg.end)
            pending.append(seg)

    def ready_at(self, speaker: str, end: float) -> float:
        """Stream time from which a turn of ``speaker`` ending at ``end`` may be released:
        ``-inf`` when its transcript is already here, else the timeout."""
        if self.complete or self.final_until[speaker] >= end - self.tolerance_s:
            return -math.inf
        return end + self.wait_s

    def take(self, speaker: str, start: float, end: float) -> str:
        """Remove and join the text of ``speaker``'s segments overlapping the turn."""
        lo, hi = start - self.tolerance_s, end + self.tolerance_s
        keep, words = [], []
        for seg in sorted(self.segments[speaker], key=lambda s: s.start):
            inside = (seg.start < hi and seg.end > lo) or lo <= seg.start <= hi
            if inside:
                if seg.text.strip():
                    words.append(seg.text.strip())
            elif seg.end >= lo:
                keep.append(seg)
            # Segments wholly before the turn belong to no later turn: drop them so
            # memory stays bounded.
        self.segments[speaker] = keep
        return " ".join(words)
