"""Every simulated hold, detected against truth: boundary errors, split or missed holds, and
dead air reported inside holds. For choosing the hold rules on the *tune* split.

    python benchmarks/study_holds.py --split tune --seeds 0 40        # ~30 s
    python benchmarks/study_holds.py --split tune --seeds 0 40 --line-back-s 0.3

Prints the holds whose detection is not one event within 1 s of the truth at both ends,
false and missed dead air, then the mean absolute start and end error over the holds
matched (the last detected piece's end, for a split hold). ``--line-back-s`` overrides how
long the agent's line must sit at its floor to end a music hold (``docs/concepts.md``).
"""

from __future__ import annotations

import argparse

import numpy as np

import empathysignals as es
from empathysignals.detectors import turn_taking
from empathysignals.simulate import simulate_call


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", choices=["tune", "test"], default="tune")
    ap.add_argument("--seeds", type=int, nargs=2, default=[0, 40], metavar=("FIRST", "STOP"))
    ap.add_argument("--line-back-s", type=float, default=None)
    args = ap.parse_args()
    if args.line_back_s is not None:
        turn_taking._LINE_BACK_S = args.line_back_s  # read when a detector is built
    starts: list[float] = []
    ends: list[float] = []
    for seed in range(*args.seeds):
        call = simulate_call(seed, split=args.split)
        events = es.analyze(call.audio, call.sample_rate, roles=call.truth.roles)
        closed = [e for e in events if e.type != "summary" and e.end is not None]
        holds = [(e.start, e.end, e.kind) for e in closed if e.type == "hold"]
        truth = [(e.start, e.end, e.attrs["kind"]) for e in call.truth.events_of("hold")]
        for t0, t1, _ in truth:
            pieces = [h for h in holds if h[0] < t1 and h[1] > t0]
            if pieces:
                starts.append(pieces[0][0] - t0)
                ends.append(pieces[-1][1] - t1)
        exact = len(holds) == len(truth) and all(
            abs(h[0] - t[0]) <= 1 and abs(h[1] - t[1]) <= 1
            for h, t in zip(holds, truth, strict=True)
        )
        if not exact:
            music = [h.get("file", "").split("/")[-1] for h in call.params["holds"]]
            print(f"seed {seed}: hold truth {_fmt(truth)} detected {_fmt(holds)} {music}")
        dead = [(e.start, e.end) for e in closed if e.type == "dead_air"]
        dead_truth = [(e.start, e.end) for e in call.truth.events_of("dead_air")]
        for d in dead:
            if not any(d[0] < t[1] and d[1] > t[0] for t in dead_truth):
                print(f"seed {seed}: false dead air {d[0]:.2f}-{d[1]:.2f}")
        for t in dead_truth:
            if not any(d[0] < t[1] and d[1] > t[0] for d in dead):
                print(f"seed {seed}: missed dead air {t[0]:.2f}-{t[1]:.2f}")
    s, e = np.abs(starts), np.abs(ends)
    print(
        f"{len(s)} holds matched: start error mean {s.mean():.3f} s, end error mean "
        f"{e.mean():.3f} s (median {np.median(e):.3f} s, > 1 s: {int((e > 1).sum())})"
    )


def _fmt(items: list[tuple[float, float, str]]) -> str:
    return "[" + ", ".join(f"{a:.2f}-{b:.2f} {k}" for a, b, k in items) + "]"


if __name__ == "__main__":
    main()
