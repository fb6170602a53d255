"""How far the simulator's speech truth reaches past the speech that silero-vad hears in the
same clean recordings, per speaker of each split.

    python benchmarks/study_truth_tails.py      # ~10 s

The simulated truth marks a clean utterance's 10 ms frames as speech down to
``max(peak - 35 dB, -55 dBFS, 10th-percentile frame + 10 dB)`` (``simulate.py``). On a
clean recording silero-vad (raw per-window decision at 0.5, ``peers.py``) is a strong
independent reference. For every truth speech island this prints where silero's last
speech frame inside it lies, i.e. the truth's tail past the speech silero hears, and the
share of truth frames silero also calls speech. No detector of ours is involved, so this
audits the reference, not our scores.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import table
from empathysignals import simulate
from empathysignals.simulate import find_data_dir, split_material
from peers import SileroVad

RATE = 16000
HOP = RATE // 100


def speaker_of(path: str) -> str:
    name = Path(path).name
    return name.split("-")[0] if "librispeech" in path else Path(path).parent.name


def main() -> int:
    root = find_data_dir()
    vad = SileroVad()
    rows = []
    for split in ("tune", "test"):
        files_of: dict[str, list[str]] = {}
        for f in split_material(split)["speech"]:
            files_of.setdefault(speaker_of(f), []).append(f)
        for speaker, files in sorted(files_of.items()):
            tails, agree, total = [], 0, 0
            for f in files:
                x = simulate._load(str(root / f), RATE)
                islands = simulate._speech_islands(x, RATE)
                heard = vad.frames(x.astype(np.float32), RATE)
                for start, end in islands:
                    seg = heard[start // HOP : end // HOP]
                    agree += int(seg.sum())
                    total += len(seg)
                    idx = np.flatnonzero(seg)
                    if len(idx):
                        tails.append((len(seg) - 1 - idx[-1]) * 0.01)
            rows.append([split, speaker, len(files), len(tails), agree / max(total, 1),
                         float(np.mean(tails)), float(np.median(tails))])  # fmt: skip
    print(table(
        ["split", "speaker", "files", "islands", "truth frames silero hears",
         "truth tail past silero: mean (s)", "median (s)"],
        rows,
    ))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
