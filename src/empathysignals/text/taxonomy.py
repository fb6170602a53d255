"""Emotion label sets and the groupings of the GoEmotions paper.

Demszky et al. (2020), "GoEmotions: A Dataset of Fine-Grained Emotions", ACL: 27 emotions
plus neutral; section 5 groups them into Ekman's six basic emotions (+ neutral) and into
sentiment (positive, negative, ambiguous, neutral). The Ekman table is the paper's
``ekman_mapping.json``; the sentiment table its ``sentiment_mapping.json``.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = [
    "EKMAN",
    "GOEMOTIONS_LABELS",
    "SENTIMENT",
    "TAXONOMIES",
    "VALENCE_BY_LABEL",
]

GOEMOTIONS_LABELS: tuple[str, ...] = (
    "admiration", "amusement", "anger", "annoyance", "approval", "caring", "confusion",
    "curiosity", "desire", "disappointment", "disapproval", "disgust", "embarrassment",
    "excitement", "fear", "gratitude", "grief", "joy", "love", "nervousness", "optimism",
    "pride", "realization", "relief", "remorse", "sadness", "surprise", "neutral",
)  # fmt: skip

EKMAN: Mapping[str, tuple[str, ...]] = {
    "anger": ("anger", "annoyance", "disapproval"),
    "disgust": ("disgust",),
    "fear": ("fear", "nervousness"),
    "joy": (
        "joy", "amusement", "approval", "excitement", "gratitude", "love", "optimism",
        "relief", "pride", "admiration", "desire", "caring",
    ),
    "sadness": ("sadness", "disappointment", "embarrassment", "grief", "remorse"),
    "surprise": ("surprise", "realization", "confusion", "curiosity"),
    "neutral": ("neutral",),
}  # fmt: skip

SENTIMENT: Mapping[str, tuple[str, ...]] = {
    "positive": (
        "amusement", "excitement", "joy", "love", "desire", "optimism", "caring", "pride",
        "admiration", "gratitude", "relief", "approval",
    ),
    "negative": (
        "fear", "nervousness", "remorse", "embarrassment", "disappointment", "sadness",
        "grief", "disgust", "anger", "annoyance", "disapproval",
    ),
    "ambiguous": ("realization", "surprise", "curiosity", "confusion"),
    "neutral": ("neutral",),
}  # fmt: skip

#: Grouped taxonomies, each a mapping group -> member GoEmotions labels.
TAXONOMIES: Mapping[str, Mapping[str, tuple[str, ...]]] = {"ekman": EKMAN, "sentiment": SENTIMENT}

#: Sign of each label for the valence estimate: +1 positive, -1 negative, 0 otherwise.
#: GoEmotions labels follow the paper's sentiment grouping; common labels of other
#: emotion and sentiment models are included so foreign models get a valence too.
VALENCE_BY_LABEL: Mapping[str, float] = {
    **{label: 1.0 for label in SENTIMENT["positive"]},
    **{label: -1.0 for label in SENTIMENT["negative"]},
    **{label: 0.0 for label in (*SENTIMENT["ambiguous"], "neutral")},
    "positive": 1.0, "negative": -1.0, "happiness": 1.0, "happy": 1.0, "sad": -1.0,
    "angry": -1.0, "disgusted": -1.0, "fearful": -1.0, "surprised": 0.0, "others": 0.0,
}  # fmt: skip
