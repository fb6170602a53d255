"""Turns and response gaps of a text-only conversation (chat, messaging, email threads).

Consecutive messages by one speaker form a turn; a message by another speaker ends it.
The ``gap`` between turns is the response time: the new turn's first message minus the
previous turn's last message (negative when the answer was being written before the
question ended, possible with typing times).
"""

from __future__ import annotations

from collections.abc import Iterable

from ..detectors.base import DetectorContext
from ..errors import ParameterError
from ..events import Event, GapEvent, TurnEvent
from .transcript import TranscriptSegment

__all__ = ["MessageTurns"]


class MessageTurns:
    """Per-conversation state; messages must arrive in time order."""

    def __init__(self, context: DetectorContext) -> None:
        self.ctx = context
        self.speaker: str | None = None
        self.start = 0.0
        self.end = 0.0
        self.texts: list[str] = []
        self.last_start = 0.0
        self.now = 0.0

    def push(self, messages: Iterable[TranscriptSegment]) -> list[Event]:
        out: list[Event] = []
        for msg in messages:
            if not msg.final:
                continue  # chat has no partial results; ASR partials are superseded anyway
            if msg.start < self.last_start:
                raise ParameterError(
                    f"message at {msg.start} s arrived after one at {self.last_start} s; push "
                    "messages in time order (sort a thread by timestamp first)"
                )
            self.last_start = msg.start
            self.now = max(self.now, msg.end)
            if self.speaker == msg.speaker:
                self.end = max(self.end, msg.end)
                self.texts.append(msg.text)
                continue
            if self.speaker is not None:
                out.append(self._close(emitted_at=msg.start))
                out.append(
                    GapEvent(
                        self.ctx.new_id(),
                        min(self.end, msg.start),
                        max(self.end, msg.start),
                        msg.start,
                        from_=self.speaker,
                        to=msg.speaker,
                        offset=round(msg.start - self.end, 6),
                    )
                )
            self.speaker, self.start, self.end, self.texts = (
                msg.speaker,
                msg.start,
                msg.end,
                [msg.text],
            )
        return out

    def _close(self, *, emitted_at: float) -> TurnEvent:
        assert self.speaker is not None
        text = " ".join(t.strip() for t in self.texts if t.strip())
        return TurnEvent(
            self.ctx.new_id(), self.start, self.end, emitted_at, speaker=self.speaker, text=text
        )

    def flush(self) -> list[Event]:
        if self.speaker is None:
            return []
        turn = self._close(emitted_at=self.now)
        self.speaker = None
        return [turn]
