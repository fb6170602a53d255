"""Trial, not shipped: a small learned frame classifier beside the voice-activity detector.

    pip install torch==2.13.0          # CPU wheel; torch is never a library dependency
    python benchmarks/trials/learned_vad.py            # ~4 min on 2 cores
    python benchmarks/trials/learned_vad.py --hidden 0 # the linear model

Tune split only. A two-layer perceptron is trained on the frames of tune calls (seeds
100-139 by default) and scored on tune seeds 0-19 (the seeds ``sweep_vad.py`` uses), per
10 ms frame and leg. Inputs: 16 mel-band levels (32 ms windows at 8 kHz) above their own
causal running minimum (3 s), over +-4 frames; each band's level against the other leg's
(+-2 frames); the shipped detector's level over its noise median (own leg +-4, other leg
+-2 frames); its music probability. Printed: frame P/R/F1 of the shipped detector, of the
network alone, and of the combination (the detector's label kept where the network gives
> ``--keep``, added where it gives > ``--add``); then interruption and backchannel F1 and
response-latency MAE of ``es.turn_taking`` run on each labelling.

The training and scoring calls are built from the same tune-split recordings (other
placements, levels and seeds), so the gains are optimistic for unseen noise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from scipy.ndimage import minimum_filter1d

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import empathysignals as es
import scoring
from empathysignals.audio import StreamingResampler
from empathysignals.simulate import simulate_call

HOP, WIN = 80, 256
N_BANDS = 16


def _mel_weights(lo: float = 100.0, hi: float = 3800.0, sr: int = 8000) -> np.ndarray:
    def mel(f: np.ndarray) -> np.ndarray:
        return 2595.0 * np.log10(1.0 + f / 700.0)

    mels = np.linspace(mel(np.array(lo)), mel(np.array(hi)), N_BANDS + 2)
    edges = 700.0 * (10 ** (mels / 2595.0) - 1.0)
    freqs = np.fft.rfftfreq(WIN, 1.0 / sr)
    w = np.zeros((N_BANDS, len(freqs)))
    for b in range(N_BANDS):
        left, mid, right = edges[b : b + 3]
        rising, falling = (freqs - left) / (mid - left), (right - freqs) / (right - mid)
        w[b] = np.clip(np.minimum(rising, falling), 0, None)
    return w


def band_db(x: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """(n_frames, N_BANDS) dB of 32 ms Hann windows ending at each 10 ms frame's end."""
    n = len(x) // HOP
    padded = np.concatenate([np.zeros(WIN - HOP, np.float32), x[: n * HOP]])
    idx = np.arange(n)[:, None] * HOP + np.arange(WIN)[None]
    power = np.abs(np.fft.rfft(padded[idx] * np.hanning(WIN), WIN)) ** 2
    return 10.0 * np.log10(power @ weights.T + 1e-10)


