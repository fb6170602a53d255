"""Where the response-latency error lies: the truth's floor-transfer edges against the
speakers' voiced edges, and the detector's against both.

    python benchmarks/study_latency_edges.py                       # test calls 1000-1019
    python benchmarks/study_latency_edges.py --split tune --seeds 0 20

The simulated truth ends a turn, and starts the next, where the clean utterance's frames
cross ``max(peak - 35 dB, -55 dBFS, 10th percentile + 10 dB)`` (``simulate.py``): breaths,
unvoiced consonants and reverberant tails count as speech. A voicing convention is another
defensible reference: each placed utterance's voiced frames (``empathysignals.pitch`` on
the clean recording, 16 kHz) put back at their place in the call. For every truth floor
transfer that the benchmark's matching finds (``scoring.response_latency``), this prints
how far the voiced edges lie inside the truth's (the previous speaker's last voiced frame
before the truth's end, the next speaker's first voiced frame after its start), and the
detected offset's error against the truth's offset and against the voiced offset. No
threshold is tuned here; it audits the reference, not the detector.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import empathysignals as es
import scoring
from _report import table
from empathysignals import simulate
from empathysignals.simulate import find_data_dir, simulate_call

RATE = 16000
HOP_S = 0.01
EDGE_REACH_S = 1.0  # how far inside a turn a voiced edge is looked for


def voiced_frames(call: simulate.SimulatedCall, root: Path) -> dict[str, np.ndarray]:
    """Per role, a bool per 10 ms frame of the call: that role's placed speech is voiced."""
    n = int(call.duration_s / HOP_S) + 1
    out = {role: np.zeros(n, dtype=bool) for role in call.truth.roles}
    cache: dict[str, np.ndarray] = {}
    for p in call.params["placements"]:  # type: ignore[union-attr]
        f = str(p["file"])
        if f not in cache:
            x = simulate._load(str(root / f), RATE)
            cache[f] = np.isfinite(es.pitch(x, RATE).f0_hz)
        voiced = cache[f]
        lo = round(float(p["from_s"]) / HOP_S)
        hi = round(float(p["to_s"]) / HOP_S)
        if "cut_at_s" in p:
            hi = min(hi, lo + round(float(p["cut_at_s"]) / HOP_S))
        seg = voiced[lo:hi]
        at = round(float(p["start_s"]) / HOP_S)
        seg = seg[: max(0, n - at)]
        out[str(p["role"])][at : at + len(seg)] |= seg
    return out


def voiced_edges(
    voiced: dict[str, np.ndarray], gap: scoring.Interval
) -> tuple[float, float] | None:
    """(previous speaker's last voiced time before the truth's end, next speaker's first
    voiced time after the truth's start), each within EDGE_REACH_S; None if either has none."""
    end = scoring.end_of_gap(gap)
    start = scoring.onset_of_gap(gap)
    reach = round(EDGE_REACH_S / HOP_S)
    prev = voiced[str(gap.attrs["from"])]
    nxt = voiced[str(gap.attrs["to"])]
    e = round(end / HOP_S)
    s = round(start / HOP_S)
    before = np.flatnonzero(prev[max(0, e - reach) : e])
    after = np.flatnonzero(nxt[s : s + reach])
    if not len(before) or not len(after):
        return None
    return (max(0, e - reach) + before[-1] + 1) * HOP_S, (s + after[0]) * HOP_S


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("tune", "test"), default="test")
    ap.add_argument("--seeds", type=int, nargs=2, default=(1000, 1020), metavar=("FIRST", "STOP"))
    args = ap.parse_args(argv)
    root = find_data_dir()
    end_in, start_in, err_truth, err_voiced, skipped = [], [], [], [], 0
    for seed in range(*args.seeds):
        call = simulate_call(seed, split=args.split)
        voiced = voiced_frames(call, root)
        events = es.analyze(call.audio, call.sample_rate, roles=call.truth.roles)
        det, tru = scoring.intervals(events, call.truth)
        for d, t in scoring.matched_gaps(det, tru):
            edges = voiced_edges(voiced, t)
            if edges is None:
                skipped += 1
                continue
            v_end, v_start = edges
            off = float(t.attrs["offset"])
            end_in.append(scoring.end_of_gap(t) - v_end)
            start_in.append(v_start - scoring.onset_of_gap(t))
            err_truth.append(float(d.attrs["offset"]) - off)
            err_voiced.append(float(d.attrs["offset"]) - (v_start - v_end))
        print(f"  seed {seed}: {len(err_truth)} transfers so far", flush=True)
    e_t, e_v = np.array(err_truth), np.array(err_voiced)
    q = (0.5, 0.9)
    print(
        f"\n{args.split} calls {args.seeds[0]}..{args.seeds[1] - 1}: {len(e_t)} matched floor "
        f"transfers ({skipped} without a voiced edge within {EDGE_REACH_S:.0f} s left out)\n"
    )
    rows = [
        [
            "truth's end after the last voiced frame (s)",
            *[f"{np.quantile(end_in, x):.3f}" for x in q],
            f"{np.mean(end_in):.3f}",
        ],
        [
            "first voiced frame after the truth's start (s)",
            *[f"{np.quantile(start_in, x):.3f}" for x in q],
            f"{np.mean(start_in):.3f}",
        ],
    ]
    print(table(["edge", "median", "90th percentile", "mean"], rows))
    rows = [
        [ref, f"{np.mean(np.abs(e)):.3f}", f"{np.median(np.abs(e)):.3f}", f"{np.mean(e):+.3f}"]
        for ref, e in (("the truth's offset", e_t), ("the voiced offset", e_v))
    ]
    print()
    print(table(["detected offset against", "MAE (s)", "median abs (s)", "mean signed (s)"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
