"""Where MUSIC_FLUX_MAX comes from: the spectral flux of music, speech and other blocks on
simulated calls of the *tune* split (speakers, music and noise disjoint from the test split
that the benchmarks report on).

    python benchmarks/music_features.py --calls 6

Prints percentiles of each class's 1 s median flux and how the threshold splits them.
"""

from __future__ import annotations

import argparse

import numpy as np

from empathysignals._kernels.vad import frame_features
from empathysignals.detectors.voice_activity import (
    MUSIC_BACK_BLOCKS,
    MUSIC_BLOCK,
    MUSIC_FLUX_MAX,
    VoiceActivityStream,
    _highpass_200hz,
)
from empathysignals.simulate import simulate_call


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=6)
    args = ap.parse_args()
    b, a = _highpass_200hz()
    medians: dict[str, list[float]] = {"music": [], "speech": [], "other": []}
    for seed in range(args.calls):
        call = simulate_call(seed, split="tune")
        labels = call.truth.frame_labels()
        holds = [e for e in call.truth.events if e.type == "hold" and e.attrs["kind"] == "music"]
        for leg, role in enumerate(call.truth.roles):
            x = np.ascontiguousarray(call.audio[:, leg : leg + 1])
            n = len(x) // 80
            _, dec, _ = frame_features(x[: n * 80], b, a, np.zeros((1, 4)))
            stream = VoiceActivityStream(("x",), 8000)
            flux = stream._block_flux(dec[: n // MUSIC_BLOCK * MUSIC_BLOCK])[:, 0]
            for j in range(MUSIC_BACK_BLOCKS, len(flux)):
                t = (j * MUSIC_BLOCK + 2) * 0.01
                frame = min(j * MUSIC_BLOCK + 2, len(labels[role]) - 1)
                in_music = role == "agent" and any(h.start <= t < h.end for h in holds)
                kind = "music" if in_music else "speech" if labels[role][frame] else "other"
                medians[kind].append(float(np.median(flux[j - MUSIC_BACK_BLOCKS + 1 : j + 1])))
    print(f"1 s median spectral flux per class (tune split, {args.calls} calls)")
    for kind, values in medians.items():
        pct = np.percentile(values, [5, 10, 50, 90, 95])
        print(f"  {kind:7s} n={len(values):6d}  p5/p10/p50/p90/p95 = {np.round(pct, 3).tolist()}")
    for kind, values in medians.items():
        below = float(np.mean(np.array(values) <= MUSIC_FLUX_MAX))
        print(f"  fraction of {kind} windows with median flux <= {MUSIC_FLUX_MAX}: {below:.3f}")


if __name__ == "__main__":
    main()
