"""Scoring helpers shared by the benchmarks: frame F1, interval-event matching, response latency.

All times are seconds. Frames are the 10 ms grid used everywhere in empathysignals: frame ``i``
covers ``[i * 0.01, (i + 1) * 0.01)``.

Detected events (``empathysignals.Event``) and ground truth (``simulate.TruthEvent``) are both
turned into :class:`Interval` records first, so the matching code does not care where an
event came from. Open conditions are announced twice with the same ``id`` (first with
``end=None``); :func:`closed_events` keeps only the closed version, once per id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "PRF",
    "Interval",
    "LatencyScore",
    "MatchResult",
    "backchannel_as_interruption",
    "boundary_errors",
    "closed_events",
    "frame_counts",
    "frame_prf",
    "from_detected",
    "from_truth",
    "match_intervals",
    "onset_of_gap",
    "prf",
    "response_latency",
    "score_events",
    "speech_frames_from_segments",
]


# --------------------------------------------------------------------------- P/R/F1
@dataclass
class PRF:
    """Counts and the precision/recall/F1 derived from them (``None`` when undefined)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __iadd__(self, other: PRF) -> PRF:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        return self

    @property
    def precision(self) -> float | None:
        d = self.tp + self.fp
        return self.tp / d if d else None

    @property
    def recall(self) -> float | None:
        d = self.tp + self.fn
        return self.tp / d if d else None

    @property
    def f1(self) -> float | None:
        d = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / d if d else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


def prf(tp: int, fp: int, fn: int) -> PRF:
    return PRF(int(tp), int(fp), int(fn))


