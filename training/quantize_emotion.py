"""Quantize the exported fp32 emotion model and tune its decision thresholds on dev.

``train_emotion.py`` writes ``model.fp32.onnx`` and a dynamically quantized ``model.onnx``.
Dynamic quantization picks activation scales per run, over the whole batch, so a text's
scores shift with the other texts in its batch (we measured up to 0.014 in probability).
The Analyzer batches turns across calls, so this script offers static quantization:
activation scales calibrated once on training texts, making each text's scores
independent of its batch. It reports dev macro-F1 of fp32, dynamic and static int8, and
writes the chosen variant as ``model.onnx`` with its thresholds (label and grouped).

Run::

    /tmp/train/bin/python training/quantize_emotion.py --model-dir build/emotion-model \\
        --mode static
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_emotion import LABELS, f1_per_label, pad, read_split, sha256, tune_thresholds

TAXONOMIES = {
    "ekman": {
        "anger": ["anger", "annoyance", "disapproval"],
        "disgust": ["disgust"],
        "fear": ["fear", "nervousness"],
        "joy": [
            "joy",
            "amusement",
            "approval",
            "excitement",
            "gratitude",
            "love",
            "optimism",
            "relief",
            "pride",
            "admiration",
            "desire",
            "caring",
        ],
        "sadness": ["sadness", "disappointment", "embarrassment", "grief", "remorse"],
        "surprise": ["surprise", "realization", "confusion", "curiosity"],
        "neutral": ["neutral"],
    },
    "sentiment": {
        "positive": [
            "amusement",
            "excitement",
            "joy",
            "love",
            "desire",
            "optimism",
            "caring",
            "pride",
            "admiration",
            "gratitude",
            "relief",
            "approval",
        ],
        "negative": [
            "fear",
            "nervousness",
            "remorse",
            "embarrassment",
            "disappointment",
            "sadness",
            "grief",
            "disgust",
            "anger",
            "annoyance",
            "disapproval",
        ],
        "ambiguous": ["realization", "surprise", "curiosity", "confusion"],
        "neutral": ["neutral"],
    },
}


def group(probs: np.ndarray, targets: np.ndarray, taxonomy: str) -> tuple[np.ndarray, np.ndarray]:
    index = {label: i for i, label in enumerate(LABELS)}
    members = [[index[m] for m in ms] for ms in TAXONOMIES[taxonomy].values()]
    gp = np.stack([probs[:, m].max(axis=1) for m in members], axis=1)
    gt = np.stack([targets[:, m].max(axis=1) for m in members], axis=1)
    return gp, gt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared/data/goemotions"
    )
    parser.add_argument("--model-dir", type=Path, required=True)
    parser.add_argument("--mode", choices=("static", "dynamic"), default="static")
    parser.add_argument("--calibration-texts", type=int, default=512)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()

    import onnxruntime as ort
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_dynamic,
        quantize_static,
    )
    from tokenizers import Tokenizer

    out = args.model_dir
    config = json.loads((out / "config.json").read_text())
    tokenizer = Tokenizer.from_file(str(out / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=config["max_length"])
    tokenizer.no_padding()
    train_texts, _ = read_split(args.data / "train.tsv")
    dev_texts, dev_y = read_split(args.data / "dev.tsv")
    dev_ids = [e.ids for e in tokenizer.encode_batch(dev_texts)]
    rng = np.random.default_rng(args.seed)
    calib = [
        train_texts[i] for i in rng.choice(len(train_texts), args.calibration_texts, replace=False)
    ]
    calib_ids = [e.ids for e in tokenizer.encode_batch(calib)]

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            # One fixed shape: the histogram calibrators stack batches.
            width = config["max_length"]
            batches = []
            for i in range(0, len(calib_ids), 16):
                ids = np.zeros((16, width), dtype=np.int64)
                mask = np.zeros((16, width), dtype=np.int64)
                for r, row in enumerate(calib_ids[i : i + 16]):
                    ids[r, : len(row)], mask[r, : len(row)] = row, 1
                batches.append((ids, mask))
            self.batches = iter(batches)

        def get_next(self):  # type: ignore[no-untyped-def]
            batch = next(self.batches, None)
            return None if batch is None else {"input_ids": batch[0], "attention_mask": batch[1]}

    fp32 = out / "model.fp32.onnx"
    variants = {"dynamic": out / "model.dynamic.onnx", "static": out / "model.static.onnx"}
    quantize_dynamic(
        str(fp32), str(variants["dynamic"]), weight_type=QuantType.QInt8, per_channel=True
    )
    prepped = out / "model.fp32.prep.onnx"
    from onnxruntime.quantization.shape_inference import quant_pre_process

    quant_pre_process(str(fp32), str(prepped), skip_symbolic_shape=True)
    quantize_static(
        str(prepped),
        str(variants["static"]),
        Reader(),
        quant_format=QuantFormat.QDQ,
        per_channel=True,
        activation_type=QuantType.QUInt8,
        weight_type=QuantType.QInt8,
        op_types_to_quantize=["MatMul", "Gather"],
        calibrate_method=CalibrationMethod.Percentile,
        extra_options={"CalibPercentile": 99.99, "ActivationSymmetric": False},
    )

    def probs_of(path: Path, ids_list: list[list[int]], batch: int = 64) -> np.ndarray:
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        res = np.zeros((len(ids_list), len(LABELS)))
        order = sorted(range(len(ids_list)), key=lambda i: len(ids_list[i]))
        for s in range(0, len(order), batch):
            idx = order[s : s + batch]
            a, m = pad([ids_list[i] for i in idx])
            res[idx] = 1 / (
                1 + np.exp(-session.run(None, {"input_ids": a, "attention_mask": m})[0])
            )
        return res

    report = {}
    probs = {"fp32": probs_of(fp32, dev_ids)}
    for name, path in variants.items():
        probs[name] = probs_of(path, dev_ids)
    for name, p in probs.items():
        th = tune_thresholds(p, dev_y)
        report[name] = {"dev_macro_f1": float(f1_per_label(p, dev_y, th).mean())}
        # Batch invariance: the first 256 dev texts scored one at a time vs in batches of 64.
        solo = probs_of(fp32 if name == "fp32" else variants[name], dev_ids[:256], batch=1)
        batched = probs_of(fp32 if name == "fp32" else variants[name], dev_ids[:256])
        report[name]["max_batch_shift"] = float(np.abs(solo - batched).max())
    print(json.dumps(report, indent=1))

    chosen = probs[args.mode]
    label_thresholds = map(float, tune_thresholds(chosen, dev_y))
    thresholds = {"labels": dict(zip(LABELS, label_thresholds, strict=True))}
    for taxonomy in TAXONOMIES:
        gp, gt = group(chosen, dev_y, taxonomy)
        group_thresholds = map(float, tune_thresholds(gp, gt))
        thresholds[taxonomy] = dict(zip(TAXONOMIES[taxonomy], group_thresholds, strict=True))
        report[args.mode][f"dev_{taxonomy}_macro_f1"] = float(
            f1_per_label(gp, gt, np.array(list(thresholds[taxonomy].values()))).mean()
        )
    shutil.copy(variants[args.mode], out / "model.onnx")
    (out / "thresholds.json").write_text(json.dumps(thresholds, indent=2) + "\n")
    record = json.loads((out / "training.json").read_text())
    record["quantization"] = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "mode": args.mode,
        "static": "QDQ, per-channel int8 weights, uint8 activations, percentile 99.99 "
        f"calibration on {args.calibration_texts} train texts (seed {args.seed})",
        "dev": report,
    }
    record["model_sha256"] = sha256(out / "model.onnx")
    (out / "training.json").write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
