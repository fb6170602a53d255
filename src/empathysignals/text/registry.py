"""Description records of the models this library knows, and the loader of the bundled one."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ModelError
from .model import EmotionModel
from .taxonomy import GOEMOTIONS_LABELS

__all__ = ["DEFAULT_EMOTION_MODEL", "KNOWN_MODELS", "ModelInfo", "load_emotion_model", "model_info"]

_MODELS_DIR = Path(__file__).resolve().parent.parent / "models"

#: Name of the model :func:`load_emotion_model` loads by default.
DEFAULT_EMOTION_MODEL = "goemotions-minilm-l6"


@dataclass(frozen=True)
class ModelInfo:
    """What a model is, where it came from, and how well it does.

    ``metrics`` are read from the ``model_card.json`` that ``benchmarks/bench_emotion.py``
    writes beside the model (test-split figures measured once); empty when absent.
    """

    name: str
    description: str
    labels: tuple[str, ...]
    problem_type: str
    license: str
    source: str
    files: tuple[str, ...]
    path: Path
    metrics: Mapping[str, Any] = field(default_factory=dict)

    @property
    def size_bytes(self) -> int:
        return sum((self.path / f).stat().st_size for f in self.files if (self.path / f).is_file())


_RECORDS: dict[str, dict[str, Any]] = {
    DEFAULT_EMOTION_MODEL: {
        "description": "all-MiniLM-L6-v2 fine-tuned on GoEmotions (28 labels, multi-label), "
        "int8 per-channel ONNX; thresholds tuned on GoEmotions dev",
        "labels": GOEMOTIONS_LABELS,
        "problem_type": "multi_label_classification",
        "license": "Apache-2.0 (encoder: sentence-transformers/all-MiniLM-L6-v2, Apache-2.0; "
        "data: GoEmotions, CC BY 4.0)",
        "source": "trained here by training/train_emotion.py (see training.json)",
        "files": ("model.onnx", "tokenizer.json", "config.json", "thresholds.json"),
    },
}

#: Names of the models shipped in the package.
KNOWN_MODELS: tuple[str, ...] = tuple(_RECORDS)


def model_info(name: str = DEFAULT_EMOTION_MODEL) -> ModelInfo:
    """The description record of a bundled model."""
    record = _RECORDS.get(name)
    if record is None:
        raise ModelError(f"unknown model {name!r}; known: {list(KNOWN_MODELS)}")
    path = _MODELS_DIR / name
    card = path / "model_card.json"
    metrics = (
        json.loads(card.read_text(encoding="utf-8")).get("metrics", {}) if card.is_file() else {}
    )
    return ModelInfo(name=name, path=path, metrics=metrics, **record)


def load_emotion_model(
    name: str = DEFAULT_EMOTION_MODEL, *, threads: int = 1, max_length: int | None = None
) -> EmotionModel:
    """Load a bundled emotion model from the installed package (no network).

    Parameters
    ----------
    name : str
        One of :data:`KNOWN_MODELS`. To load your own exported model, use
        ``EmotionModel(path)``.
    threads : int, default 1
        onnxruntime intra-op threads.
    max_length : int, optional
        Tokens per text; defaults to the model's ``config.json``.

    Returns
    -------
    EmotionModel
        Its onnxruntime session is created on first use (or by ``.load()``).
    """
    info = model_info(name)
    return EmotionModel(info.path, threads=threads, max_length=max_length, name=name)
