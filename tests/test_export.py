"""Exports: JSONL, RTTM, Praat TextGrid and CSV of turns, read back by independent readers
(json, our RTTM reader, Praat via parselmouth, csv)."""

from __future__ import annotations

import csv
import itertools
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import empathysignals as es
from depth import examples
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
    assert names[:2] == ["turns customer", "turns agent"]  # the call's roles, in order
    assert names[2:] == ["pauses", "gaps", "overlaps", "holds", "dead air", "emotion customer",
                         "emotion agent"]  # fmt: skip
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


def test_dataframe_is_the_turn_rows(events: list[es.Event]) -> None:
    """One DataFrame row per closed turn, the columns and values of ``turn_rows``; a
    clear error naming the fix where pandas is missing."""
    pd = pytest.importorskip("pandas", reason="to_dataframe needs pandas (the [test] extra)")
    frame = export.to_dataframe(events)
    rows = export.turn_rows(events)
    assert isinstance(frame, pd.DataFrame) and len(frame) == len(rows) > 0
    assert list(frame.columns) == list(dict.fromkeys(k for r in rows for k in r))
    assert frame["id"].tolist() == [r["id"] for r in rows]
    assert frame["speaker"].tolist() == [r["speaker"] for r in rows]
    np.testing.assert_allclose(frame["start"].to_numpy(float), [r["start"] for r in rows])
    valence = [r.get("state_valence") for r in rows]
    got = frame["state_valence"].to_numpy(float)
    want = np.array([np.nan if v is None else v for v in valence], dtype=float)
    np.testing.assert_allclose(got, want, equal_nan=True)


