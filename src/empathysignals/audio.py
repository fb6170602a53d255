"""Audio in: decoding (files, G.711 mu-law/A-law, PCM16 bytes), validation, streaming
resampling to the analysis rate, and channel-to-role mapping."""

from __future__ import annotations

import math
import os
import struct
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .errors import AudioError, ParameterError

__all__ = [
    "MAX_SAMPLE_RATE",
    "MIN_SAMPLE_RATE",
    "AudioData",
    "StreamingResampler",
    "audio_blocks",
    "decode_alaw",
    "decode_mulaw",
    "decode_pcm16",
    "encode_alaw",
    "encode_mulaw",
    "load_audio",
    "validate_sample_rate",
    "validate_samples",
]

MIN_SAMPLE_RATE = 8000
MAX_SAMPLE_RATE = 384000
# Float input louder than this is almost surely integer PCM stored as float.
_MAX_FLOAT_AMPLITUDE = 8.0


# ----------------------------------------------------------------------------- G.711
@lru_cache(maxsize=1)
def _mulaw_table() -> np.ndarray:
    codes = np.arange(256, dtype=np.int32)
    u = ~codes & 0xFF
    sign = u & 0x80
    exponent = (u >> 4) & 0x07
    mantissa = u & 0x0F
    magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84
    linear = np.where(sign != 0, -magnitude, magnitude)
    # G.711 magnitudes above are already on the 16-bit scale (max 32124), as libsndfile.
    return (linear / 32768.0).astype(np.float32)


@lru_cache(maxsize=1)
def _alaw_table() -> np.ndarray:
    codes = np.arange(256, dtype=np.int32) ^ 0x55
    sign = codes & 0x80
    exponent = (codes >> 4) & 0x07
    mantissa = codes & 0x0F
    magnitude = np.where(
        exponent == 0, (mantissa << 4) + 8, ((mantissa << 4) + 0x108) << np.maximum(exponent - 1, 0)
    )
    linear = np.where(sign != 0, magnitude, -magnitude)
    return (linear / 32768.0).astype(np.float32)


def _as_codes(data: bytes | bytearray | memoryview | np.ndarray, name: str) -> np.ndarray:
    if isinstance(data, (bytes, bytearray, memoryview)):
        return np.frombuffer(bytes(data), dtype=np.uint8)
    arr = np.asarray(data)
    if arr.dtype != np.uint8:
        raise AudioError(f"{name} expects bytes or a uint8 array of codes, got dtype {arr.dtype}")
    return arr


def decode_mulaw(data: bytes | bytearray | memoryview | np.ndarray) -> np.ndarray:
    """Decode G.711 mu-law bytes to float32 samples in [-1, 1] (shape ``(n,)``)."""
    out: np.ndarray = _mulaw_table()[_as_codes(data, "decode_mulaw")]
    return out


def decode_alaw(data: bytes | bytearray | memoryview | np.ndarray) -> np.ndarray:
    """Decode G.711 A-law bytes to float32 samples in [-1, 1] (shape ``(n,)``)."""
    out: np.ndarray = _alaw_table()[_as_codes(data, "decode_alaw")]
    return out


def _encode_with(table: np.ndarray, samples: np.ndarray) -> np.ndarray:
    # Nearest code by value: exact inverse of the decoder on its own outputs.
    order = np.argsort(table, kind="stable")
    sorted_vals = table[order]
    x = np.clip(np.asarray(samples, dtype=np.float32), sorted_vals[0], sorted_vals[-1])
    idx = np.clip(np.searchsorted(sorted_vals, x), 1, 255)
    left, right = sorted_vals[idx - 1], sorted_vals[idx]
    idx = np.where(np.abs(x - left) <= np.abs(right - x), idx - 1, idx)
    return order[idx].astype(np.uint8)


def _encodable(samples: Any) -> np.ndarray:
    """Samples as float32 of their own shape, through the same checks as any audio input
    (int16/int32 scaled to full scale 1.0; NaN or inf refused)."""
    arr = np.asarray(samples) if not isinstance(samples, np.ndarray) else samples
    if arr.ndim not in (1, 2):
        raise ParameterError(f"samples must have shape (n,) or (n, channels), got {arr.shape}")
    checked = validate_samples(arr)
    return checked[:, 0] if arr.ndim == 1 else checked


