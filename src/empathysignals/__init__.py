"""empathysignals: streaming turn-taking signals from contact-center call audio.

Importing the package is cheap: numba kernels compile (or load from cache) on first use,
no ONNX session is created, and no global state or environment is touched.
"""

from .analyzer import Analyzer, CallStream, analyze, analyze_file, warmup
from .audio import (
    decode_alaw,
    decode_mulaw,
    decode_pcm16,
    encode_alaw,
    encode_mulaw,
    load_audio,
)
from .config import TurnTakingConfig, VadConfig
from .detectors.base import Detector, DetectorContext
from .detectors.frames import FrameBlock
from .detectors.turn_taking import TurnTakingDetector, turn_taking
from .detectors.voice_activity import VoiceActivityResult, VoiceActivityStream, voice_activity
from .errors import AudioError, EmpathySignalsError, ModelError, ParameterError, StreamStateError
from .events import (
    SCHEMA_VERSION,
    BackchannelEvent,
    DeadAirEvent,
    Event,
    GapEvent,
    HoldEvent,
    InterruptionEvent,
    PauseEvent,
    SummaryEvent,
    TurnEvent,
    event_from_dict,
)
from .segmentation import Segmentation, read_rttm

__version__ = "0.1.0"

__all__ = [
    "SCHEMA_VERSION",
    "Analyzer",
    "AudioError",
    "BackchannelEvent",
    "CallStream",
    "DeadAirEvent",
    "Detector",
    "DetectorContext",
    "EmpathySignalsError",
    "Event",
    "FrameBlock",
    "GapEvent",
    "HoldEvent",
    "InterruptionEvent",
    "ModelError",
    "ParameterError",
    "PauseEvent",
    "Segmentation",
    "StreamStateError",
    "SummaryEvent",
    "TurnEvent",
    "TurnTakingConfig",
    "TurnTakingDetector",
    "VadConfig",
    "VoiceActivityResult",
    "VoiceActivityStream",
    "__version__",
    "analyze",
    "analyze_file",
    "decode_alaw",
    "decode_mulaw",
    "decode_pcm16",
    "encode_alaw",
    "encode_mulaw",
    "event_from_dict",
    "load_audio",
    "read_rttm",
    "turn_taking",
    "voice_activity",
    "warmup",
]