def running_floor(levels: np.ndarray, frames: int = 300) -> np.ndarray:
    """Causal minimum over the last ``frames`` of the smoothed levels."""
    smooth = levels.copy()
    for i in range(1, len(smooth)):
        smooth[i] = 0.7 * smooth[i - 1] + 0.3 * levels[i]
    return minimum_filter1d(smooth, size=frames, axis=0, origin=(frames - 1) // 2, mode="nearest")


def context(a: np.ndarray, back: int, ahead: int) -> np.ndarray:
    n = len(a)
    padded = np.concatenate([np.repeat(a[:1], back, 0), a, np.repeat(a[-1:], ahead, 0)])
    return np.concatenate([padded[k : k + n] for k in range(back + ahead + 1)], 1)


def call_data(seed: int, weights: np.ndarray) -> dict:
    call = simulate_call(seed, split="tune")
    roles = call.truth.roles
    x = call.audio.astype(np.float32)
    if call.sample_rate != 8000:
        x = np.stack(
            [StreamingResampler(call.sample_rate, 8000).process(x[:, i]) for i in range(2)], 1
        )
    labels = call.truth.frame_labels(hop_s=0.01)
    vad = es.voice_activity(call.audio, call.sample_rate, roles=roles)
    frames = vad.frames
    bands = [band_db(x[:, leg], weights) for leg in range(2)]
    n = min(len(bands[0]), len(vad.active), len(labels[roles[0]]))
    level = (frames.energy_db - frames.floor_db)[:n]
    feats = []
    for leg in range(2):
        own, other = bands[leg][:n], bands[1 - leg][:n]
        feats.append(np.concatenate([
            context(own - running_floor(own), 4, 4),
            context(np.clip(own - other, -40, 40), 2, 2),
            context(level[:, leg : leg + 1], 4, 4),
            frames.music_prob[:n, leg : leg + 1],
            context(level[:, 1 - leg : 2 - leg], 2, 2),
        ], 1).astype(np.float32))  # fmt: skip
    truth = np.stack([labels[r][:n] for r in roles], 1)
    return {"call": call, "feats": feats, "truth": truth, "vad": vad.active[:n].astype(bool)}


def frame_prf(pred: np.ndarray, truth: np.ndarray) -> str:
    c = scoring.frame_counts(pred.ravel(), truth.ravel())
    return f"P {c.precision:.3f} R {c.recall:.3f} F1 {c.f1:.4f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-seeds", default="100:140")
    parser.add_argument("--eval-seeds", default="0:20")
    parser.add_argument("--hidden", type=int, default=32, help="units per layer; 0: linear")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--keep", type=float, default=0.1)
    parser.add_argument("--add", type=float, default=0.9)
    args = parser.parse_args()
    import torch

    torch.manual_seed(0)
    torch.set_num_threads(2)
    weights = _mel_weights()
    lo, hi = map(int, args.train_seeds.split(":"))
    train = [call_data(s, weights) for s in range(lo, hi)]
    lo, hi = map(int, args.eval_seeds.split(":"))
    evals = [call_data(s, weights) for s in range(lo, hi)]
    x = np.concatenate([f for d in train for f in d["feats"]])
    y = np.concatenate([d["truth"][:, leg] for d in train for leg in range(2)]).astype(np.float32)
    mu, sd = x.mean(0), x.std(0) + 1e-6
    n_in = x.shape[1]
    h = args.hidden
    layers = (
        [torch.nn.Linear(n_in, 1)]
        if h == 0
        else [torch.nn.Linear(n_in, h), torch.nn.ReLU(), torch.nn.Linear(h, h), torch.nn.ReLU(),
              torch.nn.Linear(h, 1)]
    )  # fmt: skip
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    xt, yt = torch.from_numpy((x - mu) / sd), torch.from_numpy(y)
    for epoch in range(args.epochs):
        perm = torch.randperm(len(xt))
        total = 0.0
        for i in range(0, len(xt), 1024):
            j = perm[i : i + 1024]
            loss = torch.nn.functional.binary_cross_entropy_with_logits(model(xt[j])[:, 0], yt[j])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss) * len(j)
        print(f"epoch {epoch}: loss {total / len(xt):.4f}", file=sys.stderr, flush=True)

    truth = np.concatenate([d["truth"] for d in evals])
    shipped = np.concatenate([d["vad"] for d in evals])
    with torch.no_grad():
        probs = [
            np.stack([torch.sigmoid(model(torch.from_numpy((f - mu) / sd)))[:, 0].numpy()
                      for f in d["feats"]], 1)
            for d in evals
        ]  # fmt: skip
    combined = [
        (d["vad"] & (p > args.keep)) | (p > args.add) for d, p in zip(evals, probs, strict=True)
    ]
    print(f"tune seeds {args.eval_seeds} (trained on {args.train_seeds}), hidden {h}")
    print("frames, shipped detector:  ", frame_prf(shipped, truth))
    print("frames, network alone > 0.5:", frame_prf(np.concatenate(probs) > 0.5, truth))
    print(f"frames, combined {args.keep}/{args.add}:  ", frame_prf(np.concatenate(combined), truth))
    for name, labelled in (("shipped", [d["vad"] for d in evals]), ("combined", combined)):
        counts = {k: scoring.PRF() for k in ("interruption", "backchannel")}
        latency = scoring.LatencyScore()
        for d, act in zip(evals, labelled, strict=True):
            call = d["call"]
            events = es.turn_taking(act, roles=call.truth.roles)
            det = [scoring.from_detected(e) for e in scoring.closed_events(events)]
            tru = [scoring.from_truth(e) for e in call.truth.events]
            for k in counts:
                c, _ = scoring.score_events(det, tru, k)
                counts[k] += c
            latency += scoring.response_latency(det, tru, tolerance_s=1.0)
        lat = latency.to_dict()
        print(
            f"events, {name}: interruption F1 {counts['interruption'].f1:.3f}, backchannel "
            f"F1 {counts['backchannel'].f1:.3f}, latency MAE {lat['offset_mae_s']:.3f} s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