def encode_mulaw(samples: np.ndarray) -> np.ndarray:
    """Encode audio to G.711 mu-law codes.

    Parameters
    ----------
    samples : np.ndarray, shape (n,) or (n, channels)
        Float in [-1, 1] (louder is clipped), or int16/int32 at their full scale.

    Returns
    -------
    np.ndarray of uint8, the same shape
    """
    return _encode_with(_mulaw_table(), _encodable(samples))


def encode_alaw(samples: np.ndarray) -> np.ndarray:
    """Encode audio to G.711 A-law codes (parameters as :func:`encode_mulaw`)."""
    return _encode_with(_alaw_table(), _encodable(samples))


def decode_pcm16(data: bytes | bytearray | memoryview) -> np.ndarray:
    """Decode little-endian signed 16-bit PCM bytes to float32 in [-1, 1] (shape ``(n,)``)."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ParameterError(
            f"decode_pcm16 takes bytes, bytearray or memoryview, got {type(data).__name__}"
        )
    raw = bytes(data)
    if len(raw) % 2:
        raise AudioError(
            f"PCM16 data has an odd number of bytes ({len(raw)}): a sample was cut in two; "
            "buffer the last byte and send it with the next chunk"
        )
    return np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0


# ----------------------------------------------------------------------------- validation
def _finite_and_peak(x: np.ndarray) -> tuple[bool, float]:
    if x.size == 0:
        return True, 0.0
    if x.size < 4096:  # small pushes: numpy beats a kernel call's dispatch
        peak = float(np.max(np.abs(x)))
        return bool(np.isfinite(peak)), peak
    from ._kernels.checks import finite_and_peak

    finite, peak = finite_and_peak(x)
    return bool(finite), float(peak)


def validate_sample_rate(sample_rate: Any) -> int:
    """Return ``sample_rate`` as an int, or raise :class:`AudioError` saying what is allowed."""
    if isinstance(sample_rate, bool) or not isinstance(
        sample_rate, (int, float, np.integer, np.floating)
    ):
        raise AudioError(f"sample_rate must be a number in Hz, got {type(sample_rate).__name__}")
    if isinstance(sample_rate, (int, np.integer)):
        rate = int(sample_rate)
    elif not math.isfinite(sample_rate) or float(sample_rate) != int(sample_rate):
        raise AudioError(f"sample_rate must be a whole number of Hz, got {sample_rate!r}")
    else:
        rate = int(sample_rate)
    if not MIN_SAMPLE_RATE <= rate <= MAX_SAMPLE_RATE:
        raise AudioError(
            f"unsupported sample_rate {rate} Hz: use {MIN_SAMPLE_RATE}..{MAX_SAMPLE_RATE} Hz "
            "(telephone audio is 8000 Hz; resample lower rates up first)"
        )
    return rate


def validate_samples(samples: Any, *, n_channels: int | None = None) -> np.ndarray:
    """Check and convert audio to float32 of shape ``(n_samples, n_channels)``.

    Parameters
    ----------
    samples : np.ndarray
        ``int16`` (full scale 32768), ``int32`` (full scale 2**31) or float (full scale 1.0);
        shape ``(n,)`` for mono or ``(n, channels)``.
    n_channels : int, optional
        Required number of channels.

    Raises
    ------
    AudioError
        Wrong type, dtype or shape, non-finite values, or float audio far outside [-1, 1].
    """
    if not isinstance(samples, np.ndarray):
        if isinstance(samples, (bytes, bytearray, memoryview)):
            raise AudioError(
                "got raw bytes: decode them first with decode_pcm16, decode_mulaw or "
                "decode_alaw, or push them with push_bytes(..., encoding=...)"
            )
        try:
            samples = np.asarray(samples)
        except Exception as exc:
            raise AudioError(f"samples must be a numpy array: {exc}") from None
    arr = samples
    if arr.dtype.byteorder == (">" if sys.byteorder == "little" else "<"):
        arr = arr.astype(arr.dtype.newbyteorder("="))  # e.g. big-endian PCM from AIFF or the wire
    if arr.dtype == np.int16:
        out = arr.astype(np.float32) / 32768.0
    elif arr.dtype == np.int32:
        out = (arr.astype(np.float64) / 2147483648.0).astype(np.float32)
    elif arr.dtype in (np.float32, np.float64, np.float16):
        out = arr.astype(np.float32, copy=False)
    elif arr.dtype == np.uint8:
        raise AudioError(
            "uint8 samples are ambiguous: G.711 codes need decode_mulaw/decode_alaw, "
            "8-bit PCM needs (x.astype(np.int16) - 128) * 256"
        )
    else:
        raise AudioError(
            f"unsupported sample dtype {arr.dtype}: pass int16, int32, float32 or float64"
        )
    if out.ndim == 1:
        out = out[:, None]
    elif out.ndim != 2:
        raise AudioError(f"samples must have shape (n,) or (n, channels), got {arr.shape}")
    if out.shape[1] > 16 and out.shape[0] <= 16:
        raise AudioError(
            f"samples have shape {arr.shape}: channels look like rows; pass samples.T "
            "(shape (n, channels))"
        )
    if n_channels is not None and out.shape[1] != n_channels:
        hint = (
            ": pass one channel (samples[:, 0], or samples.mean(axis=1) for a mix)"
            if n_channels == 1
            else ": one column per role"
        )
        raise AudioError(
            f"expected {n_channels} channel(s), got {out.shape[1]} (shape {arr.shape}){hint}"
        )
    finite, peak = _finite_and_peak(out)
    if not finite:
        bad = int(np.count_nonzero(~np.isfinite(out)))
        raise AudioError(
            f"samples contain {bad} NaN or infinite value(s); replace them "
            "(e.g. np.nan_to_num) or fix the source"
        )
    if arr.dtype.kind == "f" and peak > _MAX_FLOAT_AMPLITUDE:
        raise AudioError(
            f"float samples reach {peak:.1f}, far outside [-1, 1]: integer PCM stored as "
            "float? divide by 32768, or pass the int16 array itself"
        )
    return np.ascontiguousarray(out)


# ----------------------------------------------------------------------------- files
@dataclass(frozen=True, slots=True)
class AudioData:
    """Decoded audio: ``samples`` float32 of shape ``(n_samples, n_channels)``."""

    samples: np.ndarray
    sample_rate: int

    @property
    def duration_s(self) -> float:
        return float(self.samples.shape[0]) / self.sample_rate


def _check_wav_truncation(path: Path) -> None:
    """Raise if a RIFF/WAVE file's data chunk claims more bytes than the file holds."""
    with path.open("rb") as fh:
        head = fh.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return
        size = path.stat().st_size
        pos = 12
        while pos + 8 <= size:
            fh.seek(pos)
            chunk_id, chunk_len = struct.unpack("<4sI", fh.read(8))
            if chunk_id == b"data":
                available = size - pos - 8
                # 0 and 0xFFFFFFFF mark streamed WAVs whose size was never written.
                if chunk_len not in (0, 0xFFFFFFFF) and chunk_len > available:
                    raise AudioError(
                        f"{path}: truncated WAV, header declares {chunk_len} bytes of audio "
                        f"but the file holds {available}; re-export the file, or pass "
                        "allow_truncated=True (on the command line, --allow-truncated) to "
                        "analyse what is there"
                    )
                return
            pos += 8 + chunk_len + (chunk_len & 1)


