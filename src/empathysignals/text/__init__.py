"""Text emotion: ONNX classifiers, the GoEmotions taxonomies, and transcripts."""

from .model import DEFAULT_MAX_LENGTH, EmotionModel, EmotionPrediction
from .registry import DEFAULT_EMOTION_MODEL, KNOWN_MODELS, ModelInfo, load_emotion_model, model_info
from .taxonomy import EKMAN, GOEMOTIONS_LABELS, SENTIMENT, TAXONOMIES

__all__ = [
    "DEFAULT_EMOTION_MODEL",
    "DEFAULT_MAX_LENGTH",
    "EKMAN",
    "GOEMOTIONS_LABELS",
    "KNOWN_MODELS",
    "SENTIMENT",
    "TAXONOMIES",
    "EmotionModel",
    "EmotionPrediction",
    "ModelInfo",
    "load_emotion_model",
    "model_info",
]
