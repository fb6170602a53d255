"""Simulated two-leg telephone calls with exact ground truth, built from real recordings.

:func:`simulate_call` stitches real LibriSpeech utterances of two speakers (``customer`` and
``agent``) into a stereo call (one column per leg) with normal gaps, long waits, dead air,
interruptions, backchannels and holds (music or muted), adds cross-talk bleed, real background
noise, a telephone band-pass and a G.711 mu-law round trip, and returns the audio together with
its :class:`CallTruth`: the exact speech activity of each role's own voice and the turn-taking
events (``turn``, ``gap``, ``pause``, ``dead_air``, ``interruption``, ``backchannel``,
``hold``). Everything is derived from a seeded :class:`numpy.random.Generator`, so a seed and
the data folder fully determine a call.

Data
----
The material is read from the shared data folder (see :func:`find_data_dir`):
``speech/manifest.csv`` (LibriSpeech rows only; the IVR prompts are not used),
``music/manifest.csv`` and ``noise/manifest.csv``.

Splits
------
Material is split deterministically into two disjoint sets, ``"tune"`` (for choosing
thresholds) and ``"test"`` (for reporting), and every call of a split uses only that split's
files:

* **Speakers** -- within each LibriSpeech subset (``test-other``, ``train-clean-100``) the
  speaker ids are sorted numerically and every third speaker (positions 0, 3, 6, ...) goes to
  ``tune``, the others to ``test``. Only speakers with at least 30 s of material (in practice
  the ten-utterance ``test-other`` speakers: 4 in ``tune``, 6 in ``test``) take part in calls,
  so that a call does not repeat one sentence over and over.
* **Music** -- ``asterisk_moh``: the track ``macroform-cold_day`` (both excerpts) is ``tune``,
  the other tracks are ``test``. The other music clips (one track each) are sorted by path and
  every third clip (positions 0, 3, ...) is ``tune``.
* **Noise** -- telephony tones (not background noise) and ``dude_miaowing`` (a human voice,
  which would be unlabelled speech) are never used. The remaining files are grouped by
  recording (``doing_the_dishes_a/b/c`` are one recording), the groups of each category are
  sorted and every third group (positions 0, 3, ...) is ``tune``.

Construction
------------
* Speech activity of a clean utterance: 10 ms frames, a frame is speech when its energy is at
  least ``max(peak_frame_dB - 35, -55 dBFS, noise_floor_dB + 10)``, where the noise floor is the
  10th percentile of the frame energies (this last term only matters for the noisier
  ``test-other`` recordings, whose background is within 35 dB of their peak and would
  otherwise count as speech throughout); non-speech gaps shorter than 200 ms are bridged
  and speech islands shorter than 60 ms dropped. Utterances (or stretches of them cut at pauses)
  are placed so that they start and end exactly at speech; internal pauses of 200 ms or more are
  non-speech in the truth.
* A call is a sequence of ``2 * n_exchanges`` floor turns (1--2 utterances of one speaker joined by
  a 0.3--0.9 s pause). Between turns a transition is drawn: ``gap`` (floor-transfer offset
  ~ N(0.25, 0.25) s clipped to [-0.25, 1.2]), ``long_wait`` (2--4 s), ``dead_air`` (6.5--12 s of
  silence), a successful ``interruption``, or a hold (``hold_music``: 10--40 s of band-limited
  music at -18..-10 dBFS on the agent leg; ``hold_silence``: 10--30 s of exact digital silence
  on the agent leg). Unsuccessful interruptions (the newcomer stops after 1.2--2.0 s) and
  backchannels (a 0.2--0.7 s speech island of the listener's own recordings, placed at least
  1.6 s inside the holder's turn, when their floor is settled) do not change the floor. A call
  with enough turns holds at least 2 interruptions (one per 8 turns), 2 backchannels (one per
  6 turns), exactly 1 dead air and 1 hold (when those scenarios are enabled).
* Every scripted event is that event under the documented definitions
  (``docs/concepts.md``) applied to the truth's own speech activity (tested): the holder an
  interruption cuts into and the interrupter talk on without a silence of 0.45 s (less than
  ``backchannel_resume_s`` and ``listener_pause_max_s``) through the overlap, and a failed
  bid's holder through the bid; a backchannel's holder talks again within 0.45 s of its
  end; backchannels and failed bids stand 0.75 s clear of the listener's own talk. Placements
  that do not meet this are redrawn.
* Each leg = own speech at an active level of -30..-18 dBFS + the other leg's clean speech at
  ``bleed_db`` (-35..-20 dB), delayed 5--30 ms and low-passed at 3 kHz (with
  ``echo_source="line"``: everything the other party's line carried, their speech, their
  background noise and the hold music) + its own looped
  background noise at ``snr_db`` (10--30 dB below the leg's active speech level); then a
  300--3400 Hz Butterworth band-pass, the hold (music replaces the agent leg, or the agent leg
  is set to exactly zero), clipping to [-1, 1] and an 8-bit G.711 mu-law round trip.

Truth times are exact to the sample: every placement is at an integer sample and the speech
activity is computed on the placed clean signal. The causal band-pass adds a delay of about a
millisecond that the truth does not include.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import soundfile as sf
from scipy import signal

from .errors import ParameterError

__all__ = [
    "ROLES",
    "SCENARIOS",
    "CallTruth",
    "Segment",
    "SimulatedCall",
    "TruthEvent",
    "find_data_dir",
    "simulate_call",
    "simulate_calls",
    "split_material",
]

FloatArray = npt.NDArray[np.float64]
Split = Literal["tune", "test"]

#: The two roles, in the column order of :attr:`SimulatedCall.audio`.
ROLES: tuple[str, str] = ("customer", "agent")
#: Scenario names accepted by :func:`simulate_call`.
SCENARIOS: tuple[str, ...] = (
    "gap",
    "long_wait",
    "dead_air",
    "interruption",
    "backchannel",
    "hold_music",
    "hold_silence",
)
_ENV_VAR = "EMPATHYSIGNALS_DATA"
_MIN_SPEAKER_SECONDS = 30.0
_EXCLUDED_NOISE_GROUPS = frozenset({"dude_miaowing"})
_EXCLUDED_NOISE_CATEGORIES = frozenset({"telephony_tones"})
_TUNE_MOH_TRACKS = frozenset({"macroform-cold_day"})
_DEAD_AIR_MIN_S = 5.0
_PAUSE_MIN_S = 0.25
# Scenario talk that the event definitions need to be continuous (the interrupted holder and
# the interrupter through the overlap, a failed bid) has no silence this long: shorter than
# the floor rule's backchannel_resume_s and listener_pause_max_s (both 0.6 s), with a
# margin, so every scenario is its event under the documented definitions.
_STEADY_MAX_SILENCE_S = 0.45
# A backchannel comes once the holder's floor is settled (backchannel_max_s 1.0 s +
# listener_pause_max_s 0.6 s into their turn) and the holder talks again within this time.
_BC_AFTER_TURN_START_S = 1.6
_BC_RESUME_MAX_S = 0.45
# A backchannel or failed bid stands this far from the listener's own talk: further apart
# than listener_pause_max_s (0.6 s), which would join them into one bid.
_LISTENER_APART_S = 0.75


# ----------------------------------------------------------------------------- data location
def find_data_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """Locate the shared data folder (the one holding ``speech/``, ``music/``, ``noise/``).

    Parameters
    ----------
    data_dir : str or os.PathLike, optional
        Explicit folder. When omitted, the environment variable ``EMPATHYSIGNALS_DATA`` is
        used; when that is unset too, every parent of the current directory and of this file
        is searched for a folder ``shared/data``.

    Returns
    -------
    pathlib.Path
        The resolved folder.

    Raises
    ------
    ParameterError
        If the folder does not exist or cannot be found.
    """
    if data_dir is not None:
        path = Path(data_dir).expanduser()
        if not (path / "speech" / "manifest.csv").is_file():
            raise ParameterError(
                f"data_dir {str(path)!r} has no speech/manifest.csv: pass the shared data folder "
                f"(the one holding speech/, music/ and noise/) or set {_ENV_VAR}"
            )
        return path.resolve()
    env = os.environ.get(_ENV_VAR)
    if env:
        path = Path(env).expanduser()
        if not (path / "speech" / "manifest.csv").is_file():
            raise ParameterError(
                f"{_ENV_VAR}={env!r} has no speech/manifest.csv: point {_ENV_VAR} at the shared "
                "data folder (the one holding speech/, music/ and noise/)"
            )
        return path.resolve()
    starts = [Path.cwd().resolve(), Path(__file__).resolve().parent]
    for start in starts:
        for parent in (start, *start.parents):
            candidate = parent / "shared" / "data"
            if (candidate / "speech" / "manifest.csv").is_file():
                return candidate.resolve()
    raise ParameterError(
        "could not find the shared data folder (no shared/data above the current directory or "
        f"the package): set the environment variable {_ENV_VAR} to the folder holding speech/, "
        "music/ and noise/, or pass data_dir="
    )


# ----------------------------------------------------------------------------- truth records
@dataclass(frozen=True)
class Segment:
    """A stretch of speech, in seconds from the start of the call.

    Parameters
    ----------
    start, end : float
        Start and end time in seconds (``end > start``).
    """

    start: float
    end: float

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.end - self.start


@dataclass(frozen=True)
class TruthEvent:
    """A ground-truth turn-taking event.

    Parameters
    ----------
    type : str
        One of ``"turn"``, ``"gap"``, ``"pause"``, ``"dead_air"``, ``"interruption"``,
        ``"backchannel"``, ``"hold"``.
    start, end : float
        Seconds from the start of the call.
    attrs : Mapping[str, object]
        Type-specific attributes: ``turn``/``pause``/``backchannel``: ``speaker``;
        ``gap``: ``from``, ``to``, ``offset`` (next onset minus previous offset, seconds) and
        ``scenario``; ``interruption``: ``by``, ``of``, ``successful``; ``hold``: ``kind``
        (``"music"`` or ``"silence"``).
    """

    type: str
    start: float
    end: float
    attrs: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "attrs", MappingProxyType(dict(self.attrs)))

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form ``{"type", "start", "end", "attrs"}``."""
        return {"type": self.type, "start": self.start, "end": self.end, "attrs": dict(self.attrs)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TruthEvent:
        """Inverse of :meth:`to_dict`."""
        try:
            return cls(
                type=str(data["type"]),
                start=float(data["start"]),
                end=float(data["end"]),
                attrs=dict(data.get("attrs", {})),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ParameterError(
                f"malformed truth event {data!r}: expected keys type, start, end, attrs"
            ) from exc


@dataclass(frozen=True)
class CallTruth:
    """Exact ground truth of a simulated call.

    Parameters
    ----------
    roles : tuple of str
        Role names in audio column order, ``("customer", "agent")``.
    speech : Mapping[str, tuple of Segment]
        Per role, the sorted, non-overlapping speech activity of that role's own voice
        (including its backchannels and cut-off interruption attempts; never bleed or music).
    events : tuple of TruthEvent
        All events, sorted by start time.
    duration_s : float
        Length of the call in seconds.
    """

    roles: tuple[str, str]
    speech: Mapping[str, tuple[Segment, ...]]
    events: tuple[TruthEvent, ...]
    duration_s: float

    def __post_init__(self) -> None:
        frozen = {role: tuple(segs) for role, segs in self.speech.items()}
        object.__setattr__(self, "speech", MappingProxyType(frozen))
        object.__setattr__(self, "roles", tuple(self.roles))
        object.__setattr__(self, "events", tuple(self.events))

    def events_of(self, kind: str) -> tuple[TruthEvent, ...]:
        """Return the events of one type, sorted by start.

        Parameters
        ----------
        kind : str
            Event type, e.g. ``"gap"``.

        Returns
        -------
        tuple of TruthEvent
        """
        return tuple(ev for ev in self.events if ev.type == kind)

    def write_rttm(self, path: str | os.PathLike[str], *, file_id: str = "call") -> None:
        """The truth's speech as RTTM ``SPEAKER`` lines (speaker = role), for scoring tools
        (dscore, pyannote.metrics) and :func:`~empathysignals.read_rttm`.

        Parameters
        ----------
        path : str or os.PathLike
            The file to write.
        file_id : str, default "call"
            The recording id (field 2), one word.
        """
        if not isinstance(file_id, str) or not file_id or any(c.isspace() for c in file_id):
            raise ParameterError(
                f"file_id must be a non-empty word without spaces, got {file_id!r}"
            )
        rows = sorted(
            (seg.start, seg.end, role) for role in self.roles for seg in self.speech.get(role, ())
        )
        lines = [
            f"SPEAKER {file_id} 1 {a:.3f} {round(b, 3) - round(a, 3):.3f} <NA> <NA> {role} "
            "<NA> <NA>"
            for a, b, role in rows
        ]
        Path(path).write_text("".join(line + "\n" for line in lines), encoding="utf-8")

    def frame_labels(self, *, hop_s: float = 0.01) -> dict[str, npt.NDArray[np.bool_]]:
        """Per-role speech labels on a frame grid.

        Parameters
        ----------
        hop_s : float, default 0.01
            Frame length and hop in seconds.

        Returns
        -------
        dict of str to numpy.ndarray
            Per role a boolean array of ``ceil(duration_s / hop_s)`` frames; frame ``i`` covers
            ``[i * hop_s, (i + 1) * hop_s)`` and is ``True`` when at least half of it is speech.
        """
        if not (isinstance(hop_s, (int, float)) and math.isfinite(hop_s) and hop_s > 0):
            raise ParameterError(f"hop_s must be a positive number of seconds, got {hop_s!r}")
        n = max(0, math.ceil(self.duration_s / hop_s - 1e-9))
        out: dict[str, npt.NDArray[np.bool_]] = {}
        for role in self.roles:
            cover = np.zeros(n, dtype=np.float64)
            for seg in self.speech.get(role, ()):
                first = max(0, math.floor(seg.start / hop_s))
                last = min(n, math.ceil(seg.end / hop_s))
                if last <= first:
                    continue
                idx = np.arange(first, last, dtype=np.float64)
                lo = np.maximum(idx * hop_s, seg.start)
                hi = np.minimum((idx + 1) * hop_s, seg.end)
                cover[first:last] += np.clip(hi - lo, 0.0, None)
            out[role] = cover >= 0.5 * hop_s - 1e-12
        return out

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form (``roles``, ``duration_s``, ``speech``, ``events``)."""
        return {
            "roles": list(self.roles),
            "duration_s": self.duration_s,
            "speech": {
                role: [[seg.start, seg.end] for seg in segs] for role, segs in self.speech.items()
            },
            "events": [ev.to_dict() for ev in self.events],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CallTruth:
        """Inverse of :meth:`to_dict`; extra keys (as in a ``.truth.json`` file) are ignored."""
        try:
            roles_list = [str(r) for r in data["roles"]]
            if len(roles_list) != 2:
                raise ValueError("two roles expected")
            speech = {
                str(role): tuple(Segment(float(s), float(e)) for s, e in segs)
                for role, segs in data["speech"].items()
            }
            events = tuple(TruthEvent.from_dict(ev) for ev in data["events"])
            return cls(
                roles=(roles_list[0], roles_list[1]),
                speech=speech,
                events=events,
                duration_s=float(data["duration_s"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ParameterError(
                "malformed call truth: expected keys roles (2 names), duration_s, speech "
                "(role -> [[start, end], ...]) and events"
            ) from exc


@dataclass(frozen=True, eq=False)
class SimulatedCall:
    """A simulated stereo call and its ground truth.

    Parameters
    ----------
    audio : numpy.ndarray
        float32 samples in [-1, 1], shape ``(n_samples, 2)``, columns in ``truth.roles`` order.
    sample_rate : int
        Samples per second.
    truth : CallTruth
        Exact ground truth.
    seed : int
        Seed that produced the call.
    params : Mapping[str, object]
        Every random choice that matters (files, excerpts, levels, SNRs, bleed, plan), JSON-ready.
    components : Mapping[str, Mapping[str, numpy.ndarray]] or None
        Only with ``simulate_call(..., components=True)``: per role, the leg's parts as float32
        arrays of shape ``(n_samples,)``, after the telephone band-pass and the hold muting:
        ``"speech"`` (the role's own talk), ``"echo"`` (the other party's leak), ``"noise"``
        and ``"music"`` (hold music; zeros on the customer leg). They sum to the leg before
        clipping and the mu-law codec, so a frame's speech-to-masker ratio can be read
        directly (``benchmarks/study_audible.py``).
    """

    audio: npt.NDArray[np.float32]
    sample_rate: int
    truth: CallTruth
    seed: int
    params: Mapping[str, object]
    components: Mapping[str, Mapping[str, npt.NDArray[np.float32]]] | None = None

    @property
    def duration_s(self) -> float:
        """Length of the call in seconds."""
        return float(self.audio.shape[0]) / self.sample_rate

    def write(self, path_wav: str | os.PathLike[str], *, subtype: str = "ULAW") -> None:
        """Write the stereo WAV and, next to it, ``<name>.truth.json``.

        Parameters
        ----------
        path_wav : str or os.PathLike
            Output WAV path. The truth goes to ``Path(path_wav).with_suffix(".truth.json")``
            and holds :meth:`CallTruth.to_dict` plus ``seed``, ``sample_rate`` and ``params``
            (so :meth:`CallTruth.from_dict` reads it directly).
        subtype : str, default "ULAW"
            soundfile subtype: ``"ULAW"`` (G.711 mu-law; lossless for a ``mulaw=True`` call,
            whose audio has been through the codec already), ``"FLOAT"`` (lossless for any
            call: use it for ``mulaw=False``) or ``"PCM_16"`` (16-bit, lossy for float audio).
        """
        path = Path(path_wav)
        if not path.parent.is_dir():
            raise ParameterError(f"cannot write {str(path)!r}: no folder {str(path.parent)!r}")
        try:
            sf.write(str(path), self.audio, self.sample_rate, subtype=subtype, format="WAV")
        except (ValueError, TypeError, sf.LibsndfileError) as exc:
            raise ParameterError(
                f"cannot write {str(path)!r} with subtype {subtype!r}: use 'ULAW', 'FLOAT' "
                f"or 'PCM_16' ({exc})"
            ) from exc
        doc = self.truth.to_dict()
        doc.update({"audio_file": path.name, "seed": self.seed, "sample_rate": self.sample_rate})
        doc["params"] = _jsonable(self.params)
        path.with_suffix(".truth.json").write_text(json.dumps(doc, indent=1), encoding="utf-8")


def _jsonable(value: object) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


# ----------------------------------------------------------------------------- catalog & split
@dataclass(frozen=True)
class _Catalog:
    speakers: Mapping[str, Mapping[str, tuple[str, ...]]]  # split -> speaker -> files
    music: Mapping[str, tuple[str, ...]]
    noise: Mapping[str, tuple[str, ...]]


def _read_manifest(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))
    except OSError as exc:
        raise ParameterError(
            f"cannot read {str(path)!r}: check the data folder or set {_ENV_VAR}"
        ) from exc


def _every_third(keys: Sequence[str]) -> set[str]:
    return {k for i, k in enumerate(keys) if i % 3 == 0}


@lru_cache(maxsize=8)
def _catalog(data_dir: Path) -> _Catalog:
    # Speech: stratified every-third split of sorted speaker ids within each subset.
    rows = [
        r
        for r in _read_manifest(data_dir / "speech" / "manifest.csv")
        if r.get("librispeech_subset")
    ]
    by_subset: dict[str, dict[str, list[tuple[str, float]]]] = {}
    for r in rows:
        by_subset.setdefault(r["librispeech_subset"], {}).setdefault(r["speaker"], []).append(
            (r["file"], float(r["duration_s"]))
        )
    speakers: dict[str, dict[str, tuple[str, ...]]] = {"tune": {}, "test": {}}
    for subset in sorted(by_subset):
        spk = by_subset[subset]
        tune = _every_third(sorted(spk, key=int))
        for sid, files in spk.items():
            if sum(d for _, d in files) < _MIN_SPEAKER_SECONDS:
                continue
            split = "tune" if sid in tune else "test"
            speakers[split][sid] = tuple(sorted("speech/" + f for f, _ in files))

    music: dict[str, list[str]] = {"tune": [], "test": []}
    mrows = sorted(r["file"] for r in _read_manifest(data_dir / "music" / "manifest.csv"))
    others = [f for f in mrows if not f.startswith("asterisk_moh/")]
    tune_other = _every_third(others)
    for f in mrows:
        if f.startswith("asterisk_moh/"):
            track = re.sub(r"_[a-z]\.wav$", "", Path(f).name)
            split = "tune" if track in _TUNE_MOH_TRACKS else "test"
        else:
            split = "tune" if f in tune_other else "test"
        music[split].append("music/" + f)

    noise: dict[str, list[str]] = {"tune": [], "test": []}
    groups: dict[str, dict[str, list[str]]] = {}
    for r in _read_manifest(data_dir / "noise" / "manifest.csv"):
        cat = r["category"]
        group = re.sub(r"_[a-z]$", "", Path(r["file"]).stem)
        if cat in _EXCLUDED_NOISE_CATEGORIES or group in _EXCLUDED_NOISE_GROUPS:
            continue
        groups.setdefault(cat, {}).setdefault(group, []).append("noise/" + r["file"])
    for cat in sorted(groups):
        tune_groups = _every_third(sorted(groups[cat]))
        for group, group_files in groups[cat].items():
            noise["tune" if group in tune_groups else "test"].extend(group_files)

    for split in ("tune", "test"):
        if len(speakers[split]) < 2 or not music[split] or not noise[split]:
            raise ParameterError(
                f"data folder {str(data_dir)!r} lacks material for the {split!r} split (need 2 "
                "speakers with 30 s of speech, music and noise): check the manifests"
            )
    return _Catalog(
        speakers=MappingProxyType({k: MappingProxyType(v) for k, v in speakers.items()}),
        music=MappingProxyType({k: tuple(sorted(v)) for k, v in music.items()}),
        noise=MappingProxyType({k: tuple(sorted(v)) for k, v in noise.items()}),
    )


def _check_split(split: object) -> Split:
    if split == "tune":
        return "tune"
    if split == "test":
        return "test"
    raise ParameterError(f"split must be 'tune' or 'test', got {split!r}")


def split_material(
    split: Split, *, data_dir: str | os.PathLike[str] | None = None
) -> dict[str, list[str]]:
    """List the material of one split (see the module docstring for the rule).

    Parameters
    ----------
    split : {"tune", "test"}
        Which split.
    data_dir : str or os.PathLike, optional
        Data folder; see :func:`find_data_dir`.

    Returns
    -------
    dict
        ``{"speakers": [...], "speech": [...], "music": [...], "noise": [...]}``; files are
        paths relative to the data folder, sorted.
    """
    name = _check_split(split)
    cat = _catalog(find_data_dir(data_dir))
    spk = cat.speakers[name]
    return {
        "speakers": sorted(spk, key=int),
        "speech": sorted(f for files in spk.values() for f in files),
        "music": list(cat.music[name]),
        "noise": list(cat.noise[name]),
    }


# ----------------------------------------------------------------------------- signal helpers
def _hop(sr: int) -> int:
    return max(1, round(0.01 * sr))


def _runs(mask: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    padded = np.concatenate(([False], mask, [False])).astype(np.int8)
    d = np.diff(padded)
    starts = np.flatnonzero(d == 1)
    ends = np.flatnonzero(d == -1)
    return [(int(s), int(e)) for s, e in zip(starts, ends, strict=True)]


def _speech_islands(x: FloatArray, sr: int) -> tuple[tuple[int, int], ...]:
    """Speech islands of a clean utterance as (start, end) sample indices."""
    hop = _hop(sr)
    n = len(x) // hop
    if n == 0:
        return ()
    frames = x[: n * hop].reshape(n, hop)
    db = 10.0 * np.log10(np.mean(frames**2, axis=1) + 1e-20)
    # The spec rule max(peak - 35, -55 dBFS), plus a guard for noisy recordings (several
    # test-other speakers have a noise floor within 35 dB of their peak): 10 dB above the
    # 10th-percentile frame energy. On clean recordings the guard is below the spec rule.
    thr = max(float(db.max()) - 35.0, -55.0, float(np.percentile(db, 10)) + 10.0)
    runs = _runs(db >= thr)
    bridge = 0.2 * sr
    merged: list[tuple[int, int]] = []
    for s, e in runs:
        if merged and (s - merged[-1][1]) * hop < bridge:
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return tuple((s * hop, e * hop) for s, e in merged if (e - s) * hop >= 0.06 * sr - 1e-9)


def _resample(x: FloatArray, rate: int, sr: int) -> FloatArray:
    if rate == sr:
        return x
    g = math.gcd(rate, sr)
    return np.asarray(signal.resample_poly(x, sr // g, rate // g), dtype=np.float64)


@lru_cache(maxsize=512)
def _load(path: str, sr: int) -> FloatArray:
    try:
        data, rate = sf.read(path, dtype="float64", always_2d=True)
    except (OSError, RuntimeError, sf.LibsndfileError) as exc:
        raise ParameterError(
            f"cannot read {path!r}: check the data folder or set {_ENV_VAR}"
        ) from exc
    x = _resample(np.asarray(data.mean(axis=1), dtype=np.float64), int(rate), sr)
    x.setflags(write=False)
    return x


@lru_cache(maxsize=512)
def _islands_cached(path: str, sr: int) -> tuple[tuple[int, int], ...]:
    return _speech_islands(_load(path, sr), sr)


@lru_cache(maxsize=16)
def _bandpass_sos(sr: int) -> FloatArray:
    return np.asarray(
        signal.butter(4, [300.0, 3400.0], btype="bandpass", fs=sr, output="sos"), dtype=np.float64
    )


@lru_cache(maxsize=16)
def _lowpass_sos(sr: int) -> FloatArray:
    return np.asarray(signal.butter(4, 3000.0, btype="lowpass", fs=sr, output="sos"), np.float64)


def _telephone(x: FloatArray, sr: int) -> FloatArray:
    return np.asarray(signal.sosfilt(_bandpass_sos(sr), x), dtype=np.float64)


def _hold_music(path: Path, level_dbfs: float, n: int, ramp: int, sr: int) -> FloatArray:
    """``n`` samples of a hold's music, telephone band, at ``level_dbfs``, faded in and out."""
    mx = _telephone(_load(str(path), sr), sr)
    music = np.take(mx, np.arange(n) % len(mx))
    mrms = _rms(music)
    music = music * (10.0 ** (level_dbfs / 20.0) / mrms if mrms > 0 else 0.0)
    _fade(music, ramp, ramp)
    return music


def _mute(x: FloatArray, h0: int, h1: int, ramp: int) -> None:
    """Silence ``x[h0:h1]`` in place, ramping down before and up after (the agent's
    microphone during a hold)."""
    r0 = max(0, h0 - ramp)
    r1 = min(len(x), h1 + ramp)
    x[r0:h0] *= np.linspace(1.0, 0.0, h0 - r0)
    x[h1:r1] *= np.linspace(0.0, 1.0, r1 - h1)
    x[h0:h1] = 0.0


def _apply_holds(
    line: FloatArray,
    holds: Sequence[tuple[int, int, str]],
    musics: Sequence[FloatArray | None],
    ramp: int,
) -> FloatArray:
    """The agent's line as the customer hears it: muted in holds, with their music."""
    out: FloatArray = line.copy()
    for (h0, h1, _kind), music in zip(holds, musics, strict=True):
        _mute(out, h0, h1, ramp)
        if music is not None:
            out[h0:h1] = music
    return out


def _fade(x: FloatArray, n_in: int, n_out: int) -> None:
    """Raised-cosine fade in/out, in place."""
    n_in = min(n_in, len(x))
    n_out = min(n_out, len(x))
    if n_in > 0:
        x[:n_in] *= 0.5 - 0.5 * np.cos(np.pi * (np.arange(n_in) + 0.5) / n_in)
    if n_out > 0:
        x[len(x) - n_out :] *= 0.5 + 0.5 * np.cos(np.pi * (np.arange(n_out) + 0.5) / n_out)


def _rms(x: FloatArray) -> float:
    return float(np.sqrt(np.mean(x**2))) if len(x) else 0.0


def _mulaw_roundtrip(x: FloatArray) -> FloatArray:
    """8-bit G.711 mu-law encode + decode (ITU-T G.711 segment formula on 16-bit PCM, as
    libsndfile does it, so writing the result as ``ULAW`` is lossless)."""
    pcm = np.clip(np.round(x * 32768.0), -32768, 32767).astype(np.int32)
    neg = pcm < 0
    mag = np.minimum(np.abs(pcm) >> 2, 8159) + 33  # 14-bit magnitude plus bias
    seg = np.searchsorted(np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF]), mag)
    mant = np.where(seg > 7, 0xF, (mag >> (seg + 1)) & 0xF)  # beyond the top segment: max code
    seg = np.minimum(seg, 7)
    t = ((mant << 3) + 0x84) << seg
    lin = np.where(neg, 0x84 - t, t - 0x84)
    return np.asarray(lin, dtype=np.float64) / 32768.0


