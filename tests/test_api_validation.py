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
from empathysignals.testing import alert_contradictions

_STEREO = np.zeros((800, 2), np.float32)
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