_SUPPORTED = (
    "supported: what libsndfile reads (WAV: PCM, float, mu-law, A-law; FLAC, OGG/Vorbis/"
    "Opus, MP3, AIFF, GSM and ADPCM recorder formats)"
)


def load_audio(path: str | os.PathLike[str], *, allow_truncated: bool = False) -> AudioData:
    """Read an audio file with soundfile (WAV incl. mu-law/A-law, FLAC, OGG, MP3, and what
    else libsndfile reads).

    Parameters
    ----------
    path : str or PathLike
        The file.
    allow_truncated : bool, default False
        Read a WAV whose header promises more audio than the file holds (a recording cut
        off mid-write) instead of raising :class:`AudioError`.

    Returns
    -------
    AudioData
        float32 samples of shape ``(n_samples, n_channels)`` and the file's sample rate.

    Raises
    ------
    AudioError
        Missing, unreadable, empty or truncated file, or unsupported sample rate.
    """
    rate, _, _, blocks = audio_blocks(path, allow_truncated=allow_truncated, block_s=math.inf)
    return AudioData(np.concatenate(list(blocks)), rate)


def audio_blocks(
    path: str | os.PathLike[str], *, allow_truncated: bool = False, block_s: float = 60.0
) -> tuple[int, int, int, Iterator[np.ndarray]]:
    """A file's sample rate, channel count, length and its audio as float32 blocks, read as they
    are needed: the same checks and samples as :func:`load_audio`, in constant memory
    (an analysis of a 4 h recording need not hold 4 h of samples).

    Parameters
    ----------
    path : str or PathLike
        The file.
    allow_truncated : bool, default False
        As in :func:`load_audio`.
    block_s : float, default 60
        Seconds per block (``math.inf``: the whole file as one block).

    Returns
    -------
    sample_rate : int
    n_channels : int
    n_frames : int
        Samples per channel as the header says (0 where it does not say).
    blocks : iterator of np.ndarray, shape (n, n_channels), float32
        Checked as :func:`validate_samples` checks (an unusable block raises
        :class:`AudioError` naming the file when it is read).
    """
    import soundfile as sf

    if not isinstance(path, (str, os.PathLike)):
        raise ParameterError(f"path must be a str or PathLike, got {type(path).__name__}")
    p = Path(path)
    if not p.exists():
        raise AudioError(f"{p}: no such file")
    if p.is_dir():
        raise AudioError(f"{p}: is a directory, expected an audio file")
    if p.stat().st_size == 0:
        raise AudioError(f"{p}: empty file")
    if not allow_truncated:
        _check_wav_truncation(p)
    try:
        info = sf.info(str(p))
        rate, n_channels, n_frames = int(info.samplerate), int(info.channels), int(info.frames)
    except Exception as exc:
        raise AudioError(f"{p}: cannot decode audio ({exc}); {_SUPPORTED}") from None
    rate = validate_sample_rate(rate)

    def blocks() -> Iterator[np.ndarray]:
        n_read = 0
        # A count, not -1 ("all"): codecs libsndfile cannot seek in (GSM) need one.
        whole = n_frames if n_frames > 0 else round(3600 * rate)
        frames = max(1, round(block_s * rate)) if math.isfinite(block_s) else whole
        with sf.SoundFile(str(p)) as f:
            while True:
                try:
                    data = f.read(frames, dtype="float32", always_2d=True)
                except Exception as exc:
                    raise AudioError(f"{p}: cannot decode audio ({exc}); {_SUPPORTED}") from None
                if data.shape[0] == 0:
                    break
                n_read += data.shape[0]
                try:
                    yield validate_samples(data)
                except AudioError as exc:  # say which file
                    raise AudioError(f"{p}: {exc}") from None
        if n_read == 0:
            raise AudioError(f"{p}: the file holds no audio samples")

    return rate, n_channels, max(0, n_frames), blocks()


