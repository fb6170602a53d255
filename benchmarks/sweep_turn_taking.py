"""One-at-a-time sweep of the turn-taking settings on the simulated *tune* split.

    python benchmarks/sweep_turn_taking.py             # 20 tune calls, ~4 min
    python benchmarks/sweep_turn_taking.py --calls 5   # quicker

Each row changes one ``TurnTakingConfig`` field from its default and reports interruption
and backchannel event F1 (the scoring of ``bench_accuracy.py``) and the response-latency
error and share of floor transfers found, so a user can see what each knob trades
(``docs/tuning.md``). This is the split the defaults were chosen on; it is not an accuracy
result (that is ``bench_accuracy.py`` on the test split).
"""

from __future__ import annotations

import _single_thread  # noqa: F401 - sets one thread before numeric imports

# isort: split

import argparse
import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import empathysignals as es
import scoring
from _report import table
from empathysignals.simulate import simulate_call

SWEEP: dict[str, tuple[float, ...]] = {
    "backchannel_max_s": (0.8, 1.2),
    "interruption_min_overlap_s": (0.3, 0.7),
    "backchannel_resume_s": (0.5, 0.7),
    "listener_pause_max_s": (0.4, 0.8),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args()
    calls = [simulate_call(seed, split="tune") for seed in range(args.calls)]
    truths = [[scoring.from_truth(e) for e in c.truth.events] for c in calls]

    def score(cfg: es.TurnTakingConfig) -> list[float | None]:
        counts = {k: scoring.PRF() for k in ("interruption", "backchannel")}
        latency = scoring.LatencyScore()
        for call, truth in zip(calls, truths, strict=True):
            events = es.analyze(
                call.audio, call.sample_rate, roles=call.truth.roles, turn_taking=cfg,
                emotion_model=None,
            )  # fmt: skip
            detected = [scoring.from_detected(e) for e in scoring.closed_events(events)]
            for kind, prf in counts.items():
                prf += scoring.score_events(detected, truth, kind)[0]
            latency += scoring.response_latency(detected, truth, tolerance_s=1.0)
        lat = latency.to_dict()
        return [
            counts["interruption"].f1, counts["interruption"].precision,
            counts["interruption"].recall, counts["backchannel"].f1,
            lat["offset_mae_s"], lat["fraction_found"],
        ]  # fmt: skip

    base = es.TurnTakingConfig()
    rows = [["(defaults)", "", *score(base)]]
    for name, values in SWEEP.items():
        for value in values:
            row = score(dataclasses.replace(base, **{name: value}))
            rows.append([name, f"{getattr(base, name)} -> {value}", *row])
            print(f"  {name}={value}: interruption F1 {row[0]:.3f}", file=sys.stderr, flush=True)
    minutes = sum(c.duration_s for c in calls) / 60
    print(f"Tune split, {len(calls)} calls ({minutes:.0f} min)\n")
    print(table(
        ["setting", "change", "interruption F1", "P", "R", "backchannel F1",
         "latency MAE (s)", "transitions found"],
        rows,
    ))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
