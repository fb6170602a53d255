"""Transcripts in the Analyzer: text attached to audio turns (batch and live), text-only
conversations, cross-call batching, and bad transcript input."""

from __future__ import annotations

import csv
import json
import pickle
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import empathysignals as es
from depth import examples
from empathysignals.events import GapEvent, TurnEvent

RATE = 8000


@pytest.fixture(scope="module")
def analyzer() -> es.Analyzer:
    return es.Analyzer(roles=("customer", "agent"), sample_rate=RATE)


# ---------------------------------------------------------------- text-only conversations

CHAT = [
    {"speaker": "customer", "start": 0.0, "text": "Hi, my internet is down again."},
    {"speaker": "customer", "start": 4.0, "text": "Third time this week, I'm really fed up."},
    {"speaker": "agent", "start": 41.0, "text": "I'm sorry to hear that, let me check."},
    {"speaker": "customer", "start": 161.0, "text": "Thanks, that fixed it!"},
    {"speaker": "agent", "start": 162.5, "text": "Glad I could help."},
]


def test_text_only_conversation() -> None:
    events = es.analyze_transcript(CHAT)
    turns = [e for e in events if isinstance(e, TurnEvent)]
    gaps = [e for e in events if isinstance(e, GapEvent)]
    assert [(t.speaker, t.start, t.end) for t in turns] == [
        ("customer", 0.0, 4.0),
        ("agent", 41.0, 41.0),
        ("customer", 161.0, 161.0),
        ("agent", 162.5, 162.5),
    ]
    assert turns[0].text == CHAT[0]["text"] + " " + CHAT[1]["text"]
    assert [(g.from_, g.to, g.offset) for g in gaps] == [
        ("customer", "agent", 37.0),
        ("agent", "customer", 120.0),
        ("customer", "agent", 1.5),
    ]
    for turn in turns:
        assert turn.emotion is not None and turn.emotion["model"] == "goemotions-minilm-l6"
        assert -1 <= turn.emotion["valence"] <= 1
        assert set(turn.emotion["sentiment"]) == {"positive", "negative", "ambiguous", "neutral"}
    # A turn is known to be over when the other party writes.
    assert turns[0].emitted_at == 41.0
    summary = events[-1]
    assert isinstance(summary, es.SummaryEvent)
    assert summary.turns == {"customer": 2, "agent": 2}
    lat = summary.response_latency_s
    assert lat["customer->agent"]["count"] == 2
    assert lat["customer->agent"]["mean"] == pytest.approx(19.25)
    assert lat["agent->customer"]["median"] == 120.0  # minutes-long answers are not clipped
    assert summary.duration_s == pytest.approx(162.5)
    for ev in events:
        assert es.event_from_dict(json.loads(json.dumps(ev.to_dict()))) == ev


def test_text_only_streaming_equals_batch(analyzer: es.Analyzer) -> None:
    call = analyzer.stream(audio=False)
    live = []
    for message in CHAT:
        live += call.push_transcript([message])
    live += call.finish()
    assert live == es.analyze_transcript(CHAT)


def test_text_only_stream_rejects_audio_and_disorder(analyzer: es.Analyzer) -> None:
    call = analyzer.stream(audio=False)
    with pytest.raises(es.StreamStateError, match="text-only"):
        call.push(np.zeros((800, 2), dtype=np.float32))
    call.push_transcript([CHAT[2]])
    with pytest.raises(es.ParameterError, match="time order"):
        call.push_transcript([CHAT[0]])


def test_chat_from_jsonl_file(tmp_path: Path) -> None:
    path = tmp_path / "chat.jsonl"
    path.write_text("\n".join(json.dumps(m) for m in CHAT) + "\n")
    from_file = es.analyze_transcript(path)
    assert from_file == es.analyze_transcript(CHAT)
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(es.ParameterError, match="not valid JSON"):
        es.analyze_transcript(tmp_path / "bad.json")
    (tmp_path / "obj.json").write_text(json.dumps({"rows": []}))
    with pytest.raises(es.ParameterError, match="segments"):
        es.analyze_transcript(tmp_path / "obj.json")