# ----------------------------------------------------------------------------- construction
@dataclass
class _Placement:
    role: str
    start: int
    audio: FloatArray
    segments: list[tuple[int, int]]  # speech activity relative to start (samples)
    kind: str  # "turn" | "backchannel" | "interruption"
    source: dict[str, object]

    @property
    def end(self) -> int:
        return self.start + len(self.audio)

    def abs_segments(self) -> list[tuple[int, int]]:
        return [(self.start + a, self.start + b) for a, b in self.segments]


@dataclass
class _Turn:
    role: str
    placements: list[_Placement]
    after: str | None = None  # transition to the next turn

    @property
    def start(self) -> int:
        return min(a for p in self.placements for a, _ in p.abs_segments())

    @property
    def end(self) -> int:
        return max(b for p in self.placements for _, b in p.abs_segments())


def _other(role: str) -> str:
    return ROLES[1] if role == ROLES[0] else ROLES[0]


def _merge(segs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(segs):
        if b <= a:
            continue
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _overlaps(segs: list[tuple[int, int]], a: int, b: int) -> bool:
    return any(s < b and e > a for s, e in segs)


def _longest_silence(segs: Sequence[tuple[int, int]], a: int, b: int) -> int:
    """Longest stretch of ``[a, b)`` that no segment covers (samples)."""
    longest = 0
    cursor = a
    for s, e in _merge([(max(s, a), min(e, b)) for s, e in segs]):
        longest = max(longest, s - cursor)
        cursor = max(cursor, e)
    return max(longest, b - cursor)


class _Builder:
    def __init__(
        self,
        rng: np.random.Generator,
        sr: int,
        data_dir: Path,
        speakers: Mapping[str, tuple[str, ...]],
        levels: Mapping[str, float],
    ) -> None:
        self.rng = rng
        self.sr = sr
        self.data_dir = data_dir
        self.files = {role: list(files) for role, files in speakers.items()}
        self.levels = dict(levels)
        self.queue: dict[str, list[str]] = {role: [] for role in ROLES}
        self.placements: list[_Placement] = []
        self.turns: list[_Turn] = []
        self.holds: list[tuple[int, int, str]] = []
        self.interruptions: list[tuple[int, int, str, str, bool]] = []
        self.backchannels: list[tuple[int, int, str]] = []

    def s(self, seconds: float) -> int:
        return round(seconds * self.sr)

    # -- material
    def _next_file(self, role: str) -> str:
        if not self.queue[role]:
            self.queue[role] = [
                self.files[role][i] for i in self.rng.permutation(len(self.files[role]))
            ]
        return self.queue[role].pop()

    def _source(self, rel: str) -> tuple[FloatArray, tuple[tuple[int, int], ...]]:
        path = str(self.data_dir / rel)
        return _load(path, self.sr), _islands_cached(path, self.sr)

    def _leveled(self, x: FloatArray, segs: list[tuple[int, int]], role: str) -> FloatArray:
        active = np.concatenate([x[a:b] for a, b in segs]) if segs else x
        rms = _rms(active)
        gain = 10.0 ** (self.levels[role] / 20.0) / rms if rms > 0 else 0.0
        return x * gain

    def chunk(self, role: str, min_len_s: float = 0.0, steady_s: float = 0.0) -> _Placement:
        """A stretch of one of the role's utterances, cut at pauses, starting/ending on speech;
        its first ``steady_s`` seconds have no silence of ``_STEADY_MAX_SILENCE_S``."""
        target = max(float(self.rng.uniform(1.5, 6.0)), min_len_s)
        need = self.s(max(min_len_s, 1.0))  # no sub-second turn fragments
        steady, gap_max = self.s(steady_s), self.s(_STEADY_MAX_SILENCE_S)

        def starts_of(isl: tuple[tuple[int, int], ...]) -> list[int]:
            return [
                i
                for i in range(len(isl))
                if isl[-1][1] - isl[i][0] >= need
                and _longest_silence(isl, isl[i][0], min(isl[i][0] + steady, isl[-1][1])) < gap_max
            ]

        best: tuple[str, int] | None = None
        rel = ""
        isl: tuple[tuple[int, int], ...] = ()
        starts: list[int] = []
        for _ in range(len(self.files[role]) + 1):
            rel = self._next_file(role)
            isl = self._source(rel)[1]
            if not isl:
                continue
            starts = starts_of(isl)
            if starts:
                break
            span = isl[-1][1] - isl[0][0]
            if best is None or span > best[1]:
                best = (rel, span)
        else:
            if best is None:
                raise ParameterError(f"no speech found in the {role}'s recordings")
            rel = best[0]
            isl = self._source(rel)[1]
            starts = [i for i in range(len(isl)) if isl[-1][1] - isl[i][0] >= need]
        audio = self._source(rel)[0]
        goal = self.s(target)
        starts = starts or [0]
        i = starts[int(self.rng.integers(len(starts)))]
        j = i
        while j < len(isl) - 1 and isl[j][1] - isl[i][0] < goal:
            j += 1
        s0, s1 = isl[i][0], isl[j][1]
        x = np.array(audio[s0:s1], dtype=np.float64)
        segs = [(a - s0, b - s0) for a, b in isl[i : j + 1]]
        x = self._leveled(x, segs, role)
        _fade(x, self.s(0.005), self.s(0.005))
        return _Placement(
            role=role,
            start=0,
            audio=x,
            segments=segs,
            kind="turn",
            source={"file": rel, "from_s": s0 / self.sr, "to_s": s1 / self.sr},
        )

    def backchannel_clip(self, role: str) -> _Placement | None:
        """A short vocalization of the role's own recordings.

        Preferably a whole speech island of 0.2-0.7 s with >= 150 ms of silence on both sides;
        when the speaker has none (fluent read speech), the first 0.25-0.6 s of an island that
        follows >= 150 ms of silence, cut with a 20 ms fade-out.
        """
        whole: list[tuple[str, int, int]] = []
        onsets: list[tuple[str, int, int]] = []
        for rel in sorted(self.files[role]):
            audio, isl = self._source(rel)
            for k, (a, b) in enumerate(isl):
                before = a - (isl[k - 1][1] if k > 0 else 0)
                after = (isl[k + 1][0] if k + 1 < len(isl) else len(audio)) - b
                if before < self.s(0.15) or b - a < self.s(0.2):
                    continue
                if b - a <= self.s(0.7) and after >= self.s(0.15):
                    whole.append((rel, a, b))
                else:
                    onsets.append((rel, a, b))
        cands, how = (whole, "island") if whole else (onsets, "island_onset")
        if not cands:
            return None
        rel, a, b = cands[int(self.rng.integers(len(cands)))]
        if how == "island_onset":
            b = min(b, a + self.s(float(self.rng.uniform(0.25, 0.6))))
        x = np.array(self._source(rel)[0][a:b], dtype=np.float64)
        x = self._leveled(x, [(0, b - a)], role)
        _fade(x, self.s(0.005), self.s(0.005 if how == "island" else 0.02))
        return _Placement(
            role=role,
            start=0,
            audio=x,
            segments=[(0, b - a)],
            kind="backchannel",
            source={"file": rel, "from_s": a / self.sr, "to_s": b / self.sr, "cut": how},
        )

    # -- cutting
    def _cut_point(self, p: _Placement, lo: int, hi: int, min_before: int) -> int | None:
        """A random sample in [lo, hi] lying inside a speech segment with >= min_before of it
        before the point."""
        spans = [(max(a + min_before, lo), min(b - 1, hi)) for a, b in p.segments]
        spans = [(a, b) for a, b in spans if b >= a]
        if not spans:
            return None
        weights = np.array([b - a + 1 for a, b in spans], dtype=np.float64)
        k = int(self.rng.choice(len(spans), p=weights / weights.sum()))
        a, b = spans[k]
        return int(self.rng.integers(a, b + 1))

    def cut(self, p: _Placement, at: int) -> None:
        p.audio = p.audio[:at].copy()
        _fade(p.audio, 0, self.s(0.02))
        p.segments = [(a, min(b, at)) for a, b in p.segments if a < at]
        p.source["cut_at_s"] = at / self.sr

    def role_speech(self, role: str) -> list[tuple[int, int]]:
        return _merge([s for p in self.placements if p.role == role for s in p.abs_segments()])

    def listener_free(self, role: str, a: int, b: int) -> bool:
        """The listener is silent from ``_LISTENER_APART_S`` before to after ``[a, b)``, so
        their bid is not one with their own talk around it, and no hold runs then."""
        margin = self.s(_LISTENER_APART_S)
        if _overlaps(self.role_speech(role), a - margin, b + margin):
            return False
        return not any(hs < b and he > a for hs, he, _ in self.holds)

    # -- the call
    def build_turn(
        self,
        role: str,
        onset: int,
        n_utts: int,
        first_min: float,
        last_min: float,
        first_steady: float = 0.0,
    ) -> _Turn:
        turn = _Turn(role=role, placements=[])
        t = onset
        for u in range(n_utts):
            need = 0.0
            if u == 0:
                need = max(need, first_min)
            if u == n_utts - 1:
                need = max(need, last_min)
            p = self.chunk(role, need, first_steady if u == 0 else 0.0)
            p.start = t
            self.placements.append(p)
            turn.placements.append(p)
            t = p.end + self.s(float(self.rng.uniform(0.3, 0.9)))
        self.turns.append(turn)
        return turn

    def try_interrupt(self, turn: _Turn) -> tuple[int, float] | None:
        """Successful interruption of the last utterance of ``turn``; returns (onset, overlap)."""
        p = turn.placements[-1]
        n = len(p.audio)
        newcomer = self.role_speech(_other(turn.role))
        # The newcomer must be silent for >= 0.5 s before barging in.
        lo = max(self.s(0.5), (newcomer[-1][1] if newcomer else 0) + self.s(0.5) - p.start)
        for _ in range(40):
            t0 = self._cut_point(p, lo, n - self.s(1.0), self.s(0.05))
            if t0 is None:
                return None
            overlap = float(self.rng.uniform(1.2, 2.5))
            c = self._cut_point(
                p,
                t0 + self.s(overlap) - self.s(0.05),
                t0 + self.s(overlap) + self.s(0.05),
                self.s(0.06),
            )
            if c is None or not self.s(1.2) <= c - t0 <= self.s(2.5):
                continue
            if _longest_silence(p.segments, t0, c) >= self.s(_STEADY_MAX_SILENCE_S):
                continue  # the holder must talk on until they yield, not pause
            self.cut(p, c)
            return p.start + t0, (c - t0) / self.sr
        return None

    def try_failed_interruption(self, turn: _Turn, by: str) -> bool:
        q = self.chunk(by, 2.3, steady_s=2.0)
        q.kind = "interruption"
        steady_max = self.s(_STEADY_MAX_SILENCE_S)
        for _ in range(20):
            cq = self._cut_point(q, self.s(1.2), self.s(2.0), self.s(0.06))
            if cq is not None and _longest_silence(q.segments, 0, cq) < steady_max:
                break
        else:
            return False
        ts = turn.start
        for p in sorted(turn.placements, key=lambda pp: -len(pp.audio)):
            last_speech = p.segments[-1][1]
            lo = max(self.s(0.5), ts - p.start + self.s(0.5))
            hi = min(len(p.audio) - self.s(1.0), last_speech - cq - self.s(0.5))
            for _ in range(20):
                t0 = self._cut_point(p, lo, hi, self.s(0.05))
                if t0 is None:
                    break
                a = p.start + t0
                # The holder talks on through the bid and past its end: they never yield.
                if _longest_silence(p.segments, t0, t0 + cq + self.s(0.6)) >= steady_max:
                    continue
                if self.listener_free(by, a, a + cq):
                    self.cut(q, cq)
                    q.start = a
                    self.placements.append(q)
                    self.interruptions.append((a, a + cq, by, turn.role, False))
                    return True
        return False

    def try_backchannel(self, turn: _Turn) -> bool:
        listener = _other(turn.role)
        clip = self.backchannel_clip(listener)
        if clip is None:
            return False
        n = len(clip.audio)
        lo = turn.start + self.s(_BC_AFTER_TURN_START_S)
        hi = turn.end - self.s(0.5) - n
        if hi < lo:
            return False
        talk = _merge([s for p in turn.placements for s in p.abs_segments()])
        holder = [(max(a, lo), min(b, hi + n)) for a, b in talk]
        back = self.s(_BC_RESUME_MAX_S)

        def keeps_floor(x: int) -> bool:
            """The holder talks again within _BC_RESUME_MAX_S of the clip's end, and one
            silent that long before it does not come back in during it."""
            end = x + n
            if not any(a <= end + back and b > end for a, b in talk):
                return False
            silent_before = not _overlaps(talk, x - back, x)
            return not (silent_before and any(x < a < end for a, _ in talk))

        mode = "pause" if self.rng.random() < 0.5 else "overlap"
        options: list[tuple[int, int]] = []  # ranges of allowed start samples
        if mode == "pause":
            m = self.s(0.1)
            for (_, e1), (s2, _) in itertools.pairwise(holder):
                if s2 - e1 >= n + 2 * m:
                    options.append((max(e1 + m, s2 - back - n), s2 - m - n))
        if not options:
            mode = "overlap"
            options = [(a, b - n) for a, b in holder if b - a >= n]
        if not options:
            mode = "any"
            options = [(lo, hi)]
        order = self.rng.permutation(len(options))
        for k in order:
            a, b = options[int(k)]
            a, b = max(a, lo), min(b, hi)
            if b < a:
                continue
            for _ in range(10):
                x = int(self.rng.integers(a, b + 1))
                if keeps_floor(x) and self.listener_free(listener, x, x + n):
                    clip.start = x
                    clip.source["placement"] = mode
                    self.placements.append(clip)
                    self.backchannels.append((x, x + n, listener))
                    return True
        return False


def _plan(
    rng: np.random.Generator, n_turns: int, scenarios: Sequence[str]
) -> tuple[list[str], list[str], list[str], int]:
    """Transitions between turns, the speaker of each turn, the 'by' roles of failed
    interruptions and the number of backchannels."""
    n_trans = n_turns - 1
    trans: list[str | None] = [None] * n_trans
    holds = [k for k in ("hold_music", "hold_silence") if k in scenarios]
    required: list[str] = []
    if holds:
        required.append(holds[int(rng.integers(len(holds)))])
    if "dead_air" in scenarios:
        required.append("dead_air")
    positions = rng.permutation(n_trans)[: len(required)] if n_trans else np.array([], int)
    for pos, kind in zip(positions, required, strict=False):
        trans[int(pos)] = kind
    fillers = [k for k in ("gap", "long_wait") if k in scenarios] or ["gap"]
    for i in range(n_trans):
        if trans[i] is None:
            if len(fillers) == 2:
                trans[i] = "long_wait" if rng.random() < 0.2 else "gap"
            else:
                trans[i] = fillers[0]
    # Speakers: switch on every transition except holds (agent keeps the floor) and dead air
    # (either may speak next).
    first = "agent" if rng.random() < 0.7 else "customer"
    dead_switch = bool(rng.random() < 0.5)

    def speakers_for(first_role: str) -> list[str]:
        out = [first_role]
        for t in trans:
            cur = out[-1]
            if t in ("hold_music", "hold_silence") or (t == "dead_air" and not dead_switch):
                out.append(cur)
            else:
                out.append(_other(cur))
        return out

    speakers = speakers_for(first)
    hold_pos = [i for i, t in enumerate(trans) if t in ("hold_music", "hold_silence")]
    if hold_pos and speakers[hold_pos[0]] != "agent":
        speakers = speakers_for(_other(first))
    # Interruptions: 2 or more per call, 60 % successful, 65 % by the agent.
    fails: list[str] = []
    if "interruption" in scenarios:
        for _ in range(max(2, round(n_turns / 8))):
            by = "agent" if rng.random() < 0.65 else "customer"
            if rng.random() < 0.6:
                free = [i for i, t in enumerate(trans) if t in ("gap", "long_wait")]
                pref = [i for i in free if speakers[i + 1] == by]
                pool = pref or free
                if pool:
                    trans[pool[int(rng.integers(len(pool)))]] = "interruption"
                    continue
            fails.append(by)
    n_bc = max(2, n_turns // 6) if "backchannel" in scenarios else 0
    return [str(t) for t in trans], speakers, fails, n_bc


def _check_options(
    seed: object,
    n_exchanges: object,
    sample_rate: object,
    snr_db: object,
    bleed_db: object,
    scenarios: Sequence[str],
    bleed_delay_s: object = None,
) -> None:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or int(seed) < 0:
        raise ParameterError(f"seed must be a non-negative int, got {seed!r}")
    if (
        isinstance(n_exchanges, bool)
        or not isinstance(n_exchanges, (int, np.integer))
        or int(n_exchanges) < 1
    ):
        raise ParameterError(
            f"n_exchanges must be an int >= 1 (number of turns), got {n_exchanges!r}"
        )
    if (
        isinstance(sample_rate, bool)
        or not isinstance(sample_rate, (int, np.integer))
        or not 8000 <= int(sample_rate) <= 48000
    ):
        raise ParameterError(f"sample_rate must be an int in 8000..48000 Hz, got {sample_rate!r}")
    for name, val, low, high in (
        ("snr_db", snr_db, -20.0, 80.0),
        ("bleed_db", bleed_db, -80.0, 0.0),
    ):
        number = isinstance(val, (int, float, np.integer, np.floating)) and not isinstance(
            val, bool
        )
        if val is not None and not (number and low <= float(val) <= high):  # type: ignore[arg-type]
            raise ParameterError(
                f"{name} must be a number of dB in [{low:g}, {high:g}] or None, got {val!r}"
            )
    if bleed_delay_s is not None and not (
        isinstance(bleed_delay_s, (int, float))
        and not isinstance(bleed_delay_s, bool)
        and 0.0 <= bleed_delay_s <= 0.5
    ):
        raise ParameterError(
            f"bleed_delay_s must be seconds in [0, 0.5] or None, got {bleed_delay_s!r}"
        )
    if isinstance(scenarios, str):
        raise ParameterError("scenarios must be a sequence of names, not a single string")
    if not isinstance(scenarios, Iterable):
        raise ParameterError(f"scenarios must be a sequence of names, got {scenarios!r}")
    unknown = sorted(set(scenarios) - set(SCENARIOS))
    if unknown:
        raise ParameterError(f"unknown scenarios {unknown}; choose from {list(SCENARIOS)}")


def simulate_call(
    seed: int,
    *,
    split: Split = "test",
    data_dir: str | os.PathLike[str] | None = None,
    n_exchanges: int = 12,
    sample_rate: int = 8000,
    telephone: bool = True,
    mulaw: bool = True,
    snr_db: float | None = None,
    bleed_db: float | None = None,
    scenarios: Sequence[str] = SCENARIOS,
    bleed_delay_s: float | None = None,
    components: bool = False,
    echo_source: Literal["speech", "line"] = "speech",
) -> SimulatedCall:
    """Simulate one two-leg telephone call with exact ground truth.

    Parameters
    ----------
    seed : int
        Seed of the random generator; the same seed and data give the same call.
    split : {"tune", "test"}, default "test"
        Which disjoint set of speakers, music and noise to draw from (see the module docstring).
    data_dir : str or os.PathLike, optional
        Data folder; see :func:`find_data_dir`.
    n_exchanges : int, default 12
        Number of exchanges; the call has ``2 * n_exchanges`` floor turns (customer and agent
        mostly alternating). The default gives calls of roughly 2--4 minutes; with 4 or more
        exchanges every scenario fits (about 1 minute plus the hold).
    sample_rate : int, default 8000
        Output rate in Hz (8000..48000).
    telephone : bool, default True
        Apply the 300--3400 Hz band-pass to both legs.
    mulaw : bool, default True
        Pass the audio through an 8-bit G.711 mu-law encode/decode.
    snr_db : float, optional
        Speech-to-noise ratio of both legs (dB, relative to each leg's active speech level);
        drawn per leg from U(10, 30) when omitted.
    bleed_db : float, optional
        Level of the other leg's speech leaking into each leg (dB relative to that speech);
        drawn per leg from U(-35, -20) when omitted.
    bleed_delay_s : float, optional
        Delay of that leak (s, 0..0.5); drawn per leg from U(0.005, 0.030) when omitted (an
        echo path near the recorder). Longer delays are a round trip to a far handset
        (mobile and VoIP: 100-300 ms); the other draws stay the same, so a seed gives the
        same call with only its echo moved.
    scenarios : sequence of str
        Which of :data:`SCENARIOS` may occur. Normal gaps are used as filler transitions even
        when ``"gap"`` is left out, unless ``"long_wait"`` is the only filler given.
    components : bool, default False
        Also return each leg's parts (speech, echo, noise, hold music) in
        :attr:`SimulatedCall.components`; the call itself is the same either way.
    echo_source : {"speech", "line"}, default "speech"
        What leaks into each leg at ``bleed_db``: the other party's clean speech only (the
        benchmarks' calls), or everything their line carried: their speech, their background
        noise and, on the customer leg, the hold music the customer hears (an echo path
        leaks whatever the far handset plays). The other draws stay the same, so a seed
        gives the same call with only its echo changed.

    Returns
    -------
    SimulatedCall

    Raises
    ------
    ParameterError
        On invalid arguments or when the data folder cannot be found.
    """
    split = _check_split(split)
    if isinstance(scenarios, str):
        raise ParameterError(
            f"scenarios must be a sequence of names, e.g. ({scenarios!r},), not a single string"
        )
    if not isinstance(scenarios, Iterable):
        raise ParameterError(f"scenarios must be a sequence of names, got {scenarios!r}")
    for name, flag in (("telephone", telephone), ("mulaw", mulaw)):
        if not isinstance(flag, bool):
            raise ParameterError(f"{name} must be True or False, got {flag!r}")
    scenarios = tuple(scenarios)
    if not isinstance(components, bool):
        raise ParameterError(f"components must be True or False, got {components!r}")
    if echo_source not in ("speech", "line"):
        raise ParameterError(f"echo_source must be 'speech' or 'line', got {echo_source!r}")
    _check_options(seed, n_exchanges, sample_rate, snr_db, bleed_db, scenarios, bleed_delay_s)
    seed, n_turns, sr = int(seed), 2 * int(n_exchanges), int(sample_rate)
    root = find_data_dir(data_dir)
    cat = _catalog(root)
    rng = np.random.default_rng(seed)

    # Parties, levels, channel.
    spk_ids = sorted(cat.speakers[split], key=int)
    pick = rng.choice(len(spk_ids), size=2, replace=False)
    speakers = {ROLES[0]: spk_ids[int(pick[0])], ROLES[1]: spk_ids[int(pick[1])]}
    levels = {role: float(rng.uniform(-30.0, -18.0)) for role in ROLES}
    # Drawn whether or not they are given, so that fixing one leaves every later draw, and
    # so the rest of the call, as it was (a sweep over snr_db compares one call).
    snr = {role: float(rng.uniform(10, 30)) for role in ROLES}
    if snr_db is not None:
        snr = dict.fromkeys(ROLES, float(snr_db))
    bleed = {role: float(rng.uniform(-35, -20)) for role in ROLES}
    if bleed_db is not None:
        bleed = dict.fromkeys(ROLES, float(bleed_db))
    bleed_delay = {role: float(rng.uniform(0.005, 0.030)) for role in ROLES}
    if bleed_delay_s is not None:
        bleed_delay = dict.fromkeys(ROLES, float(bleed_delay_s))
    b = _Builder(rng, sr, root, {r: cat.speakers[split][speakers[r]] for r in ROLES}, levels)

    # Timeline of floor turns.
    trans, roles_seq, fails, n_bc = _plan(rng, n_turns, scenarios)
    onset = b.s(float(rng.uniform(0.5, 1.5)))
    first_min = first_steady = 0.0
    hold_specs: list[dict[str, object]] = []
    hold_music: list[tuple[str, float]] = []  # (file, level) per hold; ("", 0) for silence
    for k in range(n_turns):
        role = roles_seq[k]
        out = trans[k] if k < n_turns - 1 else None
        n_utts = 2 if rng.random() < 0.4 else 1
        turn = b.build_turn(
            role, onset, n_utts, first_min, 5.0 if out == "interruption" else 0.0, first_steady
        )
        first_min = first_steady = 0.0
        if out is None:
            break
        if out == "interruption":
            res = b.try_interrupt(turn)
            if res is not None:
                onset, overlap = res
                b.interruptions.append((onset, onset + b.s(overlap), roles_seq[k + 1], role, True))
                first_min = overlap + 1.0
                first_steady = overlap + 0.6  # the interrupter talks on through the overlap
                turn.after = out
                continue
            out = "gap"
        turn.after = out
        end = turn.end
        if out == "gap":
            offset = float(np.clip(rng.normal(0.25, 0.25), -0.25, 1.2))
            onset = end + b.s(offset)
            # never let an early start reach back into the newcomer's own previous speech
            newcomer = b.role_speech(_other(role))
            if newcomer:
                onset = max(onset, newcomer[-1][1] + b.s(0.3))
        elif out == "long_wait":
            onset = end + b.s(float(rng.uniform(2.0, 4.0)))
        elif out == "dead_air":
            onset = end + b.s(float(rng.uniform(6.5, 12.0)))
        else:  # hold
            kind = "music" if out == "hold_music" else "silence"
            hi = 40.0 if kind == "music" else 30.0
            h0 = end + b.s(float(rng.uniform(0.3, 1.0)))
            h1 = h0 + b.s(float(rng.uniform(10.0, hi)))
            b.holds.append((h0, h1, kind))
            onset = h1 + b.s(float(rng.uniform(0.3, 1.0)))
            spec: dict[str, object] = {"kind": kind, "start_s": h0 / sr, "end_s": h1 / sr}
            mfile, mlevel = "", 0.0
            if kind == "music":
                mfile = cat.music[split][int(rng.integers(len(cat.music[split])))]
                mlevel = float(rng.uniform(-18.0, -10.0))
                spec.update({"file": mfile, "level_dbfs": mlevel})
            hold_specs.append(spec)
            hold_music.append((mfile, mlevel))

    # Overlay events that keep the floor: failed interruptions, then backchannels.
    for by in fails:
        held = [t for t in b.turns if t.role == _other(by)]
        for idx in rng.permutation(len(held)):
            if b.try_failed_interruption(held[int(idx)], by):
                break
    placed_bc = 0
    for idx in rng.permutation(len(b.turns)):
        if placed_bc >= n_bc:
            break
        turn = b.turns[int(idx)]
        if any(t0 >= turn.start and t0 <= turn.end for t0, _, _, _, _ in b.interruptions):
            continue
        if b.try_backchannel(turn):
            placed_bc += 1

    # Render.
    n = max(p.end for p in b.placements) + b.s(float(rng.uniform(0.5, 1.5)))
    own = {role: np.zeros(n, dtype=np.float64) for role in ROLES}
    for p in b.placements:
        own[p.role][p.start : p.end] += p.audio
    noise_files = list(cat.noise[split])
    nz_pick = rng.choice(len(noise_files), size=2, replace=len(noise_files) < 2)
    legs: dict[str, FloatArray] = {}
    parts: dict[str, dict[str, FloatArray]] = {}
    noise_params: dict[str, dict[str, object]] = {}
    noises: dict[str, FloatArray] = {}
    for i, role in enumerate(ROLES):
        rel = noise_files[int(nz_pick[i])]
        nx = _load(str(root / rel), sr)
        off = int(rng.integers(len(nx)))
        noise = np.take(nx, (off + np.arange(n)) % len(nx))
        nrms = _rms(nx)
        gain = 10.0 ** ((levels[role] - snr[role]) / 20.0) / nrms if nrms > 0 else 0.0
        noise_params[role] = {
            "file": rel,
            "offset_s": off / sr,
            "level_dbfs": levels[role] - snr[role],
        }
        noises[role] = noise * gain
    ramp = b.s(0.02)
    musics = [
        _hold_music(root / mfile, lvl, h1 - h0, ramp, sr) if kind == "music" else None
        for (h0, h1, kind), (mfile, lvl) in zip(b.holds, hold_music, strict=True)
    ]
    echo_of = own
    if echo_source == "line":
        echo_of = {role: own[role] + noises[role] for role in ROLES}
        echo_of["agent"] = _apply_holds(echo_of["agent"], b.holds, musics, ramp)
    for role in ROLES:
        other = _other(role)
        d = b.s(bleed_delay[role])
        leak = signal.sosfilt(_lowpass_sos(sr), echo_of[other]) * 10.0 ** (bleed[role] / 20.0)
        leak = np.concatenate([np.zeros(d), leak[: n - d]])
        noise = noises[role]
        leg = own[role] + leak + noise
        legs[role] = _telephone(leg, sr) if telephone else leg
        if components:
            # Filtered apart (the band-pass is linear); the leg itself is left as mixed above,
            # so the call is sample-identical with or without its parts.
            parts[role] = {
                name: _telephone(x, sr) if telephone else x.copy()
                for name, x in (("speech", own[role]), ("echo", leak), ("noise", noise))
            }
            parts[role]["music"] = np.zeros(n)
    agent = legs["agent"]
    muted = [agent, *parts.get("agent", {}).values()]
    for (h0, h1, _kind), music in zip(b.holds, musics, strict=True):
        for x in muted:
            _mute(x, h0, h1, ramp)
        if music is not None:
            agent[h0:h1] = music
            if components:
                parts["agent"]["music"][h0:h1] = music
    audio = np.stack([legs[r] for r in ROLES], axis=1)
    audio = np.clip(audio, -1.0, 1.0)
    if mulaw:
        audio = _mulaw_roundtrip(audio)
    audio32 = np.ascontiguousarray(audio, dtype=np.float32)

    truth = _truth(b, n, sr)
    params: dict[str, object] = {
        "seed": seed,
        "split": split,
        "sample_rate": sr,
        "n_exchanges": int(n_exchanges),
        "n_turns": n_turns,
        "telephone": bool(telephone),
        "mulaw": bool(mulaw),
        "scenarios": list(scenarios),
        "speakers": dict(speakers),
        "speech_level_dbfs": levels,
        "snr_db": snr,
        "bleed_db": bleed,
        "bleed_delay_s": bleed_delay,
        "echo_source": echo_source,
        "noise": noise_params,
        "holds": hold_specs,
        "transitions": [t.after for t in b.turns[:-1]],
        "turn_speakers": [t.role for t in b.turns],
        "placements": [
            {"role": p.role, "kind": p.kind, "start_s": p.start / sr, **p.source}
            for p in sorted(b.placements, key=lambda pp: pp.start)
        ],
        "files": sorted(
            {str(p.source["file"]) for p in b.placements}
            | {str(v["file"]) for v in noise_params.values()}
            | {str(h["file"]) for h in hold_specs if "file" in h}
        ),
    }
    frozen_parts = None
    if components:
        frozen_parts = MappingProxyType(
            {
                role: MappingProxyType({k: v.astype(np.float32) for k, v in parts[role].items()})
                for role in ROLES
            }
        )
    return SimulatedCall(
        audio=audio32,
        sample_rate=sr,
        truth=truth,
        seed=seed,
        params=MappingProxyType(params),
        components=frozen_parts,
    )


def _truth(b: _Builder, n: int, sr: int) -> CallTruth:
    def sec(x: int) -> float:
        return x / sr

    speech_idx = {role: b.role_speech(role) for role in ROLES}
    events: list[TruthEvent] = []
    for turn in b.turns:
        events.append(TruthEvent("turn", sec(turn.start), sec(turn.end), {"speaker": turn.role}))
        own = [
            (max(a, turn.start), min(e, turn.end))
            for a, e in speech_idx[turn.role]
            if a < turn.end and e > turn.start
        ]
        for (_, e1), (s2, _) in itertools.pairwise(own):
            if s2 - e1 >= round(_PAUSE_MIN_S * sr):
                events.append(TruthEvent("pause", sec(e1), sec(s2), {"speaker": turn.role}))
    for prev, nxt in itertools.pairwise(b.turns):
        if prev.role == nxt.role or prev.after in ("hold_music", "hold_silence"):
            continue
        e0, s1 = prev.end, nxt.start
        events.append(
            TruthEvent(
                "gap",
                sec(min(e0, s1)),
                sec(max(e0, s1)),
                {
                    "from": prev.role,
                    "to": nxt.role,
                    "offset": (s1 - e0) / sr,
                    "scenario": prev.after,
                },
            )
        )
    for a, e, by, of, ok in b.interruptions:
        events.append(
            TruthEvent("interruption", sec(a), sec(e), {"by": by, "of": of, "successful": ok})
        )
    for a, e, who in b.backchannels:
        events.append(TruthEvent("backchannel", sec(a), sec(e), {"speaker": who}))
    for h0, h1, kind in b.holds:
        events.append(TruthEvent("hold", sec(h0), sec(h1), {"kind": kind}))
    # Dead air from the final truth: silence of both roles, minus holds, >= 5 s.
    busy = _merge(
        [s for segs in speech_idx.values() for s in segs] + [(h0, h1) for h0, h1, _ in b.holds]
    )
    cursor = 0
    for a, e in [*busy, (n, n)]:
        if a - cursor >= round(_DEAD_AIR_MIN_S * sr):
            events.append(TruthEvent("dead_air", sec(cursor), sec(a), {}))
        cursor = max(cursor, e)
    events.sort(key=lambda ev: (ev.start, ev.end, ev.type))
    return CallTruth(
        roles=ROLES,
        speech={r: tuple(Segment(sec(a), sec(e)) for a, e in speech_idx[r]) for r in ROLES},
        events=tuple(events),
        duration_s=n / sr,
    )


def simulate_calls(n: int, *, first_seed: int = 0, **kwargs: Any) -> list[SimulatedCall]:
    """Simulate ``n`` calls with seeds ``first_seed, first_seed + 1, ...``.

    Parameters
    ----------
    n : int
        Number of calls.
    first_seed : int, default 0
        Seed of the first call.
    **kwargs
        Passed on to :func:`simulate_call`.

    Returns
    -------
    list of SimulatedCall
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ParameterError(f"n must be a non-negative int, got {n!r}")
    return [simulate_call(first_seed + i, **kwargs) for i in range(n)]
