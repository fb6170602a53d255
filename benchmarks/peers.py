"""Peer voice-activity detectors on the same 10 ms frame grid as empathysignals.

* **webrtcvad** (``webrtcvad-wheels``): aggressiveness modes 0-3, fed 10 ms int16 frames at
  the audio's own rate (8 kHz for telephone calls, 16 kHz for AMI; both native webrtcvad
  rates). Frame ``i`` = samples ``[i * hop, (i + 1) * hop)``; a trailing partial frame is
  zero-padded.
* **silero-vad v5** through onnxruntime directly on the packaged ONNX file (``torch`` is not
  needed). This replicates ``silero_vad.utils_vad.OnnxWrapper``: windows of 256 samples at
  8 kHz (512 at 16 kHz), each prefixed with the last 32 (64) samples of the previous window's
  input (zeros before the first), recurrent state of shape (2, 1, 128) starting at zero,
  ``sr`` as an int64 scalar, a trailing partial window zero-padded (as ``audio_forward``
  does). The session uses ``intra_op_num_threads = inter_op_num_threads = 1`` like the
  wrapper. A window is speech when its probability is >= ``threshold`` (0.5); each 10 ms
  frame takes the decision of the window containing the frame's midpoint (a 32 ms window
  covers 3.2 frames). No hysteresis or min-duration post-processing is applied: this is
  the raw per-window classifier.
* **silero-vad v5 with its own post-processing** (``silero-ts``): the same window
  probabilities through silero's ``get_speech_timestamps_from_probs`` at its defaults
  (threshold 0.5, exit threshold 0.35, 250 ms minimum speech, 100 ms minimum silence,
  30 ms padding), as its users run it. The function's own source is taken from the
  installed package (its module imports torch, which this benchmark does not need); a
  10 ms frame is speech when its midpoint lies in a returned segment.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "SILERO_ONNX",
    "SileroVad",
    "silero_frames",
    "timestamps_to_frames",
    "to_int16",
    "webrtcvad_frames",
]

HOP_S = 0.01


def _default_silero_path() -> Path:
    try:  # the installed package data, without importing silero_vad (it needs torch)
        import importlib.util

        spec = importlib.util.find_spec("silero_vad")
        if spec is not None and spec.submodule_search_locations:
            return Path(next(iter(spec.submodule_search_locations))) / "data" / "silero_vad.onnx"
    except (ImportError, ValueError):
        pass
    return Path("/work/venv/lib/python3.11/site-packages/silero_vad/data/silero_vad.onnx")


SILERO_ONNX = Path(os.environ.get("SILERO_VAD_ONNX", _default_silero_path()))


def to_int16(x: np.ndarray) -> np.ndarray:
    """float [-1, 1] (or int16) mono samples -> int16."""
    x = np.asarray(x)
    if x.dtype == np.int16:
        return x
    return np.clip(np.round(x.astype(np.float64) * 32767.0), -32768, 32767).astype(np.int16)


def to_float32(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x)
    if x.dtype == np.int16:
        return (x.astype(np.float32) / 32768.0).astype(np.float32)
    return x.astype(np.float32, copy=False)


def n_frames_of(n_samples: int, sample_rate: int) -> int:
    hop = round(sample_rate * HOP_S)
    return -(-n_samples // hop)


# --------------------------------------------------------------------------- webrtcvad
def webrtcvad_frames(x: np.ndarray, sample_rate: int, mode: int) -> np.ndarray:
    """Per-10 ms-frame speech decisions of webrtcvad (one mono leg)."""
    import webrtcvad

    if sample_rate not in (8000, 16000, 32000, 48000):
        raise ValueError(f"webrtcvad needs 8/16/32/48 kHz, got {sample_rate}")
    vad = webrtcvad.Vad(int(mode))
    pcm = to_int16(x)
    hop = sample_rate // 100
    n = n_frames_of(len(pcm), sample_rate)
    if n * hop > len(pcm):
        pcm = np.concatenate([pcm, np.zeros(n * hop - len(pcm), np.int16)])
    buf = pcm.tobytes()
    step = hop * 2
    is_speech = vad.is_speech
    return np.fromiter(
        (is_speech(buf[i * step : (i + 1) * step], sample_rate) for i in range(n)),
        dtype=bool,
        count=n,
    )


# --------------------------------------------------------------------------- silero
class SileroVad:
    """Minimal onnxruntime port of silero-vad v5's ``OnnxWrapper`` (batch size 1)."""

    def __init__(self, path: str | os.PathLike[str] = SILERO_ONNX) -> None:
        import onnxruntime

        opts = onnxruntime.SessionOptions()
        opts.inter_op_num_threads = 1
        opts.intra_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(
            str(path), sess_options=opts, providers=["CPUExecutionProvider"]
        )

    @staticmethod
    def window_size(sample_rate: int) -> tuple[int, int]:
        """(window samples, context samples) for a rate."""
        if sample_rate == 16000:
            return 512, 64
        if sample_rate == 8000:
            return 256, 32
        raise ValueError(f"silero-vad supports 8000 and 16000 Hz, got {sample_rate}")

    def probabilities(self, x: np.ndarray, sample_rate: int) -> np.ndarray:
        """Speech probability of each window of one mono leg (state reset at the start)."""
        win, ctx = self.window_size(sample_rate)
        x = to_float32(x)
        if len(x) % win:
            x = np.concatenate([x, np.zeros(win - len(x) % win, np.float32)])
        n_win = len(x) // win
        state = np.zeros((2, 1, 128), np.float32)
        context = np.zeros((1, ctx), np.float32)
        sr = np.array(sample_rate, dtype=np.int64)
        run = self.session.run
        out = np.empty(n_win, np.float32)
        frames = x.reshape(n_win, 1, win)
        for k in range(n_win):
            inp = np.concatenate([context, frames[k]], axis=1)
            prob, state = run(None, {"input": inp, "state": state, "sr": sr})
            out[k] = prob[0, 0]
            context = inp[:, -ctx:]
        return out

    def frames(self, x: np.ndarray, sample_rate: int, *, threshold: float = 0.5) -> np.ndarray:
        """Per-10 ms-frame decisions (window probability >= threshold, midpoint rule)."""
        probs = self.probabilities(x, sample_rate)
        return window_probs_to_frames(probs, len(x), sample_rate, threshold)


