"""Speaker segmentation from any diarizer (RTTM files or ``(speaker, start, end)`` rows),
mapped to call roles and turned into per-frame activity for mono recordings."""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import ParameterError

__all__ = ["Segmentation", "read_rttm"]


def read_rttm(
    path: str | os.PathLike[str], *, uri: str | None = None
) -> list[tuple[str, float, float]]:
    """Read ``SPEAKER`` lines of an RTTM file as ``(speaker, start_s, end_s)`` rows.

    Parameters
    ----------
    path : str or PathLike
        A UTF-8 RTTM file; lines other than ``SPEAKER`` are skipped.
    uri : str, optional
        Keep only lines of this recording (field 2); required when the file holds several.

    Returns
    -------
    list of (speaker, start_s, end_s)
    """
    if not isinstance(path, (str, os.PathLike)):
        raise ParameterError(f"path must be a str or PathLike, got {type(path).__name__}")
    p = Path(path)
    if not p.is_file():
        raise ParameterError(f"{p}: no such RTTM file")
    rows: list[tuple[str, float, float]] = []
    uris: set[str] = set()  # every recording the file holds
    try:
        text = p.read_text(encoding="utf-8-sig")  # a BOM would hide the first line's type
    except UnicodeDecodeError as exc:
        raise ParameterError(
            f"{p}: not UTF-8 text ({exc.reason} at byte {exc.start}); RTTM files are plain "
            "text: re-save the file as UTF-8"
        ) from None
    for lineno, line in enumerate(text.splitlines(), 1):
        parts = line.split()
        if not parts or parts[0] != "SPEAKER":
            continue
        if len(parts) < 8:
            raise ParameterError(
                f"{p}:{lineno}: an RTTM SPEAKER line needs at least 8 fields (type, file, "
                f"channel, onset, duration, ortho, subtype, speaker), got {len(parts)}"
            )
        uris.add(parts[1])
        if uri is not None and parts[1] != uri:
            continue
        try:
            onset, duration = float(parts[3]), float(parts[4])
        except ValueError:
            raise ParameterError(f"{p}:{lineno}: onset and duration must be numbers") from None
        rows.append((parts[7], onset, round(onset + duration, 9)))  # no 19.040000000000003
    if not uris and text.strip():  # lines, none of them SPEAKER (an empty file: nobody spoke)
        raise ParameterError(
            f"{p} holds lines but no SPEAKER line (the type is upper case: 'SPEAKER file 1 onset "
            "duration <NA> <NA> name <NA> <NA>'), so nothing says who speaks when"
        )
    if uri is not None and not rows and uris:
        raise ParameterError(f"{p} has no lines of recording {uri!r}; it holds {sorted(uris)}")
    if uri is None and len(uris) > 1:
        raise ParameterError(
            f"{p} holds several recordings {sorted(uris)}: pass uri= (command line: --rttm-uri)"
        )
    return rows


@dataclass(frozen=True)
class Segmentation:
    """Validated speaker segments mapped to roles; build one with :meth:`from_rows`.

    Attributes
    ----------
    segments : tuple of (role index, start_s, end_s)
        Sorted by start.
    roles : tuple of str
    """

    segments: tuple[tuple[int, float, float], ...]  # (role index, start, end)
    roles: tuple[str, ...]

    @classmethod
    def from_rows(
        cls,
        rows: Iterable[Sequence[object]],
        roles: tuple[str, ...],
        *,
        speaker_roles: Mapping[str, str | None] | None = None,
    ) -> Segmentation:
        """Validate diarizer rows and map their speakers to roles.

        Parameters
        ----------
        rows : iterable of (speaker, start_s, end_s)
            Times in seconds (int, float or numpy numbers), ``0 <= start < end``.
        roles : tuple of str
        speaker_roles : mapping, optional
            Diarizer speaker label -> role (several labels may share a role), or ``None``
            to leave that speaker out. Without it, speakers get roles in order of first
            appearance; speakers beyond the roles are an error. With it, every speaker of
            the rows must be mapped (an unmapped one would silently vanish from the call,
            its talk turning into silence), and naming none of them is an error.
        """
        parsed: list[tuple[str, float, float]] = []
        if isinstance(rows, (str, bytes)) or not isinstance(rows, Iterable):
            raise ParameterError(
                "a segmentation is (speaker, start_s, end_s) rows, e.g. read_rttm(path), got "
                f"{type(rows).__name__}"
            )
        for i, row in enumerate(rows):
            if isinstance(row, (str, bytes)) or not isinstance(row, Sequence) or len(row) != 3:
                raise ParameterError(f"segment {i}: expected (speaker, start, end), got {row!r}")
            spk, raw_start, raw_end = str(row[0]), row[1], row[2]
            times: list[float] = []
            for v in (raw_start, raw_end):
                if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
                    raise ParameterError(f"segment {i}: start and end must be numbers (seconds)")
                times.append(float(v))
            start, end = times
            if not (math.isfinite(start) and math.isfinite(end)) or start < 0 or end <= start:
                raise ParameterError(
                    f"segment {i}: need 0 <= start < end, finite; got start={start}, end={end}"
                )
            parsed.append((spk, float(start), float(end)))
        parsed.sort(key=lambda r: r[1])
        mapping: dict[str, str | None] = dict(speaker_roles or {})
        if speaker_roles is None:
            for spk, _, _ in parsed:
                if spk not in mapping:
                    if len(mapping) == len(roles):
                        names = sorted({s for s, _, _ in parsed})
                        example = ",".join(
                            f"{n}={roles[min(k, len(roles) - 1)]}" for k, n in enumerate(names)
                        )
                        raise ParameterError(
                            f"the segmentation has more speakers {names} than roles {roles}: "
                            f"map each to a role or to '-' to leave it out, e.g. "
                            f"--speaker-roles {example} (Python: speaker_roles={{...}}, None "
                            "for left out)"
                        )
                    mapping[spk] = roles[len(mapping)]
        bad = [r for r in mapping.values() if r is not None and r not in roles]
        if bad:
            raise ParameterError(f"speaker_roles maps to unknown roles {bad}; roles are {roles}")
        speakers = sorted({spk for spk, _, _ in parsed})
        unmapped = [spk for spk in speakers if spk not in mapping]
        if unmapped and set(speakers) & set(mapping):
            raise ParameterError(
                f"speaker_roles does not map {unmapped}: their talk would vanish from the "
                "call (dead air while they speak). Map them to a role (several speakers may "
                "share one) or to None ('-' on the command line) to leave them out"
            )
        if speakers and not set(speakers) & set(mapping):
            raise ParameterError(
                f"speaker_roles names none of the segmentation's speakers {speakers}: map them, "
                f"e.g. {{{speakers[0]!r}: {roles[0]!r}}}"
            )
        segs = tuple(
            (roles.index(mapping[s]), a, b) for s, a, b in parsed if mapping.get(s) is not None
        )
        return cls(segs, roles)

    def activity(self, first_frame: int, n_frames: int, hop_s: float) -> np.ndarray:
        """``(n_frames, n_roles)`` bool: frame covered at least half by a role's segment."""
        out = np.zeros((n_frames, len(self.roles)), dtype=bool)
        lo_t = first_frame * hop_s
        hi_t = (first_frame + n_frames) * hop_s
        for role, start, end in self.segments:
            if end <= lo_t or start >= hi_t:
                continue
            a = max(round(start / hop_s), first_frame) - first_frame
            b = min(round(end / hop_s), first_frame + n_frames) - first_frame
            out[a:b, role] = True
        return out
