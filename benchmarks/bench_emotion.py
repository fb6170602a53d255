"""Text emotion benchmark: GoEmotions test accuracy, calibration, speed, load time, memory.

The bundled model (static int8) and the fp32 export it was quantized from are measured side
by side in one run. The test split is read only here, after training and threshold tuning
(on train and dev) were final. Published reference figures are printed beside ours, marked
as published (no internet here to run those models).

    python benchmarks/bench_emotion.py --fp32 build/emotion-model/model.fp32.onnx \\
        --write-card          # writes results/emotion.json and the model's model_card.json
    python benchmarks/bench_emotion.py --quick   # 500 test texts, fewer timing repeats

Speed figures are medians of ``--repeats`` runs on the first 512 test texts (short Reddit
comments, median 19 tokens); "1 thread" means one onnxruntime intra-op thread.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import empathysignals as es
from _report import table
from empathysignals.simulate import find_data_dir
from empathysignals.text import EKMAN, GOEMOTIONS_LABELS, SENTIMENT, EmotionModel

RESULTS = Path(__file__).resolve().parent / "results"

PUBLISHED = [
    ("BERT-base (GoEmotions paper, Demszky et al. 2020)", 0.46, 0.64, 0.69),
    ("roberta-base-go_emotions (SamLowe, threshold 0.5)", 0.45, None, None),
]


def read_split(path: Path) -> tuple[list[str], np.ndarray]:
    texts, rows = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        text, ids, _ = line.split("\t")
        texts.append(text)
        rows.append([int(i) for i in ids.split(",")])
    y = np.zeros((len(texts), 28), dtype=bool)
    for i, ids in enumerate(rows):
        y[i, ids] = True
    return texts, y


def f1(pred: np.ndarray, y: np.ndarray) -> np.ndarray:
    tp = (pred & y).sum(0)
    fp = (pred & ~y).sum(0)
    fn = (~pred & y).sum(0)
    denom = 2 * tp + fp + fn
    return np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)


def grouped_truth(y: np.ndarray, groups: dict[str, tuple[str, ...]]) -> np.ndarray:
    index = {label: i for i, label in enumerate(GOEMOTIONS_LABELS)}
    return np.stack([y[:, [index[m] for m in ms]].any(axis=1) for ms in groups.values()], axis=1)


def ece(probs: np.ndarray, y: np.ndarray, bins: int = 15) -> float:
    """Expected calibration error over every (text, label) probability, 15 equal bins."""
    p, t = probs.ravel(), y.ravel().astype(float)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        sel = which == b
        if sel.any():
            total += sel.mean() * abs(p[sel].mean() - t[sel].mean())
    return float(total)


def accuracy(model: EmotionModel, texts: list[str], y: np.ndarray) -> dict[str, Any]:
    base = model.predict(texts, batch_size=64)
    per_label = f1(base.decisions, y)
    out: dict[str, Any] = {
        "macro_f1": float(per_label.mean()),
        "macro_f1_at_0.5": float(f1(base.probs >= 0.5, y).mean()),
        "micro_f1": float(
            2
            * (base.decisions & y).sum()
            / max(1, 2 * (base.decisions & y).sum() + (base.decisions ^ y).sum())
        ),
        "per_label_f1": {label: float(v) for label, v in zip(base.labels, per_label, strict=True)},
        "ece": ece(base.probs, y),
    }
    for name, groups in (("ekman", EKMAN), ("sentiment", SENTIMENT)):
        grouped = model.group(base, taxonomy=name)
        out[f"{name}_macro_f1"] = float(f1(grouped.decisions, grouped_truth(y, groups)).mean())
    return out


def throughput(model: EmotionModel, texts: list[str], batch: int, repeats: int) -> float:
    model.predict(texts[:batch], batch_size=batch)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        model.predict(texts, batch_size=batch)
        times.append(time.perf_counter() - t0)
    return len(texts) / statistics.median(times)


def latency_ms(model: EmotionModel, texts: list[str]) -> float:
    for t in texts[:10]:
        model.predict([t])
    times = []
    for t in texts[:200]:
        t0 = time.perf_counter()
        model.predict([t])
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


LOAD_SNIPPET = """
import time, json, resource
t0 = time.perf_counter()
import empathysignals as es
t1 = time.perf_counter()
m = es.load_emotion_model() if {path!r} == "" else es.EmotionModel({path!r})
m.predict(["warm up"])
t2 = time.perf_counter()
m.predict(["hello"] * 32)
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"import_s": t1 - t0, "load_and_first_predict_s": t2 - t1, "peak_rss_mb": rss}}))
"""


def load_stats(path: str, repeats: int) -> dict[str, float]:
    runs = []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", LOAD_SNIPPET.format(path=path)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        runs.append(json.loads(out.stdout))
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def fp32_dir(fp32: Path, bundled: Path, tmp: Path) -> Path:
    """The fp32 export beside the bundled tokenizer, config and thresholds (re-tuned
    thresholds are not needed: the comparison is at the shipped ones)."""
    d = tmp / "fp32"
    d.mkdir()
    for name in ("tokenizer.json", "config.json", "thresholds.json"):
        shutil.copy(bundled / name, d / name)
    os.symlink(fp32.resolve(), d / "model.onnx")
    return d


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fp32", type=Path, help="the fp32 ONNX export (not shipped)")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--write-card", action="store_true", help="update model_card.json")
    args = parser.parse_args()
    repeats = 2 if args.quick else args.repeats

    data = find_data_dir() / "goemotions"
    texts, y = read_split(data / "test.tsv")
    if args.quick:
        texts, y = texts[:500], y[:500]
    info = es.model_info()
    variants: dict[str, Path] = {"int8 (shipped)": info.path}
    tmp = Path(tempfile.mkdtemp())
    if args.fp32 is not None:
        variants["fp32"] = fp32_dir(args.fp32, info.path, tmp)

    results: dict[str, Any] = {"model": info.name, "n_test": len(texts), "variants": {}}
    speed_texts = texts[:512]
    for name, path in variants.items():
        print(f"measuring {name} ...", flush=True)
        row: dict[str, Any] = {"accuracy": accuracy(EmotionModel(path), texts, y)}
        speed: dict[str, float] = {}
        for threads in (1, 2):
            model = EmotionModel(path, threads=threads).load()
            for batch in (1, 32):
                speed[f"texts_per_s_{threads}t_b{batch}"] = throughput(
                    model, speed_texts, batch, repeats
                )
        speed["latency_ms_1t"] = latency_ms(EmotionModel(path, threads=1).load(), speed_texts)
        row["speed"] = speed
        row["load"] = load_stats("" if name.startswith("int8") else str(path), 3)
        row["size_mb"] = (path / "model.onnx").resolve().stat().st_size / 2**20
        results["variants"][name] = row
    shutil.rmtree(tmp, ignore_errors=True)

    headers = ["model", "macro-F1 (28)", "@0.5", "Ekman", "sentiment", "ECE"]
    rows = []
    for name, row in results["variants"].items():
        a = row["accuracy"]
        rows.append([
            name, a["macro_f1"], a["macro_f1_at_0.5"], a["ekman_macro_f1"],
            a["sentiment_macro_f1"], a["ece"],
        ])  # fmt: skip
    for name, macro, ekman, sentiment in PUBLISHED:
        rows.append([f"published: {name}", macro, None, ekman, sentiment, None])
    print(f"\nGoEmotions test ({len(texts)} texts), at the shipped thresholds\n")
    print(table(headers, rows))

    headers = [
        "model",
        "MB",
        "1t b1",
        "1t b32",
        "2t b1",
        "2t b32",
        "latency ms",
        "load s",
        "RSS MB",
    ]
    rows = []
    for name, row in results["variants"].items():
        s, ld = row["speed"], row["load"]
        rows.append([
            name, row["size_mb"], s["texts_per_s_1t_b1"], s["texts_per_s_1t_b32"],
            s["texts_per_s_2t_b1"], s["texts_per_s_2t_b32"], s["latency_ms_1t"],
            ld["load_and_first_predict_s"], ld["peak_rss_mb"],
        ])  # fmt: skip
    print("\nSpeed (texts/s, median of runs; t = onnxruntime threads, b = batch size)\n")
    print(table(headers, rows, digits=1))
    if "fp32" in results["variants"]:
        q, f = results["variants"]["int8 (shipped)"], results["variants"]["fp32"]
        results["int8_vs_fp32"] = {
            "macro_f1_delta": q["accuracy"]["macro_f1"] - f["accuracy"]["macro_f1"],
            "throughput_ratio_1t_b32": q["speed"]["texts_per_s_1t_b32"]
            / f["speed"]["texts_per_s_1t_b32"],
            "latency_ratio": f["speed"]["latency_ms_1t"] / q["speed"]["latency_ms_1t"],
        }
        print("\nint8 vs fp32:", json.dumps(results["int8_vs_fp32"], indent=1))
    per_label = results["variants"]["int8 (shipped)"]["accuracy"]["per_label_f1"]
    print("\nPer-label F1 (int8, shipped thresholds)\n")
    print(table(["label", "F1"], [[k, v] for k, v in per_label.items()]))

    results["command"] = " ".join(["python", *sys.argv])
    if not args.quick:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "emotion.json").write_text(json.dumps(results, indent=1) + "\n")
    if args.write_card and not args.quick:
        q = results["variants"]["int8 (shipped)"]
        card = {
            "name": info.name,
            "metrics": {
                "goemotions_test_macro_f1": round(q["accuracy"]["macro_f1"], 4),
                "goemotions_test_ekman_macro_f1": round(q["accuracy"]["ekman_macro_f1"], 4),
                "goemotions_test_sentiment_macro_f1": round(q["accuracy"]["sentiment_macro_f1"], 4),
                "goemotions_test_ece": round(q["accuracy"]["ece"], 4),
            },
            "measured_by": results["command"],
        }
        (info.path / "model_card.json").write_text(json.dumps(card, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