# ----------------------------------------------------------------------------- resampling
@lru_cache(maxsize=32)
def _design(in_rate: int, out_rate: int) -> tuple[int, int, int, np.ndarray]:
    from scipy.signal import firwin

    ratio = Fraction(out_rate, in_rate)
    up, down = ratio.numerator, ratio.denominator
    # Same design rule as scipy.signal.resample_poly (Kaiser window, 10 zero crossings).
    max_rate = max(up, down)
    half_len = 10 * max_rate
    taps = firwin(2 * half_len + 1, 1.0 / max_rate, window=("kaiser", 5.0)).astype(np.float64)
    taps.setflags(write=False)
    return up, down, half_len, taps


class StreamingResampler:
    """Chunk-size-independent rational resampler with zero group delay.

    Output sample ``k`` is emitted once every input sample its filter touches has arrived
    (a lookahead of ``half_len / up`` input samples, 10 ms at most for the rates
    supported); :meth:`finish` pads with zeros. Feeding the input whole or in any chunks
    gives bit-identical output. State is plain numpy and picklable.
    """

    def __init__(self, in_rate: int, out_rate: int) -> None:
        self.in_rate = validate_sample_rate(in_rate)
        self.out_rate = int(out_rate)
        if self.in_rate == self.out_rate:
            self.up, self.down, self.half_len = 1, 1, 0
        else:
            self.up, self.down, self.half_len, _ = _design(self.in_rate, self.out_rate)
        self._buf = np.zeros(0, dtype=np.float32)
        self._buf_first = 0  # input index of _buf[0]
        self._n_in = 0
        self._k_next = 0

    @property
    def passthrough(self) -> bool:
        return self.in_rate == self.out_rate

    def _taps(self) -> np.ndarray:
        return _design(self.in_rate, self.out_rate)[3]

    def _emit(self, k_stop: int) -> np.ndarray:
        from ._kernels.resample import resample_block

        if k_stop <= self._k_next:
            return np.zeros(0, dtype=np.float32)
        out = resample_block(
            self._buf,
            self._buf_first,
            self._taps(),
            self.up,
            self.down,
            self.half_len,
            self._k_next,
            k_stop,
        )
        self._k_next = k_stop
        # Drop input that no future output can reach.
        keep_from = (self._k_next * self.down + self.half_len - 2 * self.half_len) // self.up - 1
        drop = max(0, keep_from - self._buf_first)
        if drop:
            self._buf = self._buf[drop:]
            self._buf_first += drop
        return out

    def process(self, x: np.ndarray) -> np.ndarray:
        """Push float32 samples ``(n,)``; return the output samples now complete."""
        if self.passthrough:
            return np.asarray(x, dtype=np.float32)
        self._buf = np.concatenate([self._buf, np.asarray(x, dtype=np.float32)])
        self._n_in += len(x)
        # Output k needs inputs up to floor((k*down + half_len) / up) < n_in.
        k_stop = (self._n_in * self.up - self.half_len - 1) // self.down + 1
        return self._emit(max(k_stop, self._k_next))

    def finish(self) -> np.ndarray:
        """Return the remaining output (zeros assumed after the end of the input)."""
        if self.passthrough:
            return np.zeros(0, dtype=np.float32)
        total = -((-self._n_in * self.up) // self.down)
        return self._emit(total)


def resample(samples: np.ndarray, in_rate: int, out_rate: int) -> np.ndarray:
    """Resample mono float32 ``samples`` (shape ``(n,)``) with :class:`StreamingResampler`."""
    if in_rate == out_rate:
        return np.asarray(samples, dtype=np.float32)
    rs = StreamingResampler(in_rate, out_rate)
    return np.concatenate([rs.process(samples), rs.finish()])


def validate_roles(roles: Any) -> tuple[str, ...]:
    """Return ``roles`` as a tuple of distinct non-empty strings."""
    if isinstance(roles, str):
        roles = tuple(r.strip() for r in roles.split(","))
    if isinstance(roles, (set, frozenset, dict)):
        # Their order is not the channel order (sets differ between processes).
        raise ParameterError(
            f"roles must be ordered, one per channel, e.g. ('customer', 'agent'); got a "
            f"{type(roles).__name__}: pass a tuple or list"
        )
    try:
        out = tuple(roles)
    except TypeError:
        raise ParameterError(
            f"roles must be a sequence of names like ('customer', 'agent'), got {roles!r}"
        ) from None
    if not out or not all(isinstance(r, str) and r for r in out):
        raise ParameterError(f"roles must be non-empty strings, got {roles!r}")
    if any(any(c.isspace() for c in r) for r in out):
        hint = (
            f" (one string is split at commas: {','.join(out[0].split())!r})"
            if len(out) == 1
            else ""
        )
        raise ParameterError(
            f"role names cannot contain spaces (RTTM and the CLI split at them), got {out!r}{hint}"
        )
    if len(set(out)) != len(out):
        raise ParameterError(f"roles must be distinct, got {out!r}")
    if len(out) > 2:
        raise ParameterError(
            f"at most two roles per call are supported (customer and agent), got {out!r}"
        )
    return out