# --------------------------------------------------------------------------- frames
def _align(pred: np.ndarray, truth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pad the prediction with non-speech (or cut it) to the truth's length."""
    pred = np.asarray(pred, dtype=bool).ravel()
    truth = np.asarray(truth, dtype=bool).ravel()
    if len(pred) < len(truth):
        pred = np.concatenate([pred, np.zeros(len(truth) - len(pred), dtype=bool)])
    return pred[: len(truth)], truth


def frame_counts(pred: np.ndarray, truth: np.ndarray) -> PRF:
    """Frame-level TP/FP/FN of boolean speech labels (speech is the positive class)."""
    p, t = _align(pred, truth)
    return prf(np.sum(p & t), np.sum(p & ~t), np.sum(~p & t))


def frame_prf(pred: np.ndarray, truth: np.ndarray) -> dict[str, Any]:
    """Frame precision, recall and F1 (plus counts) of one label sequence."""
    return frame_counts(pred, truth).to_dict()


def speech_frames_from_segments(
    segments: Iterable[tuple[float, float]], n_frames: int, hop_s: float = 0.01
) -> np.ndarray:
    """Boolean frame labels from (start, end) segments (may overlap): a frame is speech when
    at least half of it is covered by their union -- the rule of ``CallTruth.frame_labels``."""
    segs = sorted((float(a), float(b)) for a, b in segments if b > a)
    merged: list[list[float]] = []
    for a, b in segs:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    cover = np.zeros(n_frames)
    for a, b in merged:
        first = max(0, int(np.floor(a / hop_s)))
        last = min(n_frames, int(np.ceil(b / hop_s)))
        if last <= first:
            continue
        idx = np.arange(first, last, dtype=np.float64)
        lo = np.maximum(idx * hop_s, a)
        hi = np.minimum((idx + 1) * hop_s, b)
        cover[first:last] += np.clip(hi - lo, 0.0, None)
    return cover >= 0.5 * hop_s - 1e-12


# --------------------------------------------------------------------------- events
@dataclass(frozen=True)
class Interval:
    """An event reduced to what scoring needs."""

    type: str
    start: float
    end: float
    attrs: Mapping[str, Any] = field(default_factory=dict)

    def overlap(self, other: Interval) -> float:
        return min(self.end, other.end) - max(self.start, other.start)


def closed_events(events: Iterable[Any]) -> list[Any]:
    """Closed events (``end is not None``), one per ``id`` (the last closed version wins),
    without the summary, in order of first appearance."""
    by_id: dict[int, Any] = {}
    for ev in events:
        if ev.type == "summary" or ev.end is None:
            continue
        by_id[ev.id] = ev
    return list(by_id.values())


def from_detected(ev: Any) -> Interval:
    """An ``empathysignals`` event -> Interval (attrs from its JSON form, so ``from`` not
    ``from_``)."""
    d = ev.to_dict()
    attrs = {k: v for k, v in d.items() if k not in ("type", "id", "start", "end", "emitted_at")}
    # Keep full-precision times (to_dict rounds to 1 ms).
    return Interval(ev.type, float(ev.start), float(ev.end), attrs)


def from_truth(ev: Any) -> Interval:
    """A ``simulate.TruthEvent`` -> Interval."""
    return Interval(ev.type, float(ev.start), float(ev.end), dict(ev.attrs))


def intervals(events: Iterable[Any], truth: Any) -> tuple[list[Interval], list[Interval]]:
    """The closed detected ``events`` and the ``truth`` (a ``CallTruth``) as Intervals."""
    return [from_detected(e) for e in closed_events(events)], [from_truth(e) for e in truth.events]


@dataclass
class MatchResult:
    pairs: list[tuple[Interval, Interval]]  # (detected, truth)
    unmatched_detected: list[Interval]
    unmatched_truth: list[Interval]

    @property
    def counts(self) -> PRF:
        return prf(len(self.pairs), len(self.unmatched_detected), len(self.unmatched_truth))


def match_intervals(
    detected: Sequence[Interval],
    truth: Sequence[Interval],
    compatible: Callable[[Interval, Interval], bool] | None = None,
) -> MatchResult:
    """Greedy one-to-one matching by largest overlap.

    A (detected, truth) pair is a candidate when their intervals overlap by more than zero
    and ``compatible(detected, truth)`` holds. Candidates are taken in order of decreasing
    overlap; each event is used at most once.
    """
    cands: list[tuple[float, int, int]] = []
    for i, d in enumerate(detected):
        for j, t in enumerate(truth):
            ov = d.overlap(t)
            if ov > 0 and (compatible is None or compatible(d, t)):
                cands.append((ov, i, j))
    cands.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_d: set[int] = set()
    used_t: set[int] = set()
    pairs: list[tuple[Interval, Interval]] = []
    for _, i, j in cands:
        if i in used_d or j in used_t:
            continue
        used_d.add(i)
        used_t.add(j)
        pairs.append((detected[i], truth[j]))
    return MatchResult(
        pairs,
        [d for i, d in enumerate(detected) if i not in used_d],
        [t for j, t in enumerate(truth) if j not in used_t],
    )


def _same_by(d: Interval, t: Interval) -> bool:
    return d.attrs.get("by") == t.attrs.get("by")


def _same_speaker(d: Interval, t: Interval) -> bool:
    return d.attrs.get("speaker") == t.attrs.get("speaker")


#: Extra conditions per event type on top of "same type and overlapping": an interruption
#: by the right party, a backchannel from the right party.
COMPATIBLE: dict[str, Callable[[Interval, Interval], bool]] = {
    "interruption": _same_by,
    "backchannel": _same_speaker,
}


def score_events(
    detected: Sequence[Interval], truth: Sequence[Interval], kind: str
) -> tuple[PRF, list[tuple[Interval, Interval]]]:
    """Match events of type ``kind`` (interruption: also the same ``by``; backchannel: the
    same ``speaker``); returns counts and the matched (detected, truth) pairs."""
    d = [e for e in detected if e.type == kind]
    t = [e for e in truth if e.type == kind]
    m = match_intervals(d, t, COMPATIBLE.get(kind))
    return m.counts, m.pairs


def boundary_errors(pairs: Sequence[tuple[Interval, Interval]]) -> dict[str, Any]:
    """Mean absolute start and end error (seconds) over matched pairs."""
    if not pairs:
        return {"n": 0, "start_mae_s": None, "end_mae_s": None}
    ds = [abs(d.start - t.start) for d, t in pairs]
    de = [abs(d.end - t.end) for d, t in pairs]
    return {"n": len(pairs), "start_mae_s": float(np.mean(ds)), "end_mae_s": float(np.mean(de))}


def backchannel_as_interruption(
    detected: Sequence[Interval], truth: Sequence[Interval]
) -> dict[str, Any]:
    """How many truth backchannels are overlapped by a detected interruption.

    ``rate`` counts any detected interruption; ``rate_same_speaker`` only interruptions whose
    ``by`` is the backchanneling speaker (the usual failure: a listener's "mm-hmm" reported as
    that listener interrupting)."""
    bcs = [t for t in truth if t.type == "backchannel"]
    ints = [d for d in detected if d.type == "interruption"]
    hit = sum(1 for b in bcs if any(i.overlap(b) > 0 for i in ints))
    hit_same = sum(
        1
        for b in bcs
        if any(i.overlap(b) > 0 and i.attrs.get("by") == b.attrs.get("speaker") for i in ints)
    )
    n = len(bcs)
    return {
        "n_backchannels": n,
        "hits": hit,
        "hits_same_speaker": hit_same,
        "rate": hit / n if n else None,
        "rate_same_speaker": hit_same / n if n else None,
    }


# --------------------------------------------------------------------------- latency
def onset_of_gap(ev: Interval) -> float:
    """The new speaker's onset of a floor transfer: ``prev_end + offset``.

    Both truth and detected gaps span the silence (offset >= 0: ``start`` = previous speaker's
    end) or the overlap (offset < 0: ``start`` = new speaker's onset), so the onset is
    ``start + max(offset, 0)``."""
    off = float(ev.attrs.get("offset", 0.0))
    return ev.start + max(off, 0.0)


def end_of_gap(ev: Interval) -> float:
    """The previous speaker's end of a floor transfer: ``start`` across a silence, ``end``
    across an overlap (see :func:`onset_of_gap`)."""
    return ev.start if float(ev.attrs.get("offset", 0.0)) >= 0 else ev.end


@dataclass
class LatencyScore:
    n_truth: int = 0
    abs_errors: list[float] = field(default_factory=list)
    signed_errors: list[float] = field(default_factory=list)

    def __iadd__(self, other: LatencyScore) -> LatencyScore:
        self.n_truth += other.n_truth
        self.abs_errors += other.abs_errors
        self.signed_errors += other.signed_errors
        return self

    def to_dict(self) -> dict[str, Any]:
        n_found = len(self.abs_errors)
        return {
            "n_truth": self.n_truth,
            "n_found": n_found,
            "fraction_found": n_found / self.n_truth if self.n_truth else None,
            "offset_mae_s": float(np.mean(self.abs_errors)) if n_found else None,
            "offset_median_abs_err_s": float(np.median(self.abs_errors)) if n_found else None,
            "offset_mean_signed_err_s": float(np.mean(self.signed_errors)) if n_found else None,
        }


def matched_gaps(
    detected: Sequence[Interval], truth: Sequence[Interval], tolerance_s: float = 1.0
) -> list[tuple[Interval, Interval]]:
    """(detected, truth) floor transfers (``gap``) with the same ``from``/``to`` whose onsets
    of the new speaker lie within ``tolerance_s``; greedy one-to-one by smallest onset
    difference."""
    d = [e for e in detected if e.type == "gap"]
    t = [e for e in truth if e.type == "gap"]
    cands: list[tuple[float, int, int]] = []
    for i, de in enumerate(d):
        for j, te in enumerate(t):
            if de.attrs.get("from") != te.attrs.get("from") or de.attrs.get("to") != te.attrs.get(
                "to"
            ):
                continue
            diff = abs(onset_of_gap(de) - onset_of_gap(te))
            if diff <= tolerance_s:
                cands.append((diff, i, j))
    cands.sort()
    used_d: set[int] = set()
    used_t: set[int] = set()
    pairs = []
    for _, i, j in cands:
        if i in used_d or j in used_t:
            continue
        used_d.add(i)
        used_t.add(j)
        pairs.append((d[i], t[j]))
    return pairs


def response_latency(
    detected: Sequence[Interval], truth: Sequence[Interval], tolerance_s: float = 1.0
) -> LatencyScore:
    """Match truth floor transfers to detected ones (:func:`matched_gaps`). Errors are
    detected offset minus truth offset."""
    out = LatencyScore(n_truth=sum(1 for e in truth if e.type == "gap"))
    for d, t in matched_gaps(detected, truth, tolerance_s):
        err = float(d.attrs["offset"]) - float(t.attrs["offset"])
        out.abs_errors.append(abs(err))
        out.signed_errors.append(err)
    return out