BAD_ROWS = {
    "unknown speaker": ({"speaker": "bot", "start": 0, "text": "hi"}, "not a role"),
    "nan time": ({"speaker": "agent", "start": float("nan"), "text": "hi"}, "finite"),
    "end before start": ({"speaker": "agent", "start": 2, "end": 1, "text": "hi"}, "start <= end"),
    "negative": ({"speaker": "agent", "start": -1, "text": "hi"}, "start <= end"),
    "no text": ({"speaker": "agent", "start": 0}, "needs speaker, start, text"),
    "text not str": ({"speaker": "agent", "start": 0, "text": 5}, "text must be str"),
    "scalar": (42, "pass TranscriptSegment"),
}


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_bad_transcript_rows(analyzer: es.Analyzer, case: str) -> None:
    row, message = BAD_ROWS[case]
    with pytest.raises(es.ParameterError, match=message):
        analyzer.stream(audio=False).push_transcript([row])
    with pytest.raises(es.ParameterError, match=message):
        analyzer.stream().push_transcript([row])


def test_emotion_model_none_attaches_text_only() -> None:
    events = es.analyze_transcript(CHAT, emotion_model=None)
    turns = [e for e in events if isinstance(e, TurnEvent)]
    assert turns[0].text and all(t.emotion is None for t in turns)
    with pytest.raises(es.ParameterError, match="emotion_model"):
        es.Analyzer(emotion_model=3.0)  # type: ignore[arg-type]


# ---------------------------------------------------------------- audio + transcript


