"""One exception hierarchy: every error the library raises on purpose derives from
:class:`EmpathySignalsError`, and each message says how to fix the problem."""

from __future__ import annotations

__all__ = [
    "AudioError",
    "EmpathySignalsError",
    "MissingDependencyError",
    "ModelError",
    "ParameterError",
    "StreamStateError",
]


class EmpathySignalsError(Exception):
    """Base class of every error raised by empathysignals."""


class ParameterError(EmpathySignalsError, ValueError):
    """An argument or configuration value is invalid (wrong type, range or shape)."""


class AudioError(EmpathySignalsError, ValueError):
    """Audio could not be read or is unusable (empty, truncated, non-finite, bad rate)."""


class MissingDependencyError(EmpathySignalsError, ImportError):
    """An optional package a feature needs is not installed (the message names the extra or
    package to install)."""


class ModelError(EmpathySignalsError):
    """A model file is missing, malformed, or inconsistent with its description."""


class StreamStateError(EmpathySignalsError, RuntimeError):
    """A stream method was called in the wrong state (e.g. ``push`` after ``finish``)."""