def test_dataframe_without_pandas_says_how_to_get_it(
    events: list[es.Event], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    with pytest.raises(es.MissingDependencyError, match="pip install pandas"):
        export.to_dataframe(events)


def test_bad_input() -> None:
    with pytest.raises(es.ParameterError, match="Event"):
        export.turn_rows([{"type": "turn"}])  # type: ignore[list-item]
    with pytest.raises(es.ParameterError, match="nothing to export"):
        export.write_textgrid([], "/tmp/never.TextGrid")
    turn = es.TurnEvent(1, 0.0, 1.0, 1.0, speaker="customer")
    with pytest.raises(es.ParameterError, match="under the file's 1 ms"):
        export.write_textgrid([turn], "/tmp/never.TextGrid", duration_s=0.0004)


# --- Property tests: the exports of many random event streams ----------------------------
#
# The turn-taking detector on random two-leg activity (as in tests/test_turn_taking.py) gives
# realistic streams cheaply: turns (long ones in parts), pauses, gaps (some of offset 0),
# interruptions, backchannels, dead air, silent holds (a muted agent leg), with their open
# announcements. Some turns get a text emotion, some streams a summary or an audio length
# that is not a whole number of milliseconds (a sample count at 8 kHz).

HOP = 0.01
_EXPORTED = {"pause": "pauses", "gap": "gaps", "interruption": "overlaps", "hold": "holds",
             "dead_air": "dead air"}  # fmt: skip


@dataclass
class Stream:
    """A detector's events, decorated, and what write_textgrid is given."""

    events: list[es.Event]
    roles: tuple[str, ...]
    duration_s: float | None  # passed to write_textgrid


def _frames() -> st.SearchStrategy[int]:
    # thresholds of the default config, ±1 frame, where the state machine's rules switch
    cfg = es.TurnTakingConfig()
    edges = [
        round(v / HOP) + d
        for v in (cfg.min_pause_s, cfg.backchannel_max_s, cfg.backchannel_resume_s)
        for d in (-1, 0, 1)
    ]
    return st.one_of(st.integers(1, 400), st.sampled_from(edges))


@st.composite
def streams(draw: st.DrawFn) -> Stream:
    """Events of the turn-taking detector on random activity, decorated as described above."""
    from empathysignals.detectors.base import DetectorContext
    from empathysignals.detectors.turn_taking import TurnTakingDetector
    from empathysignals.testing import frames_from_activity

    roles = draw(st.sampled_from([("customer", "agent"), ("rep", "caller")]))
    # each leg's talk spurts on its own, then (on top) a dialogue: the legs in turn, each
    # answering the other at an offset, often exactly at their last frame (offset 0)
    legs = [draw(st.lists(st.tuples(_frames(), _frames()), max_size=20)) for _ in roles]
    offset = st.integers(-80, 120) | st.just(0)
    dialogue = draw(st.lists(st.tuples(st.integers(1, 400), offset), max_size=12))
    solo = max(sum(g + t for g, t in spurts) for spurts in legs)
    n = max(solo, sum(t + abs(o) for t, o in dialogue)) + 600  # ends in dead air
    act = np.zeros((n, 2), dtype=bool)
    for leg, spurts in enumerate(legs):
        t = 0
        for silence, talk in spurts:
            act[t + silence : t + silence + talk, leg] = True
            t += silence + talk
    t = 0
    for k, (talk, gap) in enumerate(dialogue):
        act[t : t + talk, k % 2] = True
        t = max(0, t + talk + gap)
    energy = np.where(act, -20.0, -50.0)
    for a, length in draw(st.lists(st.tuples(st.integers(0, n), st.integers(50, 800)), max_size=2)):
        act[a : a + length, 1], energy[a : a + length, 1] = False, -120.0  # agent line muted
    cfg = es.TurnTakingConfig(
        max_turn_s=draw(st.sampled_from([0.0, 1.5, 4.0, 20.0])), silent_holds=True
    )
    det = TurnTakingDetector(DetectorContext(roles, 0), cfg)
    events = det.push(frames_from_activity(act, roles=roles, energy_db=energy)) + det.flush()

    decorated: list[es.Event] = []
    for ev in events:
        if isinstance(ev, es.TurnEvent):
            if draw(st.booleans()):  # a turn announced open first: never exported
                decorated.append(replace(ev, end=None, emitted_at=ev.start))
            if draw(st.booleans()):
                label = draw(st.sampled_from(["anger", "joy", 'say "no"']))
                valence = draw(st.none() | st.floats(-1, 1))
                emotion = {"top": [[label, 0.7]], "valence": valence}
                ev = replace(ev, emotion=emotion)
        decorated.append(ev)
    end_s = n * HOP
    if draw(st.booleans()):  # its whole frames may be fewer or more than the detector's
        summary_s = draw(st.integers(n // 2, n + 100)) * HOP
        decorated.append(es.SummaryEvent(10**6, 0.0, summary_s, summary_s, duration_s=summary_s))
    duration_s = draw(
        st.none()
        | st.just(end_s + 0.000375)  # 3 samples at 8 kHz past the last frame
        | st.integers(8, 8000 * n // 100).map(lambda k: k / 8000)  # may cut events short
    )
    return Stream(decorated, roles, duration_s)


def _closed_turns(events: list[es.Event]) -> list[es.TurnEvent]:
    return [e for e in events if isinstance(e, es.TurnEvent) and e.end is not None]


@settings(max_examples=examples(150), deadline=None)
@given(stream=streams())
def test_rttm_is_every_closed_turn(
    stream: Stream, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """One SPEAKER line per closed turn, a long turn's parts each a line of their own (they
    are separated by the speaker's pause, so one speaker's lines never overlap), in order of
    start, times to the file's 1 ms; nothing else."""
    path = tmp_path_factory.mktemp("rttm") / "t.rttm"
    export.write_rttm(stream.events, path, file_id="call")
    rows = es.read_rttm(path)
    got = [(s, round(a, 3), round(b, 3)) for s, a, b in rows]
    turns = _closed_turns(stream.events)
    want = [(t.speaker, round(t.start, 3), round(t.end, 3)) for t in turns]  # type: ignore[arg-type]
    assert sorted(got) == sorted(want)
    assert [a for _, a, _ in got] == sorted(a for _, a, _ in got)
    for role in stream.roles:
        mine = sorted((a, b) for s, a, b in got if s == role)
        assert all(b <= c for (_, b), (c, _) in itertools.pairwise(mine)), role


@settings(max_examples=examples(100), deadline=None)
@given(
    turns=st.lists(
        st.tuples(st.floats(0, 5000), st.floats(0.001, 60), st.sampled_from(["a", "b"])),
        min_size=1,
        max_size=10,
    )
)
def test_rttm_times_are_the_turns_to_the_millisecond(
    turns: list[tuple[float, float, str]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Turns at any times (a text stream's, say): onset + duration read back is the turn's
    end rounded to 1 ms (the duration is written between the rounded times), with no float
    residue from the sum (read_rttm once gave 19.040000000000003)."""
    events = [es.TurnEvent(k, a, a + d, a + d, speaker=s) for k, (a, d, s) in enumerate(turns)]
    path = tmp_path_factory.mktemp("rttm") / "t.rttm"
    export.write_rttm(events, path)
    got = sorted(es.read_rttm(path))
    assert got == sorted((t.speaker, round(t.start, 3), round(t.end, 3)) for t in events)  # type: ignore[arg-type]


def _grid_tiers(path: Path) -> tuple[float, dict[str, list[tuple[float, float, str]]]]:
    """Praat's reading of a TextGrid: its end time and every tier's intervals, checked to
    tile [0, end] (each interval starting where the one before it ended, none empty)."""
    import parselmouth
    from parselmouth.praat import call

    grid = parselmouth.read(str(path))
    xmax = call(grid, "Get end time")
    tiers = {}
    for k in range(1, call(grid, "Get number of tiers") + 1):
        name = call(grid, "Get tier name", k)
        intervals = [
            (
                call(grid, "Get start time of interval", k, i),
                call(grid, "Get end time of interval", k, i),
                call(grid, "Get label of interval", k, i),
            )
            for i in range(1, call(grid, "Get number of intervals", k) + 1)
        ]
        bounds = [0.0] + [b for _, b, _ in intervals]
        assert [a for a, _, _ in intervals] == bounds[:-1], name
        assert bounds[-1] == xmax, name
        assert all(a < b for a, b, _ in intervals), name
        assert name not in tiers, name
        tiers[name] = intervals
    return xmax, tiers


def _tier_label(ev: es.Event) -> str:
    """The label docs give each event on its tier."""
    if isinstance(ev, es.TurnEvent | es.PauseEvent):
        return ev.speaker
    if isinstance(ev, es.GapEvent):
        return f"{ev.from_}->{ev.to} {ev.offset:+.2f}"
    if isinstance(ev, es.InterruptionEvent):
        return ev.by
    if isinstance(ev, es.HoldEvent):
        return ev.kind
    assert isinstance(ev, es.DeadAirEvent)
    return "dead_air"


def _emotion_label(turn: es.TurnEvent) -> str:
    assert turn.emotion is not None
    valence = turn.emotion["valence"]
    tail = "" if valence is None else f" ({valence:+.2f})"
    return f"{turn.speaker}: {turn.emotion['top'][0][0]}{tail}"


@settings(max_examples=examples(150), deadline=None)
@given(stream=streams())
def test_textgrid_tiers_hold_exactly_their_events(
    stream: Stream, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Praat reads every grid; each tier's labelled intervals are exactly the closed events
    the docstring gives it, with their labels: turns and emotion per role (the two roles'
    turns overlap at overlapping transfers, and no emotion is clipped or dropped for it),
    pauses, gaps, overlaps, holds, dead air. Only what the docstring allows is missing: open
    announcements, events of no length (gaps of offset 0) and what lies past the grid's end
    (clipped to it); events past the end of the summary or of the audio are clipped."""
    path = tmp_path_factory.mktemp("grid") / "t.TextGrid"
    closed = [e for e in stream.events if e.end is not None]
    summary = [e for e in closed if isinstance(e, es.SummaryEvent)]
    if stream.duration_s is not None:
        want_xmax = stream.duration_s
    elif summary:
        want_xmax = summary[0].duration_s
    else:
        want_xmax = max([0.0, *(float(e.end) for e in closed if e.end is not None)])
    if round(want_xmax, 3) <= 0:  # nothing to export (found at depth 10: no closed event)
        with pytest.raises(es.ParameterError, match="nothing to export"):
            export.write_textgrid(stream.events, path, duration_s=stream.duration_s)
        return
    export.write_textgrid(stream.events, path, duration_s=stream.duration_s)
    xmax, tiers = _grid_tiers(path)
    assert xmax == pytest.approx(round(want_xmax, 3), abs=1e-9)

    def want(events: list[es.Event], label: Any = _tier_label) -> list[tuple[float, float, str]]:
        out = []
        for e in events:
            a, b = round(e.start, 3), min(round(e.end, 3), round(want_xmax, 3))  # type: ignore[arg-type]
            if b > a:
                out.append((a, b, label(e)))
        return sorted(out)

    def got(name: str) -> list[tuple[float, float, str]]:
        return [(round(a, 3), round(b, 3), x) for a, b, x in tiers[name] if x]

    summaries = [e for e in closed if isinstance(e, es.SummaryEvent)]
    firsts = [t.speaker for t in sorted(_closed_turns(closed), key=lambda t: t.start)]
    roles = [r for r in (summaries[0].talk_time_s if summaries else []) if r in firsts]
    roles += [r for r in dict.fromkeys(firsts) if r not in roles]  # no summary: first turn
    assert list(tiers) == (
        [f"turns {r}" for r in roles] + list(_EXPORTED.values()) + [f"emotion {r}" for r in roles]
    )
    for r in roles:
        turns = [t for t in _closed_turns(closed) if t.speaker == r]
        assert got(f"turns {r}") == want(turns), r  # type: ignore[arg-type]
        felt = [t for t in turns if t.emotion]
        assert got(f"emotion {r}") == want(felt, _emotion_label), r  # type: ignore[arg-type]
    for kind, name in _EXPORTED.items():
        assert got(name) == want([e for e in closed if e.type == kind]), name


@settings(max_examples=examples(100), deadline=None)
@given(
    holds=st.lists(
        st.tuples(st.floats(0, 20), st.floats(0, 5), st.sampled_from(["music", "marker"])),
        min_size=1,
        max_size=8,
    )
)
def test_textgrid_clips_events_that_overlap_on_a_tier(
    holds: list[tuple[float, float, str]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Hand-built holds at any times, overlapping: as the docstring says, each starts where
    the one before it on the tier ended (in order of start), and one that ends there, or
    has no length, has no interval; Praat reads the grid."""
    events = [es.HoldEvent(k, a, a + d, a + d, kind=x) for k, (a, d, x) in enumerate(holds)]
    assume(max(round(e.end, 3) for e in events) > 0)  # type: ignore[arg-type]
    path = tmp_path_factory.mktemp("grid") / "t.TextGrid"
    export.write_textgrid(events, path)
    xmax, tiers = _grid_tiers(path)
    assert xmax == pytest.approx(round(max(a + d for a, d, _ in holds), 3), abs=1e-9)
    want, t = [], 0.0
    for a, b, x in sorted((round(e.start, 3), round(e.end, 3), e.kind) for e in events):  # type: ignore[arg-type]
        if b > max(a, t):
            want.append((max(a, t), b, x))
            t = b
    assert [(round(a, 3), round(b, 3), x) for a, b, x in tiers["holds"] if x] == want


@settings(max_examples=examples(150), deadline=None)
@given(stream=streams())
def test_csv_and_turn_rows_are_every_closed_turn(
    stream: Stream, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """One row per closed turn (each part of a long turn), in stream order, with its id,
    speaker, part, times and emotion label; the CSV reads back to the same values."""
    turns = _closed_turns(stream.events)
    rows = export.turn_rows(stream.events)
    assert [(r["id"], r["speaker"], r["part"], r["start"], r["end"]) for r in rows] == [
        (t.id, t.speaker, t.part, t.start, t.end) for t in turns
    ]
    assert [r["emotion_label"] for r in rows] == [
        t.emotion["top"][0][0] if t.emotion else None for t in turns
    ]
    path = tmp_path_factory.mktemp("csv") / "turns.csv"
    export.write_csv(stream.events, path)
    with path.open(newline="") as fh:
        back = list(csv.DictReader(fh))
    read = [(int(r["id"]), r["speaker"], int(r["part"]), float(r["start"]), float(r["end"]))
            for r in back]  # fmt: skip
    assert read == [(t.id, t.speaker, t.part, t.start, t.end) for t in turns]
    assert [r["emotion_label"] for r in back] == [
        t.emotion["top"][0][0] if t.emotion else "" for t in turns
    ]


@settings(max_examples=examples(50), deadline=None)
@given(stream=streams())
def test_jsonl_is_every_event(stream: Stream, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every event, open announcements included, in order, reads back to the same JSON."""
    path = tmp_path_factory.mktemp("jsonl") / "e.jsonl"
    export.write_jsonl(stream.events, path)
    back = [es.event_from_dict(json.loads(line)) for line in path.read_text().splitlines()]
    assert [e.to_dict() for e in back] == [e.to_dict() for e in stream.events]


def test_a_quote_in_a_role_name_is_escaped_in_the_textgrid(tmp_path: Path) -> None:
    """Role names may hold a quote; the tier name was written bare and Praat refused the
    file."""
    import parselmouth
    from parselmouth.praat import call

    turns = [
        es.TurnEvent(1, 0.5, 2.0, 2.5, speaker='cus"tomer'),
        es.TurnEvent(2, 2.2, 4.0, 4.5, speaker="agent"),
    ]
    export.write_textgrid(turns, tmp_path / "q.TextGrid")
    grid = parselmouth.read(str(tmp_path / "q.TextGrid"))
    names = [
        call(grid, "Get tier name", k) for k in range(1, call(grid, "Get number of tiers") + 1)
    ]
    assert 'turns cus"tomer' in names
