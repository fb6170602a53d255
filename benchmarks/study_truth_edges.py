"""Does the simulated truth's speech rule put speech edges where people do?

    python benchmarks/study_truth_edges.py       # ~10 s, runs no detector of ours

The simulator marks a clean utterance's 10 ms frames as speech down to 35 dB under its
loudest frame (``empathysignals.simulate``, "Construction"). The EmoDB files in
``../shared/data/emotional_speech/emodb`` carry hand-labelled syllable onsets and the end
of speech (``silb/*.silb``; research-only data, read in place, nothing copied). For each
file, the rule (the simulator's own function, and the same rule at other depths) gives
the first speech frame and the end of the last one; the table compares them with the
labelled start and end of speech (detected minus labelled, seconds). All 243 files have
a labelled start; the 65 whose speech ends before the source cut them at 2 s have a
labelled end.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import table
from empathysignals.simulate import _speech_islands, find_data_dir

DEPTHS_DB = (20.0, 25.0, 30.0, 35.0, 40.0)


def edges_at(x: np.ndarray, sr: int, depth_db: float) -> tuple[float, float]:
    """First speech frame and end of the last one (s) under the rule at ``depth_db``."""
    hop = round(0.01 * sr)
    n = len(x) // hop
    db = 10.0 * np.log10(np.mean(x[: n * hop].reshape(n, hop) ** 2, axis=1) + 1e-20)
    thr = max(float(db.max()) - depth_db, -55.0, float(np.percentile(db, 10)) + 10.0)
    idx = np.flatnonzero(db >= thr)
    return idx[0] * hop / sr, (idx[-1] + 1) * hop / sr


def main() -> int:
    root = find_data_dir() / "emotional_speech" / "emodb"
    rows = list(csv.DictReader(open(root / "manifest.csv", encoding="utf-8")))
    starts: dict[str, list[float]] = {}
    ends: dict[str, list[float]] = {}
    for r in rows:
        x, sr = sf.read(root / r["file"], dtype="float64")
        label_start, label_end = float(r["speech_start_s"]), float(r["speech_end_s"])
        complete = r["truncated_at_2s"] == "0"
        islands = _speech_islands(x, sr)  # the simulator's rule itself (35 dB)
        candidates = {"simulator (35 dB)": (islands[0][0] / sr, islands[-1][1] / sr)}
        candidates |= {f"{d:.0f} dB under the peak": edges_at(x, sr, d) for d in DEPTHS_DB}
        for name, (start, end) in candidates.items():
            starts.setdefault(name, []).append(start - label_start)
            if complete:
                ends.setdefault(name, []).append(end - label_end)
    out = []
    for name in starts:
        s, e = np.array(starts[name]), np.array(ends[name])
        out.append([name, f"{np.median(s):+.3f}", f"{np.mean(np.abs(s)):.3f}",
                    f"{np.median(e):+.3f}", f"{np.mean(np.abs(e)):.3f}"])  # fmt: skip
    n_end = len(next(iter(ends.values())))
    print(f"EmoDB: {len(rows)} files with a labelled start, {n_end} with a labelled end\n")
    header = ["rule", "start: median", "start: mean abs", "end: median", "end: mean abs"]
    print(table(header, out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