def window_probs_to_frames(
    probs: np.ndarray, n_samples: int, sample_rate: int, threshold: float = 0.5
) -> np.ndarray:
    win, _ = SileroVad.window_size(sample_rate)
    hop = sample_rate // 100
    n = n_frames_of(n_samples, sample_rate)
    mid = np.arange(n) * hop + hop // 2
    idx = np.minimum(mid // win, len(probs) - 1)
    return probs[idx] >= threshold


def _silero_postprocessing() -> Any:
    """silero's ``get_speech_timestamps_from_probs``, compiled from the installed package's
    source without running its module (which imports torch)."""
    import ast
    import typing
    import warnings

    source = (SILERO_ONNX.parent.parent / "utils_vad.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    node = next(
        n for n in tree.body
        if isinstance(n, ast.FunctionDef) and n.name == "get_speech_timestamps_from_probs"
    )  # fmt: skip
    namespace: dict[str, Any] = {"List": typing.List, "warnings": warnings}  # noqa: UP006
    exec(compile(ast.Module([node], []), "silero_vad/utils_vad.py", "exec"), namespace)
    return namespace["get_speech_timestamps_from_probs"]


def timestamps_to_frames(probs: np.ndarray, n_samples: int, sample_rate: int) -> np.ndarray:
    """Per-10 ms-frame decisions from silero's own segments (midpoint rule)."""
    segments = _silero_postprocessing()(
        [float(p) for p in probs], sampling_rate=sample_rate, audio_length_samples=n_samples
    )
    hop = sample_rate // 100
    mid = np.arange(n_frames_of(n_samples, sample_rate)) * hop + hop // 2
    out = np.zeros(len(mid), bool)
    for seg in segments:
        out |= (mid >= seg["start"]) & (mid < seg["end"])
    return out


def silero_frames(
    x: np.ndarray, sample_rate: int, *, threshold: float = 0.5, vad: SileroVad | None = None
) -> np.ndarray:
    return (vad or SileroVad()).frames(x, sample_rate, threshold=threshold)
