"""Does the recording gain change what the voice-activity detector hears?

    python benchmarks/study_levels.py                 # tune calls 0-7, ~1 min
    python benchmarks/study_levels.py --seeds 1000 1020 --split test

Each simulated call (8 kHz mu-law, speech at -30 to -18 dBFS) is scaled as a whole by
0 ... -45 dB, as a low-gain recorder or a quiet handset would leave it, and scored per
10 ms frame against its truth, with the default no-signal level (from the input's
quantization step, session 11) and with the fixed -70 dBFS used before. A detector whose
decisions do not depend on the gain gives the same F1 in every row; the default does
down to the gain at which mu-law's step falls under the -100 dBFS floor (about -28 dB).
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
from empathysignals.simulate import simulate_call

GAINS_DB = (0.0, -10.0, -20.0, -25.0, -35.0, -45.0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--seeds", type=int, nargs=2, default=(0, 8), metavar=("FIRST", "STOP"))
    ap.add_argument("--split", choices=("tune", "test"), default="tune")
    args = ap.parse_args(argv)
    calls = [simulate_call(s, split=args.split) for s in range(*args.seeds)]
    configs = {"default (step)": None, "fixed -70 dBFS": es.VadConfig(no_signal_max_dbfs=-70.0)}
    rows = []
    for gain in GAINS_DB:
        row: list[object] = [f"{gain:+.0f} dB"]
        for config in configs.values():
            counts = scoring.PRF()
            for call in calls:
                x = call.audio * np.float32(10 ** (gain / 20))
                roles = tuple(call.truth.roles)
                va = es.voice_activity(x, call.sample_rate, roles=roles, config=config)
                labels = call.truth.frame_labels(hop_s=0.01)
                for k, role in enumerate(roles):
                    counts += scoring.frame_counts(np.asarray(va.active)[:, k], labels[role])
            row += [f"{counts.f1:.3f}", f"{counts.recall:.3f}"]
        rows.append(row)
    header = ["gain"]
    for name in configs:
        header += [f"{name} F1", "R"]
    print(f"{len(calls)} {args.split} calls, seeds {args.seeds[0]}..{args.seeds[1] - 1}\n")
    print(table(header, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
