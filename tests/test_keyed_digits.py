"""Keyed digits (DTMF) as ``keyed_digits`` events: the entry rules on hand-built frames,
chunk independence and pickling (``empathysignals.testing.check_detector``), and DTMF
keyed into a real call (``tests/test_streaming.py``)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import empathysignals as es
from depth import examples
from empathysignals.detectors.keyed_digits import KEYED_DIGITS_GAP_S, KeyedDigitsDetector
from empathysignals.testing import check_detector, frames_from_activity

HOP = 0.01


def keyed(n_s: float, **digits: list[tuple[float, float]]) -> np.ndarray:
    """(n, 2) DTMF frames: per role, (start, end) of each digit in seconds."""
    roles = ("customer", "agent")
    out = np.zeros((round(n_s / HOP), 2), dtype=bool)
    for role, spans in digits.items():
        for a, b in spans:
            out[round(a / HOP) : round(b / HOP), roles.index(role)] = True
    return out


def run(dtmf: np.ndarray) -> list[es.Event]:
    frames = frames_from_activity(np.zeros(dtmf.shape, bool), dtmf=dtmf)
    return check_detector(KeyedDigitsDetector, frames, latency_frames=49)


def test_digits_closer_than_the_gap_are_one_entry() -> None:
    # a card number in groups of four: 0.1 s digits 0.1 s apart, 1 s between the groups
    spans = [(1.0 + g * 1.7 + k * 0.2, 1.1 + g * 1.7 + k * 0.2) for g in range(4) for k in range(4)]
    ev = run(keyed(12, customer=spans))
    opened, closed = ev
    assert (opened.start, opened.end, opened.digits) == (1.0, None, 1)
    assert (closed.start, closed.end, closed.digits, closed.speaker) == (1.0, 6.8, 16, "customer")
    assert opened.id == closed.id
    # announced when the first digit is decided; closed when the gap has run out
    assert opened.emitted_at == pytest.approx(1.0 + 0.01 + 0.49)
    assert closed.emitted_at == pytest.approx(6.8 + KEYED_DIGITS_GAP_S + 0.01 + 0.49)


def test_a_longer_pause_starts_a_new_entry_and_legs_are_apart() -> None:
    gap = KEYED_DIGITS_GAP_S
    ev = run(keyed(20, customer=[(1.0, 1.1), (1.1 + gap + 0.1, 1.3 + gap)], agent=[(5.0, 5.1)]))
    closed = [e for e in ev if e.end is not None]
    got = sorted((e.speaker, e.start, e.digits) for e in closed)
    assert got == [("agent", 5.0, 1), ("customer", 1.0, 1), ("customer", 1.2 + gap, 1)]
    assert len({e.id for e in closed}) == 3


def test_an_entry_open_at_the_end_of_the_stream_is_closed_there() -> None:
    ev = run(keyed(3, customer=[(2.5, 2.6), (2.8, 3.0)]))
    assert [(e.end, e.digits) for e in ev] == [(None, 1), (3.0, 2)]


def test_a_chord_in_music_is_no_digit() -> None:
    """Hold music passed the DTMF test for a block or two (4 false entries in 4 h of
    simulated calls, all in music holds): no digit where the leg is music."""
    dtmf = keyed(10, agent=[(2.0, 2.05), (2.4, 2.45)], customer=[(6.0, 6.1)])
    music = np.zeros(dtmf.shape)
    music[100:500, 1] = 0.9  # the agent leg plays hold music from 1 to 5 s
    frames = frames_from_activity(np.zeros(dtmf.shape, bool), dtmf=dtmf, music_prob=music)
    ev = check_detector(KeyedDigitsDetector, frames, latency_frames=49)
    assert [(e.speaker, e.digits) for e in ev if e.end is not None] == [("customer", 1)]


def test_no_dtmf_no_events() -> None:
    frames = frames_from_activity(np.ones((300, 2), bool))  # talk, and no digit
    assert check_detector(KeyedDigitsDetector, frames) == []
    assert frames.dtmf is not None and not frames.dtmf.any()


@settings(max_examples=examples(60), deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1500), st.integers(1, 30)), max_size=12)
)
def test_entries_follow_the_rule_in_any_chunking(digits: list[tuple[int, int, int]]) -> None:
    """Random digits on both legs: each leg's entries are the runs of digits whose silences
    are under the gap (check_detector compares random splittings and pickling)."""
    dtmf = np.zeros((1600, 2), bool)
    for leg, start, length in digits:
        dtmf[start : start + length, leg] = True
    ev = run(dtmf)
    gap = round(KEYED_DIGITS_GAP_S / HOP)
    for leg, role in enumerate(("customer", "agent")):
        on = np.flatnonzero(np.diff(np.r_[0, dtmf[:, leg].astype(int)]) == 1)
        off = np.flatnonzero(np.diff(np.r_[dtmf[:, leg].astype(int), 0]) == -1) + 1
        want, first = [], None
        for k, (a, b) in enumerate(zip(on, off, strict=True)):
            first = a if first is None else first
            if k + 1 == len(on) or on[k + 1] - b > gap:
                want.append(
                    (round(first * HOP, 6), round(b * HOP, 6), k + 1 - sum(w[2] for w in want))
                )
                first = None
        got = [(e.start, e.end, e.digits) for e in ev if e.speaker == role and e.end is not None]
        assert got == want
