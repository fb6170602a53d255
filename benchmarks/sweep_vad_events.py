"""One voice-activity setting swept over its values, scored on the events as well as frames.

    python benchmarks/sweep_vad_events.py max_unvoiced_ms 0 300 400 500 600 800
    python benchmarks/sweep_vad_events.py hangover_ms 150 200 --seeds 100 200 --jobs 1

``sweep_vad.py`` shows what each ``VadConfig`` field trades in frame precision and recall;
a rule that decides where talk ends (a noise held for talk, a backchannel that runs on)
shows mostly in the events. Each row runs the whole Analyzer with one field changed, on
simulated *tune* calls (seeds 0-99 by default, ~25 s per value on 2 cores), and reports
frame F1 with the interruption, backchannel, dead-air and hold counts and the
response-latency error. This is the split settings are chosen on, not an accuracy result.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from multiprocessing import Pool
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import empathysignals as es
import scoring
from _report import table
from empathysignals.simulate import simulate_call

KINDS = ("interruption", "backchannel", "dead_air", "hold")


def score_call(job: tuple[int, str, es.VadConfig]) -> dict[str, object]:
    seed, split, cfg = job
    call = simulate_call(seed, split=split)  # type: ignore[arg-type]
    roles = call.truth.roles
    labels = call.truth.frame_labels(hop_s=0.01)
    events = es.analyze(call.audio, call.sample_rate, roles=roles, vad=cfg)
    active = np.asarray(
        es.voice_activity(call.audio, call.sample_rate, roles=roles, config=cfg).active
    )
    frames = scoring.PRF()
    for k, role in enumerate(roles):
        frames += scoring.frame_counts(active[:, k], labels[role])
    det, tru = scoring.intervals(events, call.truth)
    out: dict[str, object] = {"frames": frames}
    for kind in KINDS:
        out[kind] = scoring.score_events(det, tru, kind)[0]
    out["latency"] = scoring.response_latency(det, tru, tolerance_s=1.0)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("setting", help="a VadConfig field")
    parser.add_argument("values", type=float, nargs="+")
    parser.add_argument("--seeds", type=int, nargs=2, default=(0, 100))
    parser.add_argument("--split", default="tune", choices=("tune", "test"))
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    base = es.VadConfig()
    if args.setting not in {f.name for f in dataclasses.fields(base)}:
        parser.error(f"{args.setting!r} is not a VadConfig field")
    rows = []
    for value in args.values:
        cfg = dataclasses.replace(base, **{args.setting: value})
        jobs = [(seed, args.split, cfg) for seed in range(*args.seeds)]
        with Pool(args.jobs) as pool:
            per_call = pool.map(score_call, jobs)
        frames = scoring.PRF()
        counts = {kind: scoring.PRF() for kind in KINDS}
        latency = scoring.LatencyScore()
        for r in per_call:
            frames += r["frames"]  # type: ignore[arg-type]
            for kind in KINDS:
                counts[kind] += r[kind]  # type: ignore[arg-type]
            latency += r["latency"]  # type: ignore[arg-type]
        lat = latency.to_dict()
        cells = [f"{value:g}" + (" (default)" if value == getattr(base, args.setting) else "")]
        cells += [f"{frames.precision:.4f}", f"{frames.recall:.4f}", f"{frames.f1:.4f}"]
        for kind in KINDS:
            c = counts[kind]
            cells.append(f"{c.f1:.3f} ({c.tp}/{c.tp + c.fn}, {c.fp} FP)")
        cells += [f"{lat['offset_mae_s']:.3f}", f"{lat['fraction_found']:.3f}"]
        rows.append(cells)
        print(f"  {args.setting}={value:g} done", file=sys.stderr, flush=True)
    print(f"{args.split} calls {args.seeds[0]}-{args.seeds[1] - 1}\n")
    print(table(
        [args.setting, "frame P", "frame R", "frame F1", "interruption F1", "backchannel F1",
         "dead-air F1", "hold F1", "latency MAE (s)", "transfers found"],
        rows,
    ))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
