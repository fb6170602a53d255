"""Frame-level prosodic features for researchers: one row per 10 ms frame per leg."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["FrameFeatures", "frame_features"]

_COLUMNS = ("time_s", "active", "f0_hz", "voicing", "energy_db", "floor_db", "music_prob")


@dataclass(frozen=True)
class FrameFeatures:
    """Per-frame features of one leg, all arrays of shape (n_frames,).

    Attributes
    ----------
    time_s : frame start in seconds (frame ``i`` covers ``[i * 0.01, (i + 1) * 0.01)``)
    active : bool, the leg's final voice-activity label
    f0_hz : F0 (NaN unvoiced), from :func:`empathysignals.pitch`: the pitch frame
        *centred* at ``time_s`` (pitch frames are centred on multiples of 10 ms, the
        voice-activity frames start there), so it runs half a frame ahead of the row's span
    voicing : normalized correlation at the chosen period, 0..1
    energy_db : frame energy, dBFS after a 200 Hz high-pass
    floor_db : tracked noise floor, dBFS
    music_prob : probability the frame is music
    """

    time_s: np.ndarray
    active: np.ndarray
    f0_hz: np.ndarray
    voicing: np.ndarray
    energy_db: np.ndarray
    floor_db: np.ndarray
    music_prob: np.ndarray

    def to_numpy(self) -> np.ndarray:
        """A structured array with one field per column (save with ``np.save``)."""
        out = np.zeros(self.time_s.shape[0], dtype=[(c, np.float64) for c in _COLUMNS])
        for c in _COLUMNS:
            out[c] = getattr(self, c)
        return out

    def to_pandas(self) -> Any:
        """A pandas DataFrame (pandas is optional: ``pip install pandas``)."""
        try:
            import pandas as pd
        except ImportError:
            from ..errors import MissingDependencyError

            raise MissingDependencyError("to_pandas() needs pandas: pip install pandas") from None
        return pd.DataFrame({c: getattr(self, c) for c in _COLUMNS})

    def to_csv(self, path: str) -> None:
        """Write the columns as CSV (no pandas needed)."""
        # times to the 10 ms frame at any length (%.6g repeated them after 10,000 s)
        fmt = ["%.2f"] + ["%.6g"] * (len(_COLUMNS) - 1)
        np.savetxt(path, np.column_stack([getattr(self, c) for c in _COLUMNS]),
                   delimiter=",", header=",".join(_COLUMNS), comments="", fmt=fmt)  # fmt: skip


def frame_features(samples: Any, sample_rate: int) -> list[FrameFeatures]:
    """Frame features of each channel of a recording, computed by the Analyzer's own front
    end (voice activity looking at all legs at once, pitch per leg).

    Parameters
    ----------
    samples : np.ndarray, shape (n,) or (n, n_legs)
        One or two legs, int16/float.
    sample_rate : int
        Hz, >= 8000.

    Returns
    -------
    list of FrameFeatures
        One per leg, in channel order.
    """
    from ..audio import validate_sample_rate, validate_samples
    from ..detectors.frames import FrameBlock
    from ..detectors.voice_activity import VoiceActivityStream
    from .pitch import PitchTrack, pitch

    rate = validate_sample_rate(sample_rate)
    x = validate_samples(samples)
    roles = tuple(f"leg{i}" for i in range(x.shape[1]))
    vad = VoiceActivityStream(roles, rate)
    block = FrameBlock.concat([vad.push_validated(x), vad.finish()])
    out = []
    for i in range(x.shape[1]):
        track: PitchTrack = pitch(x[:, i], rate)
        n = block.n_frames
        f0 = np.full(n, np.nan)
        voicing = np.zeros(n)
        m = min(n, len(track))
        f0[:m], voicing[:m] = track.f0_hz[:m], track.voicing[:m]
        out.append(
            FrameFeatures(
                (block.first_frame + np.arange(n)) * block.hop_s,
                block.active[:, i],
                f0,
                voicing,
                block.energy_db[:, i],
                block.floor_db[:, i],
                block.music_prob[:, i],
            )
        )
    return out
