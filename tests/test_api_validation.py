"""Wrong input to the public API is a typed error that says the fix, never a built-in
exception from deep inside or a quiet wrong answer.

Each row was found by a review that called every public function with wrong input; each
failed (a built-in exception, or input accepted and turned into garbage) before its fix.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import empathysignals as es
import empathysignals.prosody
from empathysignals import export
from empathysignals.testing import alert_contradictions

_STEREO = np.zeros((800, 2), np.float32)


def _analyzer() -> es.Analyzer:
    return es.Analyzer(emotion_model=None)


def _call() -> es.CallStream:
    return _analyzer().stream()


_ACTIVE = np.zeros((10, 2), bool)

CASES: list[tuple[str, Callable[[], Any], type[Exception], str]] = [
    ("encode NaN", lambda: es.encode_mulaw(np.array([np.nan, 0.0])), es.AudioError, "NaN"),
    ("encode text", lambda: es.encode_alaw("ab"), es.ParameterError, "shape"),  # type: ignore[arg-type]
    ("encode 3-d", lambda: es.encode_mulaw(np.zeros((2, 2, 2))), es.ParameterError, "shape"),
    ("decode_pcm16 str", lambda: es.decode_pcm16("ab"), es.ParameterError, "bytes"),  # type: ignore[arg-type]
    (
        "roles with a space",
        lambda: es.analyze(_STEREO[:, 0], 8000, roles="customer agent"),
        es.ParameterError,
        "'customer,agent'",
    ),
    (
        "vad roles duplicated",
        lambda: es.voice_activity(_STEREO, 8000, roles=("a", "a")),
        es.ParameterError,
        "distinct",
    ),
    (
        "turn_taking roles duplicated",
        lambda: es.turn_taking(_ACTIVE, roles=("a", "a")),
        es.ParameterError,
        "distinct",
    ),
    (
        "turn_taking config dict",
        lambda: es.turn_taking(_ACTIVE, config={"min_pause_s": 1}),  # type: ignore[arg-type]
        es.ParameterError,
        "TurnTakingConfig(...)",
    ),
    (
        "voice_activity config of another kind",
        lambda: es.voice_activity(_STEREO, 8000, config=es.TurnTakingConfig()),  # type: ignore[arg-type]
        es.ParameterError,
        "VadConfig(...)",
    ),
    (
        "alert check with the wrong config",
        lambda: alert_contradictions([], alerts=es.TurnTakingConfig()),  # type: ignore[arg-type]
        es.ParameterError,
        "AlertConfig(...)",
    ),
    (
        "scenarios as one string",
        lambda: __import__("empathysignals.simulate").simulate.simulate_call(0, scenarios="gap"),
        es.ParameterError,
        "('gap',)",
    ),
    ("unknown emotion model", lambda: es.Analyzer(emotion_model="nope"), es.ModelError, "known"),
    (
        "transcript that is no iterable",
        lambda: es.Analyzer(emotion_model=None).stream(transcript=True).push_transcript(None),  # type: ignore[arg-type]
        es.ParameterError,
        "iterable",
    ),
    (
        "final given as a string",
        lambda: (
            es.Analyzer(emotion_model=None)
            .stream(transcript=True)
            .push_transcript([{"speaker": "agent", "start": 1.0, "text": "x", "final": "false"}])
        ),
        es.ParameterError,
        "true or false",
    ),
    (
        "hold marker on='no'",
        lambda: es.Analyzer(emotion_model=None).stream().mark_hold(1.0, on="no"),  # type: ignore[arg-type]
        es.ParameterError,
        "on must be True",
    ),
    ("read_rttm(None)", lambda: es.read_rttm(None), es.ParameterError, "str or PathLike"),  # type: ignore[arg-type]
    ("load_audio(123)", lambda: es.load_audio(123), es.ParameterError, "str or PathLike"),  # type: ignore[arg-type]
    ("read_transcript(b'x')", lambda: es.read_transcript(b"x"), es.ParameterError, "PathLike"),  # type: ignore[arg-type]
    (
        "encoding in a list",
        lambda: _call().push_bytes(b"\xff" * 8, encoding=["mulaw"]),  # type: ignore[arg-type]
        es.ParameterError,
        "encoding must be one of",
    ),
    (
        "role in a list",
        lambda: _call().push_bytes(b"\xff" * 8, role=["agent"]),  # type: ignore[arg-type]
        es.ParameterError,
        "role must be one of",
    ),
    (
        "legs as pairs",
        lambda: _call().push_legs([("agent", np.zeros(8))]),  # type: ignore[arg-type]
        es.ParameterError,
        "map roles to samples",
    ),
    (
        "segmentation of numbers",
        lambda: _analyzer().stream(segmentation=5),  # type: ignore[arg-type]
        es.ParameterError,
        "read_rttm",
    ),
    (
        "segmentation row of a number",
        lambda: _analyzer().stream(segmentation=[5]),  # type: ignore[list-item]
        es.ParameterError,
        "(speaker, start, end)",
    ),
    (
        "speaker_roles without a segmentation",
        lambda: _analyzer().stream(speaker_roles={"s1": "customer"}),
        es.ParameterError,
        "pass segmentation=",
    ),
    (
        "speaker_roles as a list",
        lambda: _analyzer().stream(segmentation=[("s1", 0.0, 1.0)], speaker_roles=["a"]),  # type: ignore[arg-type]
        es.ParameterError,
        "must map speaker labels",
    ),
    (
        "write_jsonl of numbers",
        lambda: export.write_jsonl([1], "/tmp/never.jsonl"),  # type: ignore[list-item]
        es.ParameterError,
        "Event objects",
    ),
    (
        "write_rttm file_id number",
        lambda: export.write_rttm([], "/tmp/never.rttm", file_id=5),  # type: ignore[arg-type]
        es.ParameterError,
        "file_id",
    ),
    (
        "write_textgrid negative length",
        lambda: export.write_textgrid([], "/tmp/never.TextGrid", duration_s=-1.0),
        es.ParameterError,
        "seconds > 0",
    ),
    (
        "push_validated of int16",
        lambda: es.VoiceActivityStream(("a",), 8000).push_validated(np.zeros((80, 1), np.int16)),
        es.ParameterError,
        "use push()",
    ),
    (
        "PitchStream.push_checked 2-d",
        lambda: es.PitchStream(8000).push_checked(np.zeros((80, 1), np.float32)),
        es.ParameterError,
        "use push()",
    ),
    (
        "intensity hop of a picosecond",
        lambda: es.prosody.intensity(np.zeros(800), 8000, hop_s=1e-12),
        es.ParameterError,
        "in [0.001, 1]",
    ),
    (
        "intensity min pitch of 1e-9 Hz",
        lambda: es.prosody.intensity(np.zeros(800), 8000, min_pitch_hz=1e-9),
        es.ParameterError,
        "in [20, 1000]",
    ),
    (
        "intensity hop as a string",
        lambda: es.prosody.intensity(np.zeros(800), 8000, hop_s="0.01"),  # type: ignore[arg-type]
        es.ParameterError,
        "must be a number",
    ),
    (
        "push_many of bare calls",
        lambda: _analyzer().push_many([_call()]),  # type: ignore[list-item]
        es.ParameterError,
        "(CallStream, samples) pairs",
    ),
    (
        "VadConfig threshold as a string",
        lambda: es.VadConfig(voicing_threshold="a"),  # type: ignore[arg-type]
        es.ParameterError,
        "must be a number",
    ),
    (
        "AlertConfig arousal out of its range",
        lambda: es.AlertConfig(agitation_arousal=5.0),
        es.ParameterError,
        "never fire",
    ),
    (
        "speaking_rate with F0 over Nyquist",
        lambda: es.prosody.speaking_rate(
            np.zeros(16000), 16000, f0_hz=np.full(100, 9000.0), hop_s=0.01
        ),
        es.ParameterError,
        "Nyquist",
    ),
    (
        "stereo to a mono measure",
        lambda: es.prosody.intensity(np.zeros((800, 2)), 8000),
        es.AudioError,
        "samples[:, 0]",
    ),
    ("event_from_dict of a number", lambda: es.event_from_dict(5), es.ParameterError, "mapping"),  # type: ignore[arg-type]
    (
        "event_from_dict NaN start",
        lambda: es.event_from_dict(
            {
                "type": "pause",
                "id": 1,
                "start": float("nan"),
                "end": 1.0,
                "emitted_at": 1.0,
                "speaker": "agent",
            }
        ),
        es.ParameterError,
        "finite",
    ),
    (
        "music lookahead off the block",
        lambda: es.VadConfig(music_lookahead_ms=120),
        es.ParameterError,
        "multiple of 50",
    ),
]


@pytest.mark.parametrize(
    ("call", "error", "says"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_wrong_input_is_a_typed_error(
    call: Callable[[], Any], error: type[Exception], says: str
) -> None:
    with pytest.raises(error, match=None) as caught:
        call()
    assert isinstance(caught.value, es.EmpathySignalsError)
    assert says in str(caught.value), str(caught.value)


def test_encoders_scale_integers_as_any_audio_input() -> None:
    """int16 is full scale 32768 here as everywhere (it was read as floats and saturated)."""
    codes = es.encode_mulaw(np.array([16384, -16384, 0], np.int16))
    np.testing.assert_allclose(es.decode_mulaw(codes), [0.5, -0.5, 0.0], atol=0.02)
    stereo = es.encode_alaw(np.zeros((4, 2), np.float32))
    assert stereo.shape == (4, 2) and stereo.dtype == np.uint8


def test_an_rttm_with_a_byte_order_mark_keeps_its_first_line(tmp_path: Path) -> None:
    """A BOM hid the first line's SPEAKER type, so that speaker's talk became silence; a
    file whose lines hold no SPEAKER line (lower case, say) says so instead of giving a
    call of dead air; an empty file is a call where nobody spoke (what write_rttm writes
    for one)."""
    lines = (
        "SPEAKER a 1 0.5 2.0 <NA> <NA> s1 <NA> <NA>\nSPEAKER a 1 3.0 2.0 <NA> <NA> s2 <NA> <NA>\n"
    )
    (tmp_path / "bom.rttm").write_text("\ufeff" + lines, encoding="utf-8")
    assert es.read_rttm(tmp_path / "bom.rttm") == [("s1", 0.5, 2.5), ("s2", 3.0, 5.0)]
    (tmp_path / "lower.rttm").write_text(lines.lower(), encoding="utf-8")
    with pytest.raises(es.ParameterError, match="no SPEAKER line"):
        es.read_rttm(tmp_path / "lower.rttm")
    (tmp_path / "empty.rttm").write_text("", encoding="utf-8")
    assert es.read_rttm(tmp_path / "empty.rttm") == []


def test_event_json_of_a_later_minor_version_reads() -> None:
    """A minor version only adds fields (events.md), so its JSON must read here."""
    pause = es.PauseEvent(3, 1.0, 2.0, 2.5, speaker="agent")
    newer = {**pause.to_dict(), "confidence": 0.9}
    assert es.event_from_dict(newer) == pause
