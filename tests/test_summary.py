"""The summary's response-latency statistics against numpy on the same offsets.

The summary keeps a bounded histogram (10 ms bins within a minute, 1 s within an hour, 1 min
beyond), so on offsets that lie on those bins its mean, median and p90 must be numpy's
(``np.mean``, ``np.median``, ``np.quantile(q=0.9)``, numpy's default "linear" method) to
rounding; off the bins, within half a bin.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import empathysignals as es
from depth import examples
from empathysignals.detectors.base import DetectorContext
from empathysignals.events import GapEvent
from empathysignals.summary import SummaryBuilder

_ON_BINS = st.one_of(
    st.integers(-300, 6000).map(lambda k: k / 100),  # 10 ms steps within a minute
    st.integers(61, 3600).map(float),  # 1 s steps within an hour
    st.integers(61, 600).map(lambda k: k * 60.0),  # minutes beyond (chat, email)
)


def _latency(offsets: list[float]) -> dict:
    builder = SummaryBuilder(DetectorContext(("customer", "agent"), latency_frames=0))
    gaps = [GapEvent(k, 0.0, 1.0, 1.0, from_="customer", to="agent", offset=o)
            for k, o in enumerate(offsets)]  # fmt: skip
    builder.observe_events(list(gaps))
    return builder.build(100).response_latency_s["customer->agent"]


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(_ON_BINS, min_size=1, max_size=40))
def test_latency_statistics_are_numpys_on_the_bins(offsets: list[float]) -> None:
    stats = _latency(offsets)
    assert stats["count"] == len(offsets)
    assert np.isclose(stats["mean"], np.mean(offsets), atol=1e-9)
    assert np.isclose(stats["median"], np.median(offsets), atol=1e-6)
    assert np.isclose(stats["p90"], np.quantile(offsets, 0.9), atol=1e-6)


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.floats(-3.0, 60.0, allow_nan=False), min_size=1, max_size=40))
def test_latency_statistics_within_half_a_bin_off_the_bins(offsets: list[float]) -> None:
    stats = _latency(offsets)
    assert abs(stats["median"] - np.median(offsets)) <= 0.005 + 1e-9
    assert abs(stats["p90"] - np.quantile(offsets, 0.9)) <= 0.005 + 1e-9


def test_an_even_count_has_the_middle_twos_mean(tmp_path: Path) -> None:
    """The bundled chat's answers: agent->customer 11 s and 15 s, customer->agent 89 s and
    19 s (the median once took the lower middle value: 11 and 19)."""
    chat = Path(__file__).parents[1] / "examples" / "data" / "chat.jsonl"
    summary = es.analyze_transcript(chat, roles=("customer", "agent"), emotion_model=None)[-1]
    assert isinstance(summary, es.SummaryEvent)
    latency = summary.response_latency_s
    assert latency["agent->customer"]["median"] == 13.0
    assert latency["customer->agent"]["median"] == 54.0


def test_a_short_chat_has_its_valence_in_the_right_quarters() -> None:
    """Turns of an 8 s chat land in the quarter that holds their start: with 10 s buckets
    they all fell in one quarter (the first quarter of any call under 20 s was empty)."""
    from empathysignals.testing import summary_contradictions

    texts = ["This is awful, I am furious.", "I'm sorry, let me fix it.", "Thanks, that is great!",
             "Glad to help, have a lovely day."]  # fmt: skip
    rows = [{"speaker": ("customer", "agent")[k % 2], "start": 2.0 * k + 0.5, "text": text}
            for k, text in enumerate(texts)]  # fmt: skip
    events = es.analyze_transcript(rows)
    summary = events[-1]
    assert isinstance(summary, es.SummaryEvent)
    assert summary.duration_s == 6.5
    customer = summary.emotion["customer"]["valence_by_quarter"]
    agent = summary.emotion["agent"]["valence_by_quarter"]
    assert [q is not None for q in customer] == [True, False, True, False], customer
    assert [q is not None for q in agent] == [False, True, False, True], agent
    assert summary_contradictions(events) == []
