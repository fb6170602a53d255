"""Lining up separately delivered legs (one mono track per role, as Twilio Media Streams and
Genesys AudioHook send them) into multi-channel blocks.

Each leg's samples are queued until every leg has them. A push may carry the stream time of
its first sample (``at_s``, from the media message's timestamp): a leg that skips ahead, as
after lost packets, is filled with silence, so it does not run late for the rest of the
call; one that goes back is refused. A leg pushed ahead of the others waits in memory
(4 bytes a sample) until they catch up: a batch caller may push a whole leg at once, and a
live host watches :attr:`LegAligner.lag_s` to fill or end a stalled track. Filled silence
is queued as a count, not as samples, and blocks are handed out at most
:data:`MAX_BLOCK_S` long, so one packet stamped an hour ahead costs an hour of analysis
but not an hour of samples in memory.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .errors import ParameterError

#: Longest block :meth:`LegAligner.take` hands out (s): bounds the memory of a large fill.
MAX_BLOCK_S = 10.0
#: Latest stream time a timestamp may name (s): a day. Past it a timestamp is corrupt (a
#: packet stamped years ahead would otherwise mean analysing years of silence).
MAX_AT_S = 86_400.0


class LegAligner:
    """Per-call queues of mono legs (picklable).

    Parameters
    ----------
    roles : tuple of str
        The legs, in channel order.
    sample_rate : int
        Samples per second of every leg.
    """

    def __init__(self, roles: tuple[str, ...], sample_rate: int) -> None:
        self.roles = roles
        self.sample_rate = sample_rate
        # Samples, or an int: that many samples of filled silence.
        self._queues: dict[str, list[np.ndarray | int]] = {r: [] for r in roles}
        self._queued = dict.fromkeys(roles, 0)
        self._received = dict.fromkeys(roles, 0)  # samples per leg, fills included
        # timestamps may jitter by up to a millisecond (Twilio's are whole milliseconds)
        self._tolerance = max(1, sample_rate // 1000)

    @property
    def pending(self) -> bool:
        return any(self._queued.values())

    def received_s(self) -> dict[str, float]:
        """Seconds of audio each leg has received (silence filled for gaps included)."""
        return {role: n / self.sample_rate for role, n in self._received.items()}

    @property
    def lag_s(self) -> float:
        """How far (s) the furthest leg is ahead of the one furthest behind."""
        return (max(self._queued.values()) - min(self._queued.values())) / self.sample_rate

    def add(self, legs: Mapping[str, np.ndarray], at_s: float | None = None) -> None:
        """Queue validated mono samples per role; all or nothing.

        Parameters
        ----------
        legs : mapping of role to np.ndarray, shape (n,)
        at_s : float, optional
            Stream time (s) of the first sample of every leg in this push.
        """
        fills = dict.fromkeys(legs, 0)
        if at_s is not None:
            is_number = isinstance(at_s, (int, float, np.integer, np.floating))
            if isinstance(at_s, bool) or not is_number or not 0 <= float(at_s) <= MAX_AT_S:
                raise ParameterError(
                    f"at_s must be a time in seconds from the stream's start, 0 to {MAX_AT_S:.0f} "
                    f"(a day), got {at_s!r}"
                )
            start = round(float(at_s) * self.sample_rate)
            for role in legs:
                have = self._received[role]
                if start < have - self._tolerance:
                    raise ParameterError(
                        f"leg {role!r} already has audio up to {have / self.sample_rate:.3f} s; "
                        f"a push at {float(at_s):.3f} s goes back in time. Timestamps must not "
                        "decrease: drop duplicated or late packets before pushing"
                    )
                if start > have + self._tolerance:
                    fills[role] = start - have
        for role, x in legs.items():
            if fills[role]:
                self._queues[role].append(fills[role])
            if len(x):
                self._queues[role].append(x)
            self._queued[role] += fills[role] + len(x)
            self._received[role] += fills[role] + len(x)

    def take(self) -> np.ndarray | None:
        """The samples every leg has, as an ``(n, n_legs)`` block of at most
        :data:`MAX_BLOCK_S`, or None; call again until None."""
        n = min(min(self._queued.values()), round(MAX_BLOCK_S * self.sample_rate))
        if n == 0:
            return None
        return np.stack([self._pop(r, n) for r in self.roles], axis=1)

    def pad(self) -> None:
        """End of stream: pad the shorter legs with silence to the longest (then
        :meth:`take` hands out everything)."""
        n = max(self._queued.values())
        for role in self.roles:
            if self._queued[role] < n:
                self._queues[role].append(n - self._queued[role])
                self._queued[role] = n

    def _pop(self, role: str, n: int) -> np.ndarray:
        queue = self._queues[role]
        parts: list[np.ndarray] = []
        need = n
        while need:
            head = queue[0]
            size = head if isinstance(head, int) else len(head)
            k = min(size, need)
            parts.append(np.zeros(k, np.float32) if isinstance(head, int) else head[:k])
            if k == size:
                queue.pop(0)
            else:
                queue[0] = head - k if isinstance(head, int) else head[k:]
            need -= k
        self._queued[role] -= n
        return np.concatenate(parts) if len(parts) > 1 else parts[0]
