"""How loud is the speech the voice-activity detector misses? (simulated *tune* split)

    python benchmarks/study_missed_speech.py            # 20 tune calls, ~1 min
    python benchmarks/study_missed_speech.py --calls 5

For every ground-truth speech frame the detector labels silence, the frame's level above
the leg's noise median (the detector's own noise estimate) is collected; the script prints
its quartiles, the share of missed frames less than 3 dB above the noise, and the share in
words or phrases missed whole. It explains ``docs/studies.md`` ("What limits accuracy");
it is a diagnosis on the tune split, not an accuracy result.
"""

from __future__ import annotations

import _single_thread  # noqa: F401 - sets one thread before numeric imports

# isort: split

import argparse

import numpy as np

from empathysignals.detectors.voice_activity import VoiceActivityStream
from empathysignals.simulate import simulate_call


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args()
    above: list[np.ndarray] = []
    missed_whole = missed_total = 0
    for seed in range(args.calls):
        call = simulate_call(seed, split="tune")
        labels = call.truth.frame_labels(hop_s=0.01)
        stream = VoiceActivityStream(call.truth.roles, call.sample_rate)
        blocks = [stream.push(call.audio), stream.finish()]
        active = np.concatenate([b.active for b in blocks])
        level = np.concatenate([b.energy_db - b.floor_db for b in blocks])
        for k, role in enumerate(call.truth.roles):
            truth = labels[role][: len(active)]
            missed = truth & ~active[: len(truth), k]
            above.append(level[: len(truth), k][missed])
            edges = np.diff(np.r_[0, truth.astype(np.int8), 0])
            for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
                n_missed = int(missed[a:b].sum())
                missed_total += n_missed
                if not active[a:b, k].any():
                    missed_whole += n_missed
    a = np.concatenate(above)
    q1, q2, q3 = np.percentile(a, [25, 50, 75])
    print(f"Tune split, {args.calls} calls: {len(a)} missed speech frames (10 ms)")
    print(f"level above the noise median (dB): quartiles {q1:.1f} / {q2:.1f} / {q3:.1f}")
    print(f"share less than 3 dB above the noise: {np.mean(a < 3.0):.2f}")
    print(f"share in words or phrases missed whole: {missed_whole / missed_total:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
