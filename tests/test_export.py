"""Exports: JSONL, RTTM, Praat TextGrid and CSV of turns, read back by independent readers
(json, our RTTM reader, Praat via parselmouth, csv)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

import empathysignals as es
from empathysignals import export


@pytest.fixture(scope="module")
def events(data_dir: Path) -> list[es.Event]:
    from empathysignals.simulate import simulate_call

    sim = simulate_call(4, n_exchanges=5)
    transcript = [("customer", 0.0, sim.duration_s, "my order is late and nobody answers")]
    return es.analyze(sim.audio, sim.sample_rate, transcript=[
        {"speaker": s, "start": a, "end": b, "text": t} for s, a, b, t in transcript
    ])  # fmt: skip


def test_jsonl_round_trip(events: list[es.Event], tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    export.write_jsonl(events, path)
    back = [es.event_from_dict(json.loads(line)) for line in path.read_text().splitlines()]
    assert [e.to_dict() for e in back] == [e.to_dict() for e in events]


def test_rttm_matches_turns(events: list[es.Event], tmp_path: Path) -> None:
    path = tmp_path / "t.rttm"
    export.write_rttm(events, path, file_id="c1")
    rows = es.read_rttm(path)
    turns = [e for e in events if isinstance(e, es.TurnEvent)]
    got = sorted((r[0], round(r[1], 3), round(r[2], 3)) for r in rows)
    want = sorted((t.speaker, round(t.start, 3), round(t.end, 3)) for t in turns)  # type: ignore[arg-type]
    assert got == want
    with pytest.raises(es.ParameterError, match="file_id"):
        export.write_rttm(events, path, file_id="a b")
    # a role with a space would make an 11-field line that readers split wrongly
    spaced = [
        es.TurnEvent(1, 0.5, 3.0, 3.5, speaker="customer care"),
        es.TurnEvent(2, 3.2, 4.0, 4.5, speaker="agent"),
    ]
    with pytest.raises(es.ParameterError, match="space"):
        export.write_rttm(spaced, path)


def test_textgrid_reads_in_praat(events: list[es.Event], tmp_path: Path) -> None:
    import parselmouth

    path = tmp_path / "t.TextGrid"
    export.write_textgrid(events, path)
    from parselmouth.praat import call

    grid = parselmouth.read(str(path))  # Praat's own reader validates the file
    n_tiers = call(grid, "Get number of tiers")
    names = [call(grid, "Get tier name", k) for k in range(1, n_tiers + 1)]
    assert names[:2] == ["turns agent", "turns customer"]
    assert {"pauses", "gaps", "overlaps", "holds", "dead air", "emotion"} <= set(names)
    tier = names.index("turns customer") + 1
    labelled = []
    for k in range(1, call(grid, "Get number of intervals", tier) + 1):
        if call(grid, "Get label of interval", tier, k):
            start = call(grid, "Get start time of interval", tier, k)
            end = call(grid, "Get end time of interval", tier, k)
            labelled.append((round(start, 3), round(end, 3)))
    turns = [e for e in events if isinstance(e, es.TurnEvent) and e.speaker == "customer"]
    assert labelled == [(round(t.start, 3), round(t.end, 3)) for t in turns]  # type: ignore[arg-type]
    # the audio's own length, when given, is the grid's: the summary counts whole frames
    summary = events[-1]
    assert isinstance(summary, es.SummaryEvent)
    short = summary.duration_s - 0.005
    export.write_textgrid(events, path, duration_s=short)
    grid = parselmouth.read(str(path))
    assert call(grid, "Get end time") == pytest.approx(short)


def test_csv_has_every_turn_field(events: list[es.Event], tmp_path: Path) -> None:
    path = tmp_path / "turns.csv"
    export.write_csv(events, path)
    rows = list(csv.DictReader(path.open()))
    turns = [e for e in events if isinstance(e, es.TurnEvent)]
    assert len(rows) == len(turns)
    assert {"part", "prosody_f0_mean_hz", "prosody_arousal", "prosody_jitter", "emotion_label",
            "emotion_valence", "emotion_predicted", "sentiment_negative", "text",
            "state_valence", "state_arousal", "state_label", "state_confidence",
            "state_evidence"} <= set(rows[0])  # fmt: skip
    with_state = next(t for t in turns if t.state)
    row = next(r for r in rows if int(r["id"]) == with_state.id)
    assert row["state_label"] == with_state.state["label"]
    assert float(row["state_valence"]) == pytest.approx(with_state.state["valence"])
    first = next(t for t in turns if t.prosody and t.prosody["loudness_db"] is not None)
    row = next(r for r in rows if int(r["id"]) == first.id)
    assert float(row["prosody_loudness_db"]) == pytest.approx(first.prosody["loudness_db"])
    assert np.isfinite(float(row["start"]))


def test_bad_input() -> None:
    with pytest.raises(es.ParameterError, match="Event"):
        export.turn_rows([{"type": "turn"}])  # type: ignore[list-item]
    with pytest.raises(es.ParameterError, match="nothing to export"):
        export.write_textgrid([], "/tmp/never.TextGrid")
