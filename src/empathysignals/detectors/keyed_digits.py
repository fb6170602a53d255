"""Keyed digits: DTMF on a leg, as ``keyed_digits`` events.

A caller keying an account or card number into an IVR or a secure-payment capture is the
moment a host pauses its recording and transcription (PCI DSS). The voice-activity front
end marks the 50 ms blocks that are DTMF (:attr:`FrameBlock.dtmf`; those frames are never
speech); this detector takes those outside music, joins the digits of each leg that lie
less than ``KEYED_DIGITS_GAP_S`` apart, announces the entry open at the first digit's
onset and closes it at the last digit's end once the gap has passed. It counts the digits
and never decodes which keys were pressed.

State: a few integers per leg, so chunking does not change the events and a call's state
stays small and picklable.
"""

from __future__ import annotations

import numpy as np

from ..events import Event, KeyedDigitsEvent
from .base import DetectorContext
from .frames import FrameBlock

#: Digits closer than this are one entry: people key a 16-digit card number in groups of
#: four with pauses of up to about a second, and an IVR menu choice is a single digit.
KEYED_DIGITS_GAP_S = 2.0

#: No digit where the leg's music probability is at least this (a held chord in hold music
#: passed the DTMF test for a block or two: 4 false entries in 4 h of simulated calls).
MUSIC_PROB_MAX = 0.5

_NONE = -1
#: Event ids: this base + first frame x legs + leg. Derived from the entry, not drawn from
#: the call's counter, whose order across detectors depends on how the input was chunked.
KEYED_DIGITS_ID_BASE = 2_000_000_000


class KeyedDigitsDetector:
    """Per-call state of the keyed-digits events (see the module docstring).

    Parameters
    ----------
    context : DetectorContext
        The call's roles, latency and frame hop.
    """

    def __init__(self, context: DetectorContext) -> None:
        self.ctx = context
        self._gap = round(KEYED_DIGITS_GAP_S / context.hop_s)
        n = len(context.roles)
        self._in_digit = [False] * n
        self._entry_start = [_NONE] * n  # first frame of the open entry (_NONE: none open)
        self._last_end = [_NONE] * n  # frame after the last digit of the open entry
        self._digits = [0] * n
        self._frame = 0

    def push(self, frames: FrameBlock) -> list[Event]:
        """Events decided by the next frames (in order, no gaps)."""
        if frames.n_frames == 0:
            return []
        first, end = frames.first_frame, frames.first_frame + frames.n_frames
        dtmf = frames.dtmf
        if (dtmf is None or not dtmf.any()) and all(s == _NONE for s in self._entry_start):
            self._frame = end  # nothing keyed and nothing open: the usual push
            return []
        out: list[Event] = []
        for leg in range(len(self.ctx.roles)):
            column = np.zeros(frames.n_frames, bool) if dtmf is None else dtmf[:, leg]
            # A chord in music can pass for a digit for a block or two.
            column = column & (frames.music_prob[:, leg] < MUSIC_PROB_MAX)
            state = np.concatenate(([self._in_digit[leg]], column)).astype(np.int8)
            changes = np.flatnonzero(np.diff(state)) + first
            for t in changes:
                self._close_if_due(leg, int(t), out)
                if not self._in_digit[leg]:
                    self._onset(leg, int(t), out)
                else:
                    self._in_digit[leg] = False
                    self._last_end[leg] = int(t)
            self._close_if_due(leg, end, out)
        self._frame = end
        return sorted(out, key=lambda e: (e.emitted_at, e.id))

    def flush(self) -> list[Event]:
        """Close entries still open at the end of the stream."""
        out: list[Event] = []
        for leg in range(len(self.ctx.roles)):
            if self._entry_start[leg] != _NONE:
                if self._in_digit[leg]:
                    self._last_end[leg] = self._frame
                self._close(leg, self.ctx.emitted_at(self._frame), out)
        return sorted(out, key=lambda e: (e.emitted_at, e.id))

    # ------------------------------------------------------------------ internals
    def _onset(self, leg: int, t: int, out: list[Event]) -> None:
        self._in_digit[leg] = True
        self._digits[leg] += 1
        if self._entry_start[leg] == _NONE:
            self._entry_start[leg] = t
            out.append(self._event(leg, None, self.ctx.emitted_at(t)))

    def _close_if_due(self, leg: int, upto: int, out: list[Event]) -> None:
        """Close the open entry if its gap ran out before frame ``upto``."""
        if self._entry_start[leg] == _NONE or self._in_digit[leg]:
            return
        due = self._last_end[leg] + self._gap
        if due < upto:
            self._close(leg, self.ctx.emitted_at(due), out)

    def _close(self, leg: int, emitted_at: float, out: list[Event]) -> None:
        out.append(self._event(leg, self.ctx.seconds(self._last_end[leg]), emitted_at))
        self._entry_start[leg] = self._last_end[leg] = _NONE
        self._digits[leg] = 0

    def _event(self, leg: int, end: float | None, emitted_at: float) -> KeyedDigitsEvent:
        start = self._entry_start[leg]
        return KeyedDigitsEvent(
            KEYED_DIGITS_ID_BASE + start * len(self.ctx.roles) + leg,
            self.ctx.seconds(start),
            end,
            round(emitted_at, 6),
            speaker=self.ctx.roles[leg],
            digits=self._digits[leg],
        )
