"""empathysignals: streaming turn-taking signals from contact-center call audio.

Importing the package is cheap: numba kernels compile (or load from cache) on first use,
onnxruntime and tokenizers are imported when a model is first used, no ONNX session is
created, and no global state or environment is touched.
"""

from .analyzer import Analyzer, CallStream, analyze, analyze_file, analyze_transcript, warmup
from .audio import (
    decode_alaw,
    decode_mulaw,
    decode_pcm16,
    encode_alaw,
    encode_mulaw,
    load_audio,
)
from .config import AlertConfig, TranscriptConfig, TurnTakingConfig, VadConfig
from .detectors.base import Detector, DetectorContext
from .detectors.frames import FrameBlock
from .detectors.turn_taking import TurnTakingDetector, turn_taking
from .detectors.voice_activity import VoiceActivityResult, VoiceActivityStream, voice_activity
from .errors import (
    AudioError,
    EmpathySignalsError,
    MissingDependencyError,
    ModelError,
    ParameterError,
    StreamStateError,
)
from .events import (
    SCHEMA_VERSION,
    AlertEvent,
    BackchannelEvent,
    DeadAirEvent,
    Event,
    GapEvent,
    HoldEvent,
    InterruptionEvent,
    KeyedDigitsEvent,
    PauseEvent,
    SummaryEvent,
    TurnEvent,
    event_from_dict,
)
from .prosody import PitchStream, PitchTrack, pitch
from .segmentation import Segmentation, read_rttm
from .text.model import EmotionModel, EmotionPrediction
from .text.registry import KNOWN_MODELS, ModelInfo, load_emotion_model, model_info
from .text.transcript import TranscriptSegment, read_transcript

__version__ = "0.1.0"

__all__ = [
    "KNOWN_MODELS",
    "SCHEMA_VERSION",
    "AlertConfig",
    "AlertEvent",
    "Analyzer",
    "AudioError",
    "BackchannelEvent",
    "CallStream",
    "DeadAirEvent",
    "Detector",
    "DetectorContext",
    "EmotionModel",
    "EmotionPrediction",
    "EmpathySignalsError",
    "Event",
    "FrameBlock",
    "GapEvent",
    "HoldEvent",
    "InterruptionEvent",
    "KeyedDigitsEvent",
    "MissingDependencyError",
    "ModelError",
    "ModelInfo",
    "ParameterError",
    "PauseEvent",
    "PitchStream",
    "PitchTrack",
    "Segmentation",
    "StreamStateError",
    "SummaryEvent",
    "TranscriptConfig",
    "TranscriptSegment",
    "TurnEvent",
    "TurnTakingConfig",
    "TurnTakingDetector",
    "VadConfig",
    "VoiceActivityResult",
    "VoiceActivityStream",
    "__version__",
    "analyze",
    "analyze_file",
    "analyze_transcript",
    "decode_alaw",
    "decode_mulaw",
    "decode_pcm16",
    "encode_alaw",
    "encode_mulaw",
    "event_from_dict",
    "load_audio",
    "load_emotion_model",
    "model_info",
    "pitch",
    "read_rttm",
    "read_transcript",
    "turn_taking",
    "voice_activity",
    "warmup",
]
