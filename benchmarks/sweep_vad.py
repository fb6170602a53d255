"""One-at-a-time sweep of the voice-activity settings on the simulated *tune* split.

    python benchmarks/sweep_vad.py               # 20 tune calls, ~3 min
    python benchmarks/sweep_vad.py --calls 5     # quicker

Each row changes one ``VadConfig`` field from its default and reports pooled frame
precision, recall and F1 over both legs against the calls' ground truth, so a user can see
what each knob trades before changing it for their audio (``docs/tuning.md``). This is the
split the defaults were chosen on; it is not an accuracy result (that is
``bench_accuracy.py`` on the test split).
"""

from __future__ import annotations

import _single_thread  # noqa: F401 - sets one thread before numeric imports

# isort: split

import argparse
import dataclasses
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import empathysignals as es
import scoring
from _report import table
from empathysignals.simulate import simulate_call

SWEEP: dict[str, tuple[float, ...]] = {
    "speech_above_floor_db": (5.0, 7.0),
    "boundary_above_floor_db": (2.0, 4.0),
    "noise_spread_factor": (1.5, 2.5, 3.0),
    "segment_peak_db": (8.0, 12.0, 15.0),
    "voicing_threshold": (0.4, 0.6),
    "min_voiced_ms": (10.0, 40.0, 80.0),
    "bleed_margin_db": (3.0, 9.0),
    "max_echo_db": (-25.0, -15.0),
    "hangover_ms": (150.0, 300.0),
    "no_signal_max_dbfs": (-80.0,),
    "max_unvoiced_ms": (0.0, 800.0),
    "talk_voicing_threshold": (0.5, 0.8),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args()
    calls = [simulate_call(seed, split="tune") for seed in range(args.calls)]
    labels = [c.truth.frame_labels(hop_s=0.01) for c in calls]
    base = es.VadConfig()

    def score(cfg: es.VadConfig) -> scoring.PRF:
        counts = scoring.PRF()
        for call, lab in zip(calls, labels, strict=True):
            roles = call.truth.roles
            pred = np.asarray(
                es.voice_activity(call.audio, call.sample_rate, roles=roles, config=cfg).active
            )
            for k, role in enumerate(roles):
                counts += scoring.frame_counts(pred[:, k], lab[role])
        return counts

    ref = score(base)
    rows = [["(defaults)", "", ref.precision, ref.recall, ref.f1, 0.0]]
    for name, values in SWEEP.items():
        for value in values:
            c = score(dataclasses.replace(base, **{name: value}))
            rows.append([name, f"{getattr(base, name)} -> {value}", c.precision, c.recall,
                         c.f1, (c.f1 or 0.0) - (ref.f1 or 0.0)])  # fmt: skip
            print(f"  {name}={value}: F1 {c.f1:.4f}", file=sys.stderr, flush=True)
    minutes = sum(c.duration_s for c in calls) / 60
    print(f"Tune split, {len(calls)} calls ({minutes:.0f} min), both legs pooled\n")
    print(table(["setting", "change", "P", "R", "F1", "ΔF1"], rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
