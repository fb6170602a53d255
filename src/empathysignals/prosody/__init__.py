"""Prosody: pitch (F0) tracking, batch and streaming. Kernels compile on first use."""

from .pitch import PitchStream, PitchTrack, pitch

__all__ = ["PitchStream", "PitchTrack", "pitch"]
