"""Fit the music-vs-speech logistic weights of the voice-activity front end.

Uses simulated calls of the *tune* split only (speakers, music and noise disjoint from the
test split used by the benchmarks). Each 50 ms block of each leg is labelled music when it
lies inside a ground-truth music hold on that leg, else not-music (speech or noise). The
features are those of ``_kernels.vad.music_block_scores``, computed through the kernel
itself with unit weights, so the fit and the library cannot drift apart.

    python benchmarks/fit_music.py --calls 30
"""

from __future__ import annotations

import argparse

import numpy as np
from scipy.optimize import minimize

from empathysignals._kernels.vad import music_block_scores
from empathysignals.detectors import voice_activity as va
from empathysignals.simulate import simulate_call


def block_features(energy: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """(n_blocks, 5) features per leg-block, extracted by probing the kernel."""
    n = len(energy)
    pad = np.full(va.MUSIC_WINDOW, va.DB_FLOOR)
    hist = np.concatenate([pad, energy, np.full(va.MUSIC_BLOCK + 40, va.DB_FLOOR)])
    n_blocks = n // va.MUSIC_BLOCK
    feats = np.empty((n_blocks, 5))
    for k in range(5):
        w = np.zeros(6)
        w[k + 1] = 1.0
        for j in range(n_blocks):
            # floor at the block: as in the stream, the tracked floor at that time
            fl = float(floor[min(n - 1, j * va.MUSIC_BLOCK)])
            p = music_block_scores(hist, fl, va.MUSIC_WINDOW + (j + 1) * va.MUSIC_BLOCK,
                                   va.MUSIC_BLOCK, va.MUSIC_WINDOW, 20, 1, w)[0]
            feats[j, k] = np.log(p / (1 - p)) if 0 < p < 1 else (50.0 if p >= 1 else -50.0)
    return feats


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=30)
    args = ap.parse_args()
    X, y = [], []
    for seed in range(args.calls):
        call = simulate_call(seed, split="tune", n_exchanges=10)
        res = va.voice_activity(call.audio, call.sample_rate)
        fb = res.frames
        holds = [e for e in call.truth.events if e.type == "hold" and e.attrs.get("kind") == "music"]
        for leg, role in enumerate(call.truth.roles):
            f = block_features(fb.energy_db[:, leg], fb.floor_db[:, leg])
            centre = (np.arange(len(f)) * va.MUSIC_BLOCK + va.MUSIC_BLOCK / 2) * 0.01
            lab = np.zeros(len(f), bool)
            if role == "agent":
                for h in holds:
                    lab |= (centre >= h.start) & (centre < h.end)
            X.append(f)
            y.append(lab)
    Xa = np.concatenate(X)
    ya = np.concatenate(y).astype(float)
    A = np.hstack([np.ones((len(Xa), 1)), Xa])
    # Balance classes so the rare music blocks count as much as the rest.
    w = np.where(ya == 1, 0.5 / ya.mean(), 0.5 / (1 - ya.mean()))

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        z = A @ theta
        p = 1 / (1 + np.exp(-z))
        eps = 1e-9
        ll = -(w * (ya * np.log(p + eps) + (1 - ya) * np.log(1 - p + eps))).mean()
        grad = A.T @ (w * (p - ya)) / len(ya)
        return ll + 1e-3 * (theta[1:] ** 2).sum(), grad + 2e-3 * np.r_[0, theta[1:]]

    res = minimize(loss, np.zeros(6), jac=True, method="L-BFGS-B")
    theta = res.x
    p = 1 / (1 + np.exp(-(A @ theta)))
    pred = p > 0.5
    tp = (pred & (ya == 1)).sum()
    print(f"blocks={len(ya)} music={int(ya.sum())}")
    print(f"precision={tp / max(1, pred.sum()):.3f} recall={tp / max(1, ya.sum()):.3f}")
    print("MUSIC_WEIGHTS =", np.array2string(theta, precision=4, separator=", "))


if __name__ == "__main__":
    main()
