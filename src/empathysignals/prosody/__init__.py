"""Prosody: pitch (F0) tracking, intensity, voice quality, speaking rate and per-turn
prosody. Kernels compile on first use."""

from .frames import FrameFeatures, frame_features
from .pitch import PitchStream, PitchTrack, pitch
from .turns import utterance_prosody
from .voice import (
    IntensityTrack,
    PitchStats,
    SpeakingRate,
    VoiceQuality,
    intensity,
    pitch_stats,
    speaking_rate,
    voice_quality,
)

__all__ = [
    "FrameFeatures",
    "IntensityTrack",
    "PitchStats",
    "PitchStream",
    "PitchTrack",
    "SpeakingRate",
    "VoiceQuality",
    "frame_features",
    "intensity",
    "pitch",
    "pitch_stats",
    "speaking_rate",
    "utterance_prosody",
    "voice_quality",
]
