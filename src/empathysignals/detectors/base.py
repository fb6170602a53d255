"""The detector protocol: how built-in and user detectors plug into the Analyzer.

A detector is created once per call by a factory (usually its class) that receives a
:class:`DetectorContext`. The Analyzer then calls :meth:`Detector.push` with every
:class:`~empathysignals.detectors.frames.FrameBlock` in order and :meth:`Detector.flush`
once at the end. Each returns the events it decided, in time order. Detectors keep their
state in plain attributes so a call can be pickled and resumed elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from ..config import HOP_S
from ..events import Event
from .frames import FrameBlock

__all__ = ["Detector", "DetectorContext", "DetectorFactory"]


class _IdCounter:
    """Picklable event-id source shared by the detectors of one call."""

    def __init__(self) -> None:
        self.next = 1

    def __call__(self) -> int:
        value = self.next
        self.next += 1
        return value


@dataclass
class DetectorContext:
    """What a detector knows about its call.

    Attributes
    ----------
    roles : tuple of str
        Leg names in column order of every FrameBlock.
    latency_frames : int
        Frames between a frame's arrival and its final label: a decision about frame ``t``
        is emitted at stream time ``(t + 1 + latency_frames) * hop_s``.
    hop_s : float
        Frame hop in seconds.
    new_id : callable
        Returns a fresh event id, unique within the call.
    """

    roles: tuple[str, ...]
    latency_frames: int
    hop_s: float = HOP_S
    new_id: Callable[[], int] = field(default_factory=_IdCounter)

    def emitted_at(self, frame: int) -> float:
        """Stream time at which a decision about ``frame`` can be emitted."""
        return round((frame + 1 + self.latency_frames) * self.hop_s, 6)

    def seconds(self, frame: int) -> float:
        # Rounded so that frame 230 is 2.3 s, not 2.3000000000000003.
        return round(frame * self.hop_s, 6)


@runtime_checkable
class Detector(Protocol):
    """One call's detector state. See :mod:`empathysignals.testing` for the conformance
    checks every detector should pass."""

    def push(self, frames: FrameBlock) -> list[Event]:
        """Consume the next frames; return events decided by them."""
        ...

    def flush(self) -> list[Event]:
        """The stream ended: close open conditions and return the remaining events."""
        ...


DetectorFactory = Callable[[DetectorContext], Detector]
