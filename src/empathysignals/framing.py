"""Chunk buffer: turns pushes of any size into whole analysis frames."""

from __future__ import annotations

import numpy as np

__all__ = ["FrameBuffer"]


class FrameBuffer:
    """Collects samples of ``n_legs`` legs and hands out whole frames of ``hop`` samples.

    The remainder (fewer than ``hop`` samples per leg) is kept for the next push, so the
    frames handed out never depend on how the input was chunked.
    """

    def __init__(self, n_legs: int, hop: int) -> None:
        self.hop = hop
        self._rest = np.zeros((0, n_legs), dtype=np.float32)

    def push(self, samples: np.ndarray) -> np.ndarray:
        """Append ``(n, n_legs)`` samples; return ``(k * hop, n_legs)`` whole-frame samples."""
        data = np.concatenate([self._rest, samples]) if len(self._rest) else samples
        usable = (len(data) // self.hop) * self.hop
        self._rest = data[usable:].copy()
        return data[:usable]

    def finish(self, *, unit: int | None = None) -> np.ndarray:
        """Return the samples left (fewer than one frame), zero-padded to a whole number of
        ``unit`` samples (default: one whole frame), or nothing."""
        if not len(self._rest):
            return self._rest
        unit = self.hop if unit is None else unit
        size = -(-len(self._rest) // unit) * unit
        pad = np.zeros((size - len(self._rest), self._rest.shape[1]), dtype=np.float32)
        out = np.concatenate([self._rest, pad])
        self._rest = self._rest[:0]
        return out