def _ivr_call(data_dir: Path) -> tuple[np.ndarray, list[dict[str, object]]]:
    """A two-leg 8 kHz call from real IVR prompts with their real transcripts: agent,
    customer, agent, customer, each answering after a short gap."""
    folder = data_dir / "speech" / "asterisk_ivr_prompts"
    with (folder / "manifest.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    picks = [rows[i] for i in (0, 5, 11, 17)]
    rng = np.random.default_rng(7)
    placed: list[tuple[int, int, np.ndarray]] = []  # (leg, start sample, audio)
    segments: list[dict[str, object]] = []
    start = int(0.5 * RATE)
    for k, row in enumerate(picks):
        audio, rate = sf.read(folder / row["file"], dtype="float32")
        assert rate == RATE
        # Trim the prompt's leading/trailing silence so the transcript times are the speech.
        loud = np.flatnonzero(np.abs(audio) > 0.02)
        audio = audio[loud[0] : loud[-1] + 1]
        leg = 1 if k % 2 == 0 else 0  # the agent (column 1) speaks first
        placed.append((leg, start, audio))
        segments.append(
            {
                "speaker": ("customer", "agent")[leg],
                "start": start / RATE,
                "end": (start + len(audio)) / RATE,
                "text": " ".join(row["transcript"].split()),
            }
        )
        start += len(audio) + int(0.7 * RATE)
    out = np.zeros((start + 3 * RATE, 2), dtype=np.float32)
    for leg, at, audio in placed:
        out[at : at + len(audio), leg] = audio
    out += rng.standard_normal(out.shape).astype(np.float32) * 3e-4  # line noise
    return out, segments


@pytest.fixture(scope="module")
def ivr_call(data_dir: Path) -> tuple[np.ndarray, list[dict[str, object]]]:
    return _ivr_call(data_dir)


def test_transcript_attaches_to_audio_turns(
    ivr_call: tuple[np.ndarray, list[dict[str, object]]],
) -> None:
    samples, segments = ivr_call
    events = es.analyze(samples, RATE, transcript=segments)
    turns = [e for e in events if isinstance(e, TurnEvent)]
    assert [t.speaker for t in turns] == [s["speaker"] for s in segments]
    for turn, seg in zip(turns, segments, strict=True):
        assert turn.text == seg["text"]
        assert abs(turn.start - float(seg["start"])) < 0.3  # type: ignore[arg-type]
        assert turn.emotion is not None and turn.emotion["top"]
    # With the whole transcript up front, turns are not delayed.
    plain = [e for e in es.analyze(samples, RATE) if isinstance(e, TurnEvent)]
    assert [t.emitted_at for t in turns] == [t.emitted_at for t in plain]


def test_live_transcript_equals_batch(
    analyzer: es.Analyzer, ivr_call: tuple[np.ndarray, list[dict[str, object]]]
) -> None:
    """20 ms audio chunks, ASR partials mid-utterance, finals 0.7 s after each utterance."""
    samples, segments = ivr_call
    batch = [e for e in es.analyze(samples, RATE, transcript=segments) if e.type == "turn"]
    call = analyzer.stream(transcript=True)
    live: list[es.Event] = []
    partial_sent: set[int] = set()
    final_sent: set[int] = set()
    chunk = 160
    for start in range(0, len(samples), chunk):
        live += call.push(samples[start : start + chunk])
        now = call.stream_time_s
        for k, seg in enumerate(segments):
            s0, s1 = float(seg["start"]), float(seg["end"])  # type: ignore[arg-type]
            words = str(seg["text"]).split()
            if k not in partial_sent and now >= (s0 + s1) / 2:
                partial = {**seg, "end": (s0 + s1) / 2, "final": False, "id": f"u{k}"}
                live += call.push_transcript([{**partial, "text": " ".join(words[:2])}])
                partial_sent.add(k)
            if k not in final_sent and now >= s1 + 0.7:
                live += call.push_transcript([{**seg, "id": f"u{k}"}])
                final_sent.add(k)
    live += call.finish()
    turns = [e for e in live if e.type == "turn"]
    assert [(t.speaker, t.start, t.end, t.text) for t in turns] == [
        (t.speaker, t.start, t.end, t.text) for t in batch
    ]
    for got, want in zip(turns, batch, strict=True):
        assert got.emotion == want.emotion
        # Held for the ASR result, never longer than the configured wait.
        assert got.end is not None
        assert want.emitted_at <= got.emitted_at
        waited = got.end + analyzer.transcript.wait_s + analyzer.latency_s
        assert got.emitted_at <= max(want.emitted_at, waited) + 1e-9


@settings(
    deadline=None,
    max_examples=examples(6),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_live_transcript_at_any_chunking_and_delay_equals_batch(
    analyzer: es.Analyzer,
    ivr_call: tuple[np.ndarray, list[dict[str, object]]],
    data: st.DataObject,
) -> None:
    """Audio in chunks cut at random points; each utterance's final ASR result arrives
    0-1.9 s after it ends (under the 2 s wait) and sometimes a partial first: every turn's
    text, emotion and state, and every other event but its emission time, equal the batch
    run's with the whole transcript up front."""
    samples, segments = ivr_call
    batch = es.analyze(samples, RATE, transcript=segments)
    n = len(segments)
    delays = data.draw(st.lists(st.floats(0.0, 1.9), min_size=n, max_size=n), label="delays")
    partials = data.draw(st.lists(st.booleans(), min_size=n, max_size=n), label="partials")
    cuts = sorted(set(data.draw(st.lists(st.integers(1, len(samples) - 1), max_size=40))))
    call = analyzer.stream(transcript=True)
    live: list[es.Event] = []
    sent_partial: set[int] = set()
    sent_final: set[int] = set()

    def send_due() -> None:
        nonlocal live
        now = call.stream_time_s
        for k, seg in enumerate(segments):
            s0, s1 = float(seg["start"]), float(seg["end"])  # type: ignore[arg-type]
            if partials[k] and k not in sent_partial and now >= (s0 + s1) / 2:
                words = str(seg["text"]).split()[:2]
                partial = {**seg, "end": (s0 + s1) / 2, "final": False, "id": f"u{k}"}
                live += call.push_transcript([{**partial, "text": " ".join(words)}])
                sent_partial.add(k)
            if k not in sent_final and now >= s1 + delays[k]:
                live += call.push_transcript([{**seg, "id": f"u{k}"}])
                sent_final.add(k)

    for a, b in zip([0, *cuts], [*cuts, len(samples)], strict=True):
        # a long chunk is fed in 0.1 s steps for the ASR results due inside it
        for start in range(a, b, RATE // 10):
            live += call.push(samples[start : min(b, start + RATE // 10)])
            send_due()
    live += call.finish()

    def content(events: list[es.Event]) -> list[dict[str, object]]:
        out = []
        for e in events:
            d = e.to_dict()
            d.pop("emitted_at")
            out.append(d)
        return sorted(out, key=lambda d: (d["type"], d["start"], d.get("speaker", "")))

    def comparable(e: es.Event) -> bool:
        # agitation_rising is triggered where its turn's state became known: later when the
        # turn waited for its words
        return e.type != "summary" and getattr(e, "kind", "") != "agitation_rising"

    assert content([e for e in live if comparable(e)]) == content(
        [e for e in batch if comparable(e)]
    )
    # The summary's figures too (its emission time is the stream's end in both).
    assert live[-1].to_dict() == batch[-1].to_dict()


def test_turn_released_without_transcript_after_wait(
    analyzer: es.Analyzer, ivr_call: tuple[np.ndarray, list[dict[str, object]]]
) -> None:
    samples, _ = ivr_call
    call = analyzer.stream(transcript=True)
    events = []
    for start in range(0, len(samples), 800):
        events += call.push(samples[start : start + 800])
    events += call.finish()
    turns = [e for e in events if isinstance(e, TurnEvent)]
    assert turns and all(t.text == "" and t.emotion is None for t in turns)
    decided = [e for e in es.analyze(samples, RATE) if isinstance(e, TurnEvent)]
    assert len(decided) == len(turns)
    end_s = events[-1].end
    for t, d in zip(turns[:-1], decided, strict=False):
        assert t.end is not None
        # Released when the wait is over (or when decided, if that came later), in input
        # time like every emission time: labels are final `latency_s` after their input.
        # Turns still waiting when the stream ends go out at its end.
        waited = t.end + analyzer.transcript.wait_s + analyzer.latency_s
        expected = min(max(d.emitted_at, waited), end_s)
        assert t.emitted_at == pytest.approx(expected, abs=1e-6)


def test_push_many_batches_across_calls(
    analyzer: es.Analyzer, ivr_call: tuple[np.ndarray, list[dict[str, object]]]
) -> None:
    samples, segments = ivr_call
    calls = [analyzer.stream(), analyzer.stream()]
    for call in calls:
        call.push_transcript(segments, complete=True)
    outs: list[list[es.Event]] = [[], []]
    for start in range(0, len(samples), 4000):
        chunk = samples[start : start + 4000]
        for i, events in enumerate(analyzer.push_many([(calls[0], chunk), (calls[1], chunk)])):
            outs[i] += events
    for i in range(2):
        outs[i] += calls[i].finish()
    alone = es.analyze(samples, RATE, transcript=segments)
    for out in outs:
        assert [e.to_dict() for e in out if e.type != "turn"] == [
            e.to_dict() for e in alone if e.type != "turn"
        ]
        got = [e for e in out if isinstance(e, TurnEvent)]
        want = [e for e in alone if isinstance(e, TurnEvent)]
        assert [t.text for t in got] == [t.text for t in want]
        for a, b in zip(got, want, strict=True):
            assert a.emotion is not None and b.emotion is not None
            assert a.emotion["valence"] == pytest.approx(b.emotion["valence"], abs=2e-4)
    other = es.Analyzer()
    with pytest.raises(es.ParameterError, match="this Analyzer"):
        analyzer.push_many([(other.stream(), samples[:800])])


def test_push_many_refuses_a_call_twice_and_a_refused_round_leaves_no_trace(
    analyzer: es.Analyzer, ivr_call: tuple[np.ndarray, list[dict[str, object]]]
) -> None:
    """One call twice in a round scored its waiting turns twice (duplicate turn events);
    a round refused for one call's bad chunk had already analysed the calls before it, so
    a host retrying the round fed them the audio twice."""
    samples, segments = ivr_call
    first, second = analyzer.stream(), analyzer.stream()
    first.push_transcript(segments, complete=True)
    with pytest.raises(es.ParameterError, match="appears twice"):
        analyzer.push_many([(first, samples[:160]), (first, samples[160:320])])
    with pytest.raises(es.AudioError):
        analyzer.push_many([(first, samples[:8000]), (second, np.zeros((10, 3), np.float32))])
    assert first.stream_time_s == 0.0 and second.stream_time_s == 0.0
    events = analyzer.push_many([(first, samples), (second, samples)])[0] + first.finish()
    alone = es.analyze(samples, RATE, transcript=segments)
    assert [e.to_dict() for e in events if e.type != "turn"] == [
        e.to_dict() for e in alone if e.type != "turn"
    ]
    assert [e.id for e in events if e.type == "turn"] == [e.id for e in alone if e.type == "turn"]


def test_call_with_transcript_pickles_midway(
    analyzer: es.Analyzer, ivr_call: tuple[np.ndarray, list[dict[str, object]]]
) -> None:
    samples, segments = ivr_call
    half = len(samples) // 2
    call = analyzer.stream()
    first = call.push_transcript(segments) + call.push(samples[:half])
    blob = pickle.dumps(call)
    assert len(blob) < 300_000
    resumed = analyzer.resume(pickle.loads(blob))
    rest = resumed.push(samples[half:]) + resumed.transcript_complete() + resumed.finish()
    whole = es.analyze(samples, RATE, transcript=segments)
    a = [e for e in first + rest if e.type == "turn"]
    b = [e for e in whole if e.type == "turn"]
    assert [(t.start, t.text) for t in a] == [(t.start, t.text) for t in b]


def test_final_transcript_going_back_in_time_is_an_error(analyzer: es.Analyzer) -> None:
    call = analyzer.stream()
    call.push_transcript([{"speaker": "agent", "start": 5.0, "end": 6.0, "text": "b"}])
    with pytest.raises(es.ParameterError, match="back in time"):
        call.push_transcript([{"speaker": "agent", "start": 1.0, "end": 2.0, "text": "a"}])


def test_segments_in_any_order_within_a_push_and_a_refused_push_leaves_no_trace(
    ivr_call: tuple[np.ndarray, list[dict[str, object]]],
) -> None:
    """The docstring's "in any order within a push" holds (a shuffled transcript gives the
    events of the ordered one), and a push refused for going back in time changes nothing:
    its own segments were once kept, so a later valid push was refused too."""
    samples, segments = ivr_call
    ordered = es.analyze(samples, RATE, transcript=segments)
    shuffled = [segments[k] for k in np.random.default_rng(7).permutation(len(segments))]
    assert [e.to_dict() for e in es.analyze(samples, RATE, transcript=shuffled)] == [
        e.to_dict() for e in ordered
    ]
    call = es.Analyzer(emotion_model=None).stream()
    call.push_transcript([{"speaker": "agent", "start": 5.0, "end": 6.0, "text": "b"}])
    with pytest.raises(es.ParameterError, match="back in time"):
        call.push_transcript(
            [
                {"speaker": "agent", "start": 9.0, "end": 9.5, "text": "late"},
                {"speaker": "agent", "start": 1.0, "end": 2.0, "text": "a"},
            ]
        )
    call.push_transcript([{"speaker": "agent", "start": 7.0, "end": 8.0, "text": "c"}])


def test_a_lone_surrogate_in_the_text_is_a_replacement_character(
    ivr_call: tuple[np.ndarray, list[dict[str, object]]], tmp_path: Path
) -> None:
    """JSON allows a lone UTF-16 surrogate ("\\ud83d", half an emoji an ASR cut in two); it
    once broke the stream for good (the tokenizer refused it on every later push) and the
    CSV and HTML exports. It reads as U+FFFD."""
    samples, segments = ivr_call
    cut = [{**segments[0], "text": f"{segments[0]['text']} \ud83d"}, *segments[1:]]
    events = es.analyze(samples, RATE, transcript=cut)
    first = next(e for e in events if isinstance(e, TurnEvent))
    assert first.text == f"{segments[0]['text']} \ufffd" and first.emotion is not None
    from empathysignals import export

    export.write_csv(events, tmp_path / "turns.csv")
    assert "\ufffd" in (tmp_path / "turns.csv").read_text(encoding="utf-8")


def test_a_text_only_summary_counts_its_turns_as_talk() -> None:
    """A chat has no frames: talk time is each role's turn spans, non-talk time the rest of
    the conversation, and the summary agrees with its events (it once gave 0 talk and 0
    non-talk time for a conversation of 162.5 s)."""
    from empathysignals.testing import summary_contradictions

    events = es.analyze_transcript(CHAT, emotion_model=None)
    summary = events[-1]
    assert isinstance(summary, es.SummaryEvent)
    turns = [e for e in events if isinstance(e, TurnEvent)]
    for role in ("customer", "agent"):
        spans = sum((t.end or t.start) - t.start for t in turns if t.speaker == role)
        assert summary.talk_time_s[role] == pytest.approx(spans)
    assert summary.non_talk_time_s == pytest.approx(
        summary.duration_s - sum(summary.talk_time_s.values()) + summary.overtalk_time_s
    )
    assert summary.non_talk_time_s > 0
    assert summary_contradictions(events) == []
