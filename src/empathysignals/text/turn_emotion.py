"""The ``emotion`` field of turn events, from any :class:`EmotionModel`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .model import EmotionModel
from .taxonomy import GOEMOTIONS_LABELS, SENTIMENT

__all__ = ["turn_emotions"]

_TOP_K = 3


def _r(x: float) -> float:
    return round(float(x), 4)


def turn_emotions(model: EmotionModel, texts: Sequence[str]) -> list[dict[str, Any] | None]:
    """One ``emotion`` mapping per text (``None`` for empty text), scored in one batch."""
    out: list[dict[str, Any] | None] = [None] * len(texts)
    rows = [i for i, t in enumerate(texts) if t.strip()]
    if not rows:
        return out
    batch = [texts[i] for i in rows]
    pred = model.predict(batch)
    grouped = (
        model.group(pred, taxonomy="sentiment")
        if not set(GOEMOTIONS_LABELS) - set(model.labels)
        else None
    )
    predicted = pred.predicted()
    for k, i in enumerate(rows):
        probs = pred.probs[k]
        top = sorted(range(len(pred.labels)), key=lambda j: -probs[j])[:_TOP_K]
        record: dict[str, Any] = {
            "model": model.name,
            "top": [[pred.labels[j], _r(probs[j])] for j in top],
            "predicted": predicted[k],
            "valence": None if pred.valence is None else _r(pred.valence[k]),
        }
        if grouped is not None:
            record["sentiment"] = {
                g: _r(p) for g, p in zip(SENTIMENT, grouped.probs[k], strict=True)
            }
        out[i] = record
    return out
