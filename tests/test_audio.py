"""Audio in: G.711 against libsndfile, files, and every bad input named in the brief."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

import empathysignals as es
from empathysignals.audio import validate_sample_rate, validate_samples


@pytest.mark.parametrize(
    ("subtype", "decode"), [("ULAW", es.decode_mulaw), ("ALAW", es.decode_alaw)]
)
def test_g711_decoder_matches_libsndfile(tmp_path: Path, subtype: str, decode: object) -> None:
    rng = np.random.default_rng(0)
    x = np.clip(rng.standard_normal(4000) * 0.3, -1, 1)
    path = tmp_path / "t.wav"
    sf.write(path, x, 8000, subtype=subtype)
    ref, _ = sf.read(path, dtype="float32")
    raw = path.read_bytes()
    data = raw[raw.index(b"data") + 8 :][: len(ref)]
    np.testing.assert_allclose(decode(data), ref, atol=1e-6)  # type: ignore[operator]


def test_g711_encode_round_trips_every_code() -> None:
    codes = np.arange(256, dtype=np.uint8)
    mu = es.encode_mulaw(es.decode_mulaw(codes))
    al = es.encode_alaw(es.decode_alaw(codes))
    # mu-law has two codes for zero (0x7F and 0xFF); every other code is unique.
    assert np.array_equal(es.decode_mulaw(mu), es.decode_mulaw(codes))
    assert np.array_equal(al, codes)


def test_pcm16_bytes() -> None:
    x = np.array([0, 16384, -32768, 32767], dtype="<i2")
    np.testing.assert_allclose(es.decode_pcm16(x.tobytes()), x / 32768.0)
    with pytest.raises(es.AudioError, match="odd number of bytes"):
        es.decode_pcm16(b"\x00\x01\x02")


def test_int16_and_float_agree() -> None:
    x = (np.sin(np.arange(100)) * 10000).astype(np.int16)
    np.testing.assert_allclose(validate_samples(x)[:, 0], x / 32768.0)
    # either byte order (big-endian PCM comes from AIFF files and network byte order)
    for dtype in (">i2", "<i2", ">f4", ">f8", ">i4"):
        y = x.astype(dtype) if dtype[1] == "i" else (x / 32768.0).astype(dtype)
        scale = 65536.0 if dtype == ">i4" else 1.0  # int32 is read as 2**31 full scale
        np.testing.assert_allclose(validate_samples(y)[:, 0] * scale, x / 32768.0, rtol=1e-6)


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        (np.array([0.0, np.nan, 0.1], dtype=np.float32), "NaN or infinite"),
        (np.array([0.0, np.inf], dtype=np.float64), "NaN or infinite"),
        (np.zeros(10, dtype=np.complex64), "unsupported sample dtype"),
        (np.zeros(10, dtype=np.uint8), "ambiguous"),
        (np.zeros((2, 3, 4), dtype=np.float32), "shape"),
        (np.zeros((2, 1000), dtype=np.float32), "pass samples.T"),
        (np.full(10, 1000.0), "divide by 32768"),
        (b"\x00\x00", "raw bytes"),
    ],
)
def test_bad_samples_are_audio_errors(bad: object, match: str) -> None:
    with pytest.raises(es.AudioError, match=match):
        validate_samples(bad)
    with pytest.raises(es.AudioError, match=match):
        es.analyze(bad, 8000, roles=("customer",))


@pytest.mark.parametrize("rate", [0, 4000, 7999, 500000, 8000.5, float("nan"), "8000", True])
def test_bad_sample_rates(rate: object) -> None:
    with pytest.raises(es.AudioError):
        validate_sample_rate(rate)
    with pytest.raises(es.EmpathySignalsError):
        es.Analyzer(sample_rate=rate)  # type: ignore[arg-type]


def test_wrong_channel_count() -> None:
    with pytest.raises(es.AudioError, match="expected 2 channel"):
        es.analyze(np.zeros((8000, 3), np.float32), 8000)


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(es.AudioError, match="no such file"):
        es.load_audio(tmp_path / "missing.wav")
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    with pytest.raises(es.AudioError, match="empty file"):
        es.load_audio(empty)
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"this is not audio at all" * 10)
    with pytest.raises(es.AudioError, match="cannot decode"):
        es.load_audio(junk)
    with pytest.raises(es.AudioError, match="directory"):
        es.load_audio(tmp_path)
    header_only = tmp_path / "header.wav"
    sf.write(header_only, np.zeros(0), 8000)
    with pytest.raises(es.AudioError):
        es.load_audio(header_only)


def test_truncated_wav(tmp_path: Path) -> None:
    path = tmp_path / "call.wav"
    sf.write(path, np.zeros((8000, 2)), 8000, subtype="ULAW")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(es.AudioError, match="truncated"):
        es.load_audio(path)
    audio = es.load_audio(path, allow_truncated=True)
    assert 0 < audio.samples.shape[0] < 8000


@pytest.mark.parametrize(
    "fmt",
    [("WAV", "PCM_16"), ("WAV", "ULAW"), ("WAV", "ALAW"), ("FLAC", "PCM_16"), ("OGG", "VORBIS")],
)
def test_formats_load(tmp_path: Path, fmt: tuple[str, str]) -> None:
    path = tmp_path / f"x.{fmt[0].lower()}"
    x = np.sin(np.arange(16000) * 0.05) * 0.5
    sf.write(path, np.stack([x, -x], axis=1), 16000, format=fmt[0], subtype=fmt[1])
    audio = es.load_audio(path)
    assert audio.sample_rate == 16000 and audio.samples.shape == (16000, 2)
    assert audio.samples.dtype == np.float32


@pytest.mark.parametrize(
    ("name", "fmt", "subtype", "legs"),
    [
        ("x.wav", "WAV", "GSM610", 1),  # GSM full rate in WAV (mono only)
        ("x.gsm", "RAW", "GSM610", 1),  # headerless GSM, found by its extension
        ("x.wav", "WAV", "G721_32", 1),
        ("x.wav", "WAV", "IMA_ADPCM", 2),
        ("x.vox", "RAW", "VOX_ADPCM", 1),  # Dialogic VOX: libsndfile takes .vox as 8 kHz mono
        ("x.mp3", "MP3", "MPEG_LAYER_III", 2),
    ],
)
def test_call_recorder_formats_load(
    tmp_path: Path, name: str, fmt: str, subtype: str, legs: int
) -> None:
    """The compressed formats call recorders write load as 8 kHz audio of the same
    length (give or take a codec block) and the same content."""
    t = np.arange(16000) / 8000
    x = (0.3 * np.sin(2 * np.pi * 440 * t) * np.sin(2 * np.pi * 2 * t) ** 2)[:, None]
    x = np.repeat(x, legs, axis=1) * [1, -1][:legs]
    path = tmp_path / name
    sf.write(path, x, 8000, format=fmt, subtype=subtype)
    audio = es.load_audio(path)
    assert audio.sample_rate == 8000 and audio.samples.shape[1] == legs
    n = audio.samples.shape[0]
    assert abs(n - len(x)) <= 1200  # MP3 adds its decoder delay, ADPCM pads a block
    # the same signal, found at the codec's delay
    lags = range(0, min(1200, n - 8000))
    best = max(np.corrcoef(audio.samples[k : k + 8000, 0], x[:8000, 0])[0, 1] for k in lags)
    assert best > 0.9


def test_analyze_file_reads_block_by_block(tmp_path: Path) -> None:
    """A file is analysed as it is read, 60 s at a time: the events of the whole recording
    in memory, in a fraction of its memory (a 2-hour file took 2 GB)."""
    import tracemalloc

    bundled = Path(__file__).parents[1] / "examples" / "data" / "call.wav"
    x, rate = sf.read(bundled, dtype="int16")
    long = np.tile(x, (9, 1))  # ~10 min
    path = tmp_path / "long.wav"
    sf.write(path, long, rate, subtype="ULAW")
    whole = es.load_audio(path)
    kw = {"emotion_model": None, "prosody": False}
    want = es.analyze(whole.samples, whole.sample_rate, **kw)  # type: ignore[arg-type]
    es.analyze_file(bundled, **kw)  # type: ignore[arg-type]  # kernels loaded first
    tracemalloc.start()
    try:
        got = es.analyze_file(path, **kw)  # type: ignore[arg-type]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [e.to_dict() for e in got] == [e.to_dict() for e in want]
    assert peak < whole.samples.nbytes / 2, (
        f"{peak / 1e6:.0f} MB for {whole.samples.nbytes / 1e6:.0f} MB of audio"
    )
