"""Trial, not shipped: a learned syllable counter against the shipped nucleus rule.

    pip install torch==2.13.0          # CPU wheel; torch is never a library dependency
    python benchmarks/trials/learned_syllables.py      # ~1 min

Trained on the EmoDB tune speakers (03, 08), scored on the test speakers (09, 10, 11), on
the files and cuts of ``bench_prosody.py``. Each 10 ms frame inside a labelled syllable
gets the target 1 / (that syllable's frames), so a file's targets sum to its syllable
count; a one-hidden-layer network predicts it from 16 mel-band levels (8 kHz) under their
running peak and their slopes, over +-8 frames (every second frame), plus the voice-activity
label and level; the count is the sum of its (non-negative) outputs over the detected
speech. Printed: count r, count MAE and speech-rate r, per split and file set, beside the
shipped rule (the Analyzer's turn ``syllables`` via ``utterance_prosody``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from learned_vad import _mel_weights, band_db  # isort: skip

import empathysignals as es
from bench_prosody import TUNE_SPEAKERS, cut_reference, load_corpus
from bench_voice import silb_labels
from empathysignals.audio import StreamingResampler
from empathysignals.prosody.turns import utterance_prosody
from empathysignals.simulate import find_data_dir

TEST_SPEAKERS = {"09", "10", "11"}
OFFSETS = range(-8, 9, 2)


def file_data(row: dict, weights: np.ndarray) -> dict:
    x, sr = sf.read(row["path"], dtype="float32")
    audio, ref = cut_reference(row, x, sr)
    bands = band_db(StreamingResampler(sr, 8000).process(audio), weights)
    vad = es.voice_activity(audio, sr, roles=("speaker",))
    n = min(len(bands), len(vad.active))
    duration = len(audio) / sr
    labels = silb_labels(row["path"].parents[1], row)
    target = np.zeros(n)
    for k, (onset, syllable) in enumerate(labels[:-1]):
        if syllable in ("(", "."):
            continue
        if row["truncated_at_2s"] != "0" and onset >= duration - 0.05:
            continue  # past the cut (cut_reference counts syllables before it)
        f0 = round(onset * 100)
        f1 = min(max(round(min(labels[k + 1][0], duration) * 100), f0 + 1), n)
        if f0 < n:
            target[f0:f1] += 1.0 / (f1 - f0)
    level = bands[:n].mean(axis=1)
    rel = np.clip(bands[:n] - np.maximum.accumulate(level)[:, None], -50.0, 10.0)
    slope = np.zeros_like(rel)
    slope[2:-2] = (rel[4:] - rel[:-4]) / 4.0
    energy = vad.frames.energy_db[:n, 0]
    base = np.concatenate(
        [
            rel,
            slope,
            vad.active[:n, :1].astype(float),
            (energy - np.maximum.accumulate(energy))[:, None],
        ],
        axis=1,
    )
    padded = np.concatenate([np.repeat(base[:1], 8, 0), base, np.repeat(base[-1:], 8, 0)])
    feats = np.concatenate([padded[8 + o : 8 + o + n] for o in OFFSETS], axis=1)
    p = utterance_prosody(audio, sr)
    return {
        "row": row, "ref": ref, "feats": feats.astype(np.float32), "target": target,
        "active": vad.active[:n, 0], "rule": p,
    }  # fmt: skip


def scores(files: list[dict], counts: list[float]) -> str:
    ref = np.array([f["ref"]["syllables"] for f in files], float)
    c = np.array(counts)
    spans = []
    for f in files:
        idx = np.flatnonzero(f["active"])
        spans.append((idx[-1] + 1 - idx[0]) * 0.01)
    ref_rate = np.array([f["ref"]["syllables"] / f["ref"]["speech_s"] for f in files])
    r = np.corrcoef(c, ref)[0, 1]
    rate_r = np.corrcoef(c / np.array(spans), ref_rate)[0, 1]
    return f"count r {r:.3f}, MAE {np.mean(np.abs(c - ref)):.2f}; speech rate r {rate_r:.3f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=60)
    args = parser.parse_args()
    import torch

    torch.manual_seed(0)
    torch.set_num_threads(2)
    weights = _mel_weights()
    rows = load_corpus(find_data_dir(), "emodb", False)
    data = [file_data(r, weights) for r in rows]
    data = [d for d in data if d["active"].any() and d["rule"]["speech_s"]]
    tune = [d for d in data if d["row"]["speaker"] in TUNE_SPEAKERS]
    x = np.concatenate([d["feats"] for d in tune])
    y = np.concatenate([d["target"] for d in tune]).astype(np.float32)
    mu, sd = x.mean(0), x.std(0) + 1e-6
    model = torch.nn.Sequential(
        torch.nn.Linear(x.shape[1], args.hidden), torch.nn.ReLU(), torch.nn.Linear(args.hidden, 1)
    )
    opt = torch.optim.Adam(model.parameters(), 1e-3, weight_decay=1e-4)
    xt, yt = torch.from_numpy((x - mu) / sd), torch.from_numpy(y)
    for _ in range(args.epochs):
        perm = torch.randperm(len(xt))
        for i in range(0, len(xt), 256):
            j = perm[i : i + 256]
            loss = ((model(xt[j])[:, 0] - yt[j]) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        for d in data:
            out = model(torch.from_numpy((d["feats"] - mu) / sd))[:, 0].numpy()
            d["learned"] = float(np.clip(out, 0.0, None)[d["active"]].sum())
    for split, speakers in (("tune", TUNE_SPEAKERS), ("test", TEST_SPEAKERS)):
        for files in ("complete", "all"):
            sel = [
                d for d in data
                if d["row"]["speaker"] in speakers
                and (files == "all" or d["row"]["truncated_at_2s"] == "0")
            ]  # fmt: skip
            print(f"{split}, {files} files (n={len(sel)})")
            print("  shipped rule:", scores(sel, [d["rule"]["syllables"] for d in sel]))
            print("  learned:     ", scores(sel, [d["learned"] for d in sel]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
