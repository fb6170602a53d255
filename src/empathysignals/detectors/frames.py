"""The frame block handed from the voice-activity front end to every detector."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import HOP_S

__all__ = ["FrameBlock"]


#: A muted agent line (silent hold) is this far under the no-signal level: what a muted
#: telephone line carries (digital silence, a codec's idle pattern) lies well under the
#: quietest noise that updates the noise statistics.
MUTED_UNDER_NO_SIGNAL_DB = 10.0
MUTED_LINE_DBFS = -80.0  # when the front end gives no no-signal level
#: Edges (Hz) of the bands of ``FrameBlock.band_db``: a coarse spectral shape of 200-2000
#: Hz, enough to tell a line's background noise from music or a recorded voice.
LINE_BANDS_HZ = (200.0, 400.0, 600.0, 850.0, 1150.0, 1500.0, 2000.0)
N_LINE_BANDS = len(LINE_BANDS_HZ) - 1


@dataclass(frozen=True, slots=True)
class FrameBlock:
    """Final per-frame analysis of all legs for frames ``first_frame ... first_frame+n-1``.

    Frame ``i`` covers stream time ``[i * hop_s, (i + 1) * hop_s)``.

    Attributes
    ----------
    first_frame : int
        Absolute index of the first frame.
    roles : tuple of str
        Leg names, in column order.
    active : np.ndarray, (n, n_legs) bool
        Final voice-activity label (own speech, not echo, not music, not a tone).
    energy_db : np.ndarray, (n, n_legs) float64
        Frame energy in dBFS after a 200 Hz high-pass (-120 for digital silence).
    floor_db : np.ndarray, (n, n_legs) float64
        Tracked noise floor (dBFS).
    music_prob : np.ndarray, (n, n_legs) float64
        Probability that the frame is music rather than speech.
    hop_s : float
    tone : np.ndarray, (n, n_legs) bool, optional
        The frame is in a call-progress tone (ring-back, busy, dial) or a keyed DTMF digit;
        ``None`` when the front end does not detect tones (then no frame is).
    no_signal_db : np.ndarray, (n, n_legs) float64, optional
        The front end's no-signal level of each frame (dBFS; ``VadConfig.no_signal_max_dbfs``,
        by default from the input's resolution); ``None`` when it gives none.
    dtmf : np.ndarray, (n, n_legs) bool, optional
        The frame is in a keyed DTMF digit (a subset of ``tone``); ``None`` when the front
        end does not tell digits from other tones.
    band_db : np.ndarray, (n, n_legs, 6) float64, optional
        Level (dB, of the 50 ms spectrum the frame belongs to) in each band between
        ``LINE_BANDS_HZ``; ``None`` when the front end gives none. The hold detector compares
        its shape with the agent line's noise before a music hold.
    """

    first_frame: int
    roles: tuple[str, ...]
    active: np.ndarray
    energy_db: np.ndarray
    floor_db: np.ndarray
    music_prob: np.ndarray
    hop_s: float = HOP_S
    tone: np.ndarray | None = None
    no_signal_db: np.ndarray | None = None
    dtmf: np.ndarray | None = None
    band_db: np.ndarray | None = None

    def muted_line_db(self, leg: int, muted_max_dbfs: float | None) -> np.ndarray | float:
        """Level (dBFS) at or below which leg ``leg``'s frames are a muted line:
        ``muted_max_dbfs`` if given, else ``MUTED_UNDER_NO_SIGNAL_DB`` under the front end's
        no-signal level (-80 dBFS on mu-law legs), else ``MUTED_LINE_DBFS``."""
        if muted_max_dbfs is not None:
            return muted_max_dbfs
        if self.no_signal_db is None:
            return MUTED_LINE_DBFS
        return self.no_signal_db[:, leg] - MUTED_UNDER_NO_SIGNAL_DB

    @property
    def n_frames(self) -> int:
        return int(self.active.shape[0])

    @property
    def end_frame(self) -> int:
        return self.first_frame + self.n_frames

    @property
    def start_s(self) -> float:
        return self.first_frame * self.hop_s

    @property
    def end_s(self) -> float:
        return self.end_frame * self.hop_s

    @staticmethod
    def empty(roles: tuple[str, ...], first_frame: int) -> FrameBlock:
        n = len(roles)
        return FrameBlock(
            first_frame,
            roles,
            np.zeros((0, n), dtype=bool),
            np.zeros((0, n)),
            np.zeros((0, n)),
            np.zeros((0, n)),
            HOP_S,
            np.zeros((0, n), dtype=bool),
            np.zeros((0, n)),
            None,
            np.zeros((0, n, N_LINE_BANDS)),
        )

    @staticmethod
    def concat(blocks: list[FrameBlock]) -> FrameBlock:
        """Join consecutive blocks (used by batch helpers and tests)."""
        if not blocks:
            raise ValueError("no blocks to concatenate")
        return FrameBlock(
            blocks[0].first_frame,
            blocks[0].roles,
            np.concatenate([b.active for b in blocks]),
            np.concatenate([b.energy_db for b in blocks]),
            np.concatenate([b.floor_db for b in blocks]),
            np.concatenate([b.music_prob for b in blocks]),
            blocks[0].hop_s,
            None
            if any(b.tone is None for b in blocks)
            else np.concatenate([b.tone for b in blocks if b.tone is not None]),
            None
            if any(b.no_signal_db is None for b in blocks)
            else np.concatenate([b.no_signal_db for b in blocks if b.no_signal_db is not None]),
            None
            if any(b.dtmf is None for b in blocks)
            else np.concatenate([b.dtmf for b in blocks if b.dtmf is not None]),
            None
            if any(b.band_db is None for b in blocks)
            else np.concatenate([b.band_db for b in blocks if b.band_db is not None]),
        )
