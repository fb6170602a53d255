"""The turn-taking state machine on hand-built activity, checked against the definitions
in docs/concepts.md (thresholds come from the config, not from running the code)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import empathysignals as es
from depth import examples, seeds
from empathysignals import TurnTakingConfig
from empathysignals.coaching import CoachingTracker
from empathysignals.detectors.base import DetectorContext
from empathysignals.detectors.turn_taking import (
    _HELD_WAIT_S,
    _NET_NO_MUSIC_S,
    _TALK_BACK_AFTER_S,
    TurnTakingDetector,
)
from empathysignals.events import Event
from empathysignals.summary import SummaryBuilder
from empathysignals.testing import (
    check_detector,
    event_contradictions,
    frames_from_activity,
    summary_contradictions,
)

HOP = 0.01
CFG = TurnTakingConfig()
ROLES = ("customer", "agent")


def activity(duration_s: float, **segments: list[tuple[float, float]]) -> np.ndarray:
    act = np.zeros((round(duration_s / HOP), len(ROLES)), dtype=bool)
    for role, segs in segments.items():
        for a, b in segs:
            act[round(a / HOP) : round(b / HOP), ROLES.index(role)] = True
    return act


def run(act: np.ndarray, muted_s: tuple[float, float] | None = None, **kw: object) -> list[Event]:
    return _muted_between(act, [] if muted_s is None else [muted_s], **kw)


def summarized(act: np.ndarray, events: list[Event]) -> list[Event]:
    """The events with the summary the Analyzer would close them with (its turn-taking
    figures, and the coachable moments of turns without state)."""
    ctx = DetectorContext(ROLES, latency_frames=0, hop_s=HOP)
    builder, coaching = SummaryBuilder(ctx), CoachingTracker(ROLES)
    builder.observe_frames(frames_from_activity(act, roles=ROLES))
    builder.observe_events(events)
    for e in events:
        coaching.observe(e)
    summary = builder.build(act.shape[0])
    return [*events, replace(summary, **coaching.summary_fields(summary.duration_s))]


def closed(events: list[Event], kind: str) -> list[Event]:
    return [e for e in events if e.type == kind and e.end is not None]


def test_gap_is_floor_transfer_offset() -> None:
    ev = run(activity(6, customer=[(0, 2)], agent=[(2.3, 4)]))
    (gap,) = closed(ev, "gap")
    assert (gap.from_, gap.to) == ("customer", "agent")
    assert gap.offset == pytest.approx(0.3)
    assert (gap.start, gap.end) == pytest.approx((2.0, 2.3))
    turns = [(t.speaker, t.start, t.end) for t in closed(ev, "turn")]
    assert turns == [("customer", 0.0, 2.0), ("agent", 2.3, 4.0)]
    # The transfer is known once the newcomer has spoken for backchannel_max_s.
    assert gap.emitted_at == pytest.approx(2.3 + CFG.backchannel_max_s + HOP)
    assert not closed(ev, "interruption") and not closed(ev, "backchannel")


def test_pause_within_turn() -> None:
    ev = run(activity(4, customer=[(0, 1), (1.5, 3)]))
    (pause,) = closed(ev, "pause")
    assert (pause.speaker, pause.start, pause.end) == ("customer", 1.0, 1.5)
    short = run(activity(4, customer=[(0, 1), (1 + CFG.min_pause_s - 0.05, 3)]))
    assert not closed(short, "pause")


def test_overlapping_backchannel_keeps_floor() -> None:
    ev = run(activity(6, customer=[(0, 5)], agent=[(2, 2.4)]))
    (bc,) = closed(ev, "backchannel")
    assert (bc.speaker, bc.start, bc.end) == ("agent", 2.0, 2.4)
    assert [t.speaker for t in closed(ev, "turn")] == ["customer"]
    assert not closed(ev, "interruption") and not closed(ev, "gap")


def test_backchannel_in_holders_pause() -> None:
    ev = run(activity(6, customer=[(0, 2), (2.6, 5)], agent=[(2.1, 2.4)]))
    assert [(b.speaker, b.start) for b in closed(ev, "backchannel")] == [("agent", 2.1)]
    assert [(p.start, p.end) for p in closed(ev, "pause")] == [(2.0, 2.6)]
    assert not closed(ev, "gap")


def test_short_answer_after_silence_takes_floor() -> None:
    # A short "yes" in the holder's silence, holder does not resume: a turn, not a backchannel.
    ev = run(activity(6, customer=[(0, 2)], agent=[(2.2, 2.6)]))
    assert not closed(ev, "backchannel")
    (gap,) = closed(ev, "gap")
    assert gap.offset == pytest.approx(0.2)


def test_successful_interruption() -> None:
    ev = run(activity(9, customer=[(0, 5)], agent=[(3, 8)]))
    opened = [e for e in ev if e.type == "interruption" and e.end is None]
    (done,) = closed(ev, "interruption")
    assert len(opened) == 1 and opened[0].id == done.id
    assert opened[0].emitted_at == pytest.approx(3 + CFG.backchannel_max_s + HOP)
    assert (done.by, done.of, done.successful) == ("agent", "customer", True)
    assert (done.start, done.end) == (3.0, 5.0)
    (gap,) = closed(ev, "gap")
    assert gap.offset == pytest.approx(-2.0)


def test_unsuccessful_interruption_keeps_floor() -> None:
    ev = run(activity(8, customer=[(0, 6)], agent=[(2, 3.5)]))
    (done,) = closed(ev, "interruption")
    assert (done.by, done.of, done.successful) == ("agent", "customer", False)
    assert (done.start, done.end) == (2.0, 3.5)
    assert [t.speaker for t in closed(ev, "turn")] == ["customer"]
    assert not closed(ev, "backchannel")


def test_interrupter_pausing_briefly_is_one_interruption() -> None:
    """A short stop of the interrupter (under listener_pause_max_s) does not end their bid:
    one interruption, decided when they have been silent that long."""
    ev = run(activity(9, customer=[(0, 7)], agent=[(2, 3.5), (3.9, 4.6)]))
    (done,) = closed(ev, "interruption")
    assert (done.start, done.end, done.successful) == (2.0, 4.6, False)
    assert done.emitted_at == pytest.approx(4.6 + CFG.listener_pause_max_s + HOP)
    assert [t.speaker for t in closed(ev, "turn")] == ["customer"]
    # ... and a stop that long ends it: the return is a new bid (here a backchannel)
    ev = run(activity(9, customer=[(0, 7)], agent=[(2, 3.5), (4.2, 4.6)]))
    (done,) = closed(ev, "interruption")
    assert (done.start, done.end) == (2.0, 3.5)
    assert [(b.start, b.end) for b in closed(ev, "backchannel")] == [(4.2, 4.6)]


def test_terminal_overlap_is_not_interruption() -> None:
    overlap = CFG.interruption_min_overlap_s - 0.3
    ev = run(activity(7, customer=[(0, 3)], agent=[(3 - overlap, 6)]))
    assert not closed(ev, "interruption")
    (gap,) = closed(ev, "gap")
    assert gap.offset == pytest.approx(-overlap)


def test_dead_air_announced_then_closed() -> None:
    ev = run(activity(10, customer=[(0, 1)], agent=[(8, 9)]))
    da = [e for e in ev if e.type == "dead_air"]
    assert [e.end for e in da] == [None, 8.0]
    assert da[0].start == 1.0 and da[0].id == da[1].id
    assert da[0].emitted_at == pytest.approx(1.0 + CFG.dead_air_min_s + HOP)
    short = run(activity(10, customer=[(0, 1)], agent=[(1 + CFG.dead_air_min_s - 0.2, 9)]))
    assert not [e for e in short if e.type == "dead_air"]


def test_muted_agent_leg_is_silent_hold_not_dead_air() -> None:
    act = activity(16, customer=[(0, 1), (13, 14)], agent=[(1.2, 2)])
    ev = run(act, muted_s=(2, 12))
    (hold,) = closed(ev, "hold")
    assert (hold.kind, hold.start, hold.end) == ("silence", 2.0, 12.0)
    assert not [e for e in ev if e.type == "dead_air"]
    # No gap is counted across a hold.
    assert all(g.start < 2.0 for g in closed(ev, "gap"))


def test_line_muted_late_in_a_silence_is_a_hold_and_no_dead_air() -> None:
    # 2.5 s of silence, then the agent's line is muted: dead air would be due at 7 s,
    # before the hold is known (at 7.5 s, 3 s into the muting); the silence outside the
    # hold is 2.5 s, so no dead air.
    act = activity(16, customer=[(0, 1), (13, 14)], agent=[(1.2, 2)])
    ev = run(act, muted_s=(4.5, 12), silent_holds=True)
    (hold,) = closed(ev, "hold")
    assert (hold.start, hold.end) == pytest.approx((4.5, 12.0))
    assert not [e for e in ev if e.type == "dead_air"]


def test_dead_air_ends_where_a_hold_begun_inside_it_began() -> None:
    # Dead air from 2 s; the agent's line is muted from 8 s, and the customer speaks at
    # 9 s, before the muting has lasted hold_min_s. The hold is known at 11 s; the dead air
    # ends where it began, not where the customer spoke.
    act = activity(16, customer=[(0, 1), (9, 10), (14, 15)], agent=[(1.2, 2)])
    ev = run(act, muted_s=(8.0, 14), silent_holds=True)
    (dead,) = closed(ev, "dead_air")
    (hold,) = closed(ev, "hold")
    assert (dead.start, dead.end) == pytest.approx((2.0, 8.0))
    assert (hold.start, hold.end) == pytest.approx((8.0, 14.0))
    # ... and when the muting stops short of a hold, the dead air ends at the talk.
    ev = run(act, muted_s=(8.0, 10.5), silent_holds=True)
    (dead,) = closed(ev, "dead_air")
    assert (dead.start, dead.end) == pytest.approx((2.0, 9.0))
    assert not closed(ev, "hold")


def test_muting_exactly_hold_min_is_a_hold() -> None:
    act = activity(12, customer=[(0, 1), (9, 10)], agent=[(1.2, 2)])
    (hold,) = closed(run(act, muted_s=(2.0, 2.0 + CFG.hold_min_s), silent_holds=True), "hold")
    assert (hold.start, hold.end) == pytest.approx((2.0, 2.0 + CFG.hold_min_s))


def test_both_starting_on_one_frame_after_dead_air() -> None:
    # The floor lapsed in the dead air; the agent (its last holder) and the customer start
    # together: the agent's new turn, which the customer's talk bids against.
    act = activity(20, customer=[(0, 1), (9, 12)], agent=[(1.2, 2), (9, 10)])
    ev = run(act)
    for e in closed(ev, "turn"):
        assert e.start <= e.end, e
    (done,) = closed(ev, "interruption")
    assert (done.by, done.of, done.start, done.successful) == ("customer", "agent", 9.0, True)


def _muted_between(act: np.ndarray, muted: list[tuple[float, float]], **kw: object) -> list[Event]:
    energy = np.where(act, -20.0, -50.0)
    for a, b in muted:
        energy[round(a / HOP) : round(b / HOP), 1] = -120.0
    frames = frames_from_activity(act, roles=ROLES, energy_db=energy)
    cfg = TurnTakingConfig(**kw) if kw else CFG  # type: ignore[arg-type]
    return check_detector(lambda ctx: TurnTakingDetector(ctx, cfg), frames)


def test_muted_line_between_the_agents_words_is_no_hold() -> None:
    """Silence suppression: the agent leg is digital silence whenever the agent is not
    talking. Muted stretches shorter than hold_min_s with talk between them add up to more
    than hold_min_s, but the line opened each time: no hold, and every word is a turn."""
    talk = [(1.2, 2.0), (3.2, 4.0), (5.2, 6.0), (7.2, 8.0)]
    act = activity(12, customer=[(0, 1), (10, 11)], agent=talk)
    muted = [(0, 1.2), (2.0, 3.2), (4.0, 5.2), (6.0, 7.2), (8.0, 10.0)]
    ev = _muted_between(act, muted)
    assert not [e for e in ev if e.type == "hold"]
    agent_turns = [e for e in closed(ev, "turn") if e.speaker == "agent"]
    assert agent_turns and agent_turns[0].start == pytest.approx(1.2)


def test_line_flickering_at_the_muted_level_is_no_hold() -> None:
    """A quiet room whose level dips to the muted level every few frames (seen on a quiet
    meeting recording) is an open line: a silent hold needs the line muted throughout."""
    act = activity(12, customer=[(0, 1), (10, 11)])
    muted = [(1.0 + 0.3 * k, 1.1 + 0.3 * k) for k in range(30)]  # 0.1 s muted of every 0.3 s
    ev = _muted_between(act, muted)
    assert not [e for e in ev if e.type == "hold"]
    # the same leg muted throughout is a silent hold
    (hold,) = closed(_muted_between(act, [(1.0, 10.0)]), "hold")
    assert (hold.kind, hold.start, hold.end) == ("silence", 1.0, 10.0)


def test_silent_holds_can_be_turned_off() -> None:
    act = activity(16, customer=[(0, 1), (13, 14)], agent=[(1.2, 2)])
    ev = run(act, muted_s=(2, 12), silent_holds=False)
    assert not [e for e in ev if e.type == "hold"]
    # a long silence on both legs is then dead air, as on any line
    assert closed(ev, "dead_air")
    with pytest.raises(es.ParameterError, match="silent_holds"):
        TurnTakingConfig(silent_holds="no")  # type: ignore[arg-type]


def _music_on_agent_leg(
    act: np.ndarray, *, until_s: float, line_db: float, line_after_db: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Levels and music probability for hold music (-25 dBFS, probability 0.9) on the agent
    leg from 2 s to ``until_s``: talk at -20 dBFS, the line's noise at ``line_db`` (after
    the music at ``line_after_db``, if given)."""
    end = round(until_s / HOP)
    energy = np.where(act, -20.0, line_db)
    if line_after_db is not None:
        energy[end:, 1] = np.where(act[end:, 1], -20.0, line_after_db)
    music = np.zeros(act.shape)
    energy[200:end, 1], music[200:end, 1] = -25.0, 0.9
    return energy, music


def _detect(act: np.ndarray, energy: np.ndarray, music: np.ndarray, **kw: Any) -> list[Event]:
    frames = frames_from_activity(act, roles=ROLES, energy_db=energy, music_prob=music, **kw)
    return check_detector(lambda ctx: TurnTakingDetector(ctx, CFG), frames)


def _music_hold_then_agent(muted_after_talk: tuple[float, float] | None) -> list[Event]:
    """Music on the agent leg 2-20 s, the agent back at 20.5-21.4 s and from 22 s; the
    agent's line optionally at digital silence in between."""
    act = activity(26, customer=[(0, 1.5)], agent=[(20.5, 21.4), (22.0, 25.0)])
    energy, music = _music_on_agent_leg(act, until_s=20.0, line_db=-58.0)
    if muted_after_talk is not None:
        energy[round(muted_after_talk[0] / HOP) : round(muted_after_talk[1] / HOP), 1] = -120.0
    return _detect(act, energy, music)


def test_music_hold_ends_where_the_music_stops_even_if_the_agents_line_then_mutes() -> None:
    """Once the agent has talked since the music stopped, their line going to digital
    silence is a pause in their talk, not the hold resuming (it used to restart the
    hold's end tolerance, so the hold ran on into the agent's second spurt)."""
    for muted in (None, (21.5, 21.9)):
        (hold,) = closed(_music_hold_then_agent(muted), "hold")
        assert (hold.kind, hold.start, hold.end) == ("music", 2.0, 20.0), muted
    # A muted line before the agent has talked is still the same hold (music that pauses).
    ev = _music_hold_then_agent((20.0, 20.4))
    (hold,) = closed(ev, "hold")
    assert hold.end == pytest.approx(20.4)


def test_lost_packets_filled_with_zeros_do_not_break_a_music_hold() -> None:
    """A recorder fills lost 20 ms packets with zeros: two frames of digital silence in the
    music every 0.7 s. Each used to start a muted-line run on the open line, cutting the
    music into pieces too short for a hold (tune calls at 3 % loss: hold F1 0.86, music
    holds found up to 22 s late). A muted run counts only from GATE_MIN_MUTED_S on, dated
    from its first frame, so a real silent hold is unchanged."""
    act = activity(26, customer=[(0, 1.5), (23.0, 24.0)], agent=[(21.0, 22.5)])
    energy, music = _music_on_agent_leg(act, until_s=20.0, line_db=-58.0)
    for k in range(25):
        lost = round((2.35 + 0.7 * k) / HOP)
        energy[lost : lost + 2, 1] = -120.0
    (hold,) = closed(_detect(act, energy, music), "hold")
    assert (hold.kind, hold.start, hold.end) == ("music", 2.0, 20.0)
    # a muted line as long as GATE_MIN_MUTED_S still starts where it starts
    energy, music = _music_on_agent_leg(act, until_s=20.0, line_db=-58.0)
    energy[200:2000, 1], music[200:2000, 1] = -120.0, 0.0
    (hold,) = closed(_detect(act, energy, music), "hold")
    assert (hold.kind, hold.start, hold.end) == ("silence", 2.0, 20.0)


def _music_hold_the_detectors_lose(how: str) -> list[Event]:
    """Music on the agent leg 2-30 s (-25 dBFS over the line's -59 dBFS noise). From 10 to
    18 s the frame detectors lose it in one of the ways real hold music did on simulated
    calls: "speechlike" (music probability 0.3, labelled agent speech), "sparse" (notes
    labelled speech, near-silence from the switch between them) or "floor" (continuous
    music that the noise tracker has taken for the line's noise). The agent is back at
    30.5 s on a line 8 dB noisier than before the hold."""
    act = activity(36, customer=[(0, 1.5)], agent=[(30.5, 33.0), (33.5, 35.0)])
    energy, music = _music_on_agent_leg(act, until_s=30.0, line_db=-59.0, line_after_db=-51.0)
    floor = np.full(act.shape, -60.0)
    lost = slice(1000, 1800)
    if how == "speechlike":
        music[lost, 1] = 0.3
        act[lost, 1] = True
    elif how == "sparse":
        music[lost, 1] = 0.3
        for t0 in range(1000, 1800, 70):  # 0.4 s notes, 0.3 s at -75 dBFS between them
            act[t0 : t0 + 40, 1] = True
            energy[t0 + 40 : t0 + 70, 1] = -75.0  # quieter than the line, not muted
    elif how == "floor":
        floor[lost, 1] = -26.0
        music[lost, 1] = 0.0
    return _detect(act, energy, music, floor_db=floor)


@pytest.mark.parametrize("how", ["speechlike", "sparse", "floor", "kept"])
def test_music_hold_lasts_until_the_agents_line_is_back(how: str) -> None:
    """Once on hold, the music is taken as present until the agent's line is heard again
    (its noise without sound from the switch, or talk with none for seconds): a music or
    speech detector losing the music mid-hold neither ends the hold nor opens dead air."""
    ev = _music_hold_the_detectors_lose(how)
    (hold,) = closed(ev, "hold")
    assert (hold.kind, hold.start, hold.end) == ("music", 2.0, 30.0)
    assert not closed(ev, "dead_air")
    assert [t.speaker for t in closed(ev, "turn")] == ["customer", "agent"]


def test_music_hold_ends_where_the_music_stops_when_the_agent_talks_at_once() -> None:
    """The agent talks from the moment the music stops, with pauses too short to hear
    their line settle (0.1 s): talk with pauses and nothing from the switch for 2 s is
    the agent back, and the hold ends where the music stopped."""
    spurts = [(30.0 + 0.5 * k, 30.4 + 0.5 * k) for k in range(12)]
    act = activity(40, customer=[(0, 1.5)], agent=spurts)
    ev = _detect(act, *_music_on_agent_leg(act, until_s=30.0, line_db=-59.0, line_after_db=-51.0))
    (hold,) = closed(ev, "hold")
    assert (hold.start, hold.end) == (2.0, 30.0)
    assert hold.emitted_at <= 30.0 + _TALK_BACK_AFTER_S + CFG.hold_end_tolerance_s + HOP
    assert [t.speaker for t in closed(ev, "turn")] == ["customer", "agent"]


@pytest.mark.parametrize("line_after_db", [-59.0, -66.0, -72.0, -78.0])
def test_music_hold_ends_when_the_agent_is_back_on_a_quieter_line(line_after_db: float) -> None:
    """The agent comes back on a line up to 19 dB quieter than before the hold (another
    room, a noise suppressor): their pauses then look like the switch's near-silence, but
    talk with no music for long enough still ends the hold (it used to run to the end of
    the call). At the old level the line is recognised at once."""
    act = activity(60, customer=[(0, 1.5), (40, 42)], agent=[(30.5, 33), (33.5, 38), (43, 50)])
    energy, music = _music_on_agent_leg(
        act, until_s=30.0, line_db=-59.0, line_after_db=line_after_db
    )
    ev = _detect(act, energy, music)
    (hold,) = closed(ev, "hold")
    assert hold.start == 2.0
    if line_after_db > -69.0:  # the line is heard at once
        assert (hold.end, hold.emitted_at) == (30.0, pytest.approx(32.0 + HOP))
    else:  # the safety net: from the first word, once it has talked long enough
        assert hold.end == 30.5
        assert hold.emitted_at == pytest.approx(30.0 + _NET_NO_MUSIC_S, abs=2 * HOP)
    assert [t.speaker for t in closed(ev, "turn")][-2:] == ["customer", "agent"]


def test_talk_over_the_agent_before_their_hold_end_is_known_is_a_bid() -> None:
    """The customer cuts in 1 s after the agent comes back from a music hold, before the
    hold's end is decided (hold_end_tolerance_s later): an interruption from their onset,
    not talk lost to the hold."""
    act = activity(30, customer=[(0, 1.5), (21.5, 25.0)], agent=[(20.5, 24.0)])
    ev = _detect(act, *_music_on_agent_leg(act, until_s=20.0, line_db=-58.0))
    (hold,) = closed(ev, "hold")
    assert hold.end == pytest.approx(20.0)
    (done,) = closed(ev, "interruption")
    assert (done.by, done.start, done.end, done.successful) == ("customer", 21.5, 24.0, True)
    assert [t.speaker for t in closed(ev, "turn")] == ["customer", "agent", "customer"]


def test_host_hold_markers_override_detection() -> None:
    act = activity(12, customer=[(0, 1)], agent=[(10, 11)])
    frames = frames_from_activity(act, roles=ROLES, energy_db=np.where(act, -20.0, -50.0))
    det = TurnTakingDetector(DetectorContext(ROLES, 0))
    det.mark_hold(2.0, on=True)
    det.mark_hold(9.0, on=False)
    ev = det.push(frames) + det.flush()
    holds = [e for e in ev if e.type == "hold"]
    assert [(h.kind, h.source, h.start, h.end) for h in holds] == [
        ("marker", "marker", 2.0, None),
        ("marker", "marker", 2.0, 9.0),
    ]
    # Dead air only counts silence outside the marked hold: 1-2 s and 9-10 s are too short.
    assert not [e for e in ev if e.type == "dead_air"]


def test_detected_hold_after_a_marked_one_starts_where_the_marker_ended() -> None:
    """The host ends its hold marker while the music plays on: the detected music hold
    that follows may not reach back into the marked one (the music detector's backdate)."""
    act = activity(30, customer=[(0, 1)], agent=[(25, 27)])
    energy, music = _music_on_agent_leg(act, until_s=24.0, line_db=-50.0)
    frames = frames_from_activity(act, roles=ROLES, energy_db=energy, music_prob=music)
    det = TurnTakingDetector(DetectorContext(ROLES, 0))
    det.mark_hold(5.0, on=True)
    det.mark_hold(15.0, on=False)
    ev = det.push(frames) + det.flush()
    holds = [(h.source, h.start, h.end) for h in closed(ev, "hold")]
    assert holds[1] == ("marker", 5.0, 15.0)
    assert holds[2][0] == "detected" and holds[2][1] == 15.0, holds
    assert all(a[2] <= b[1] for a, b in itertools.pairwise(holds)), holds


def test_markers_must_be_in_order() -> None:
    det = TurnTakingDetector(DetectorContext(ROLES, 0))
    det.mark_hold(5.0, on=True)
    with pytest.raises(ValueError, match="time order"):
        det.mark_hold(4.0, on=False)


def test_single_leg_gives_pauses_and_dead_air_only() -> None:
    act = np.zeros((1000, 1), dtype=bool)
    act[0:100] = act[150:200] = act[900:950] = True
    frames = frames_from_activity(act, roles=("speaker",))
    ev = check_detector(lambda ctx: TurnTakingDetector(ctx), frames)
    kinds = {e.type for e in ev}
    assert kinds <= {"turn", "pause", "dead_air", "hold"}
    assert closed(ev, "dead_air")


def random_activity(seed: int, n: int = 6000) -> np.ndarray:
    rng = np.random.default_rng(seed)
    act = np.zeros((n, 2), dtype=bool)
    for leg in range(2):
        t = 0
        while t < n:
            t += int(rng.exponential(150))
            d = int(rng.exponential(120)) + 5
            act[t : t + d, leg] = True
            t += d
    return act


@pytest.mark.parametrize("seed", seeds(100))
def test_random_activity_conforms(seed: int) -> None:
    act = random_activity(seed)
    ev = check_detector(lambda ctx: TurnTakingDetector(ctx), frames_from_activity(act), seed=seed)
    # Backchannels are never also interruptions.
    bcs = closed(ev, "backchannel")
    ints = closed(ev, "interruption")
    assert not {(b.start, b.speaker) for b in bcs} & {(i.start, i.by) for i in ints}
    for b in bcs:
        assert b.end - b.start <= CFG.backchannel_max_s + 1e-9
    # The floor rule (docs/concepts.md): an interruption starts at the interrupter's onset,
    # where the interrupted speaker had the floor: talking, or in a silence they ended
    # within backchannel_resume_s.
    for i in ints:
        k = round(i.start / HOP)
        by, of = ROLES.index(i.by), ROLES.index(i.of)
        assert act[k, by] and (k == 0 or not act[k - 1, by]), i
        if not act[k, of]:
            before = np.flatnonzero(act[:k, of])
            after = np.flatnonzero(act[k:, of])
            assert before.size and after.size, i
            silence = (k + after[0]) - (before[-1] + 1)
            assert silence * HOP < CFG.backchannel_resume_s + 1e-9, (i, silence)


def test_holder_pausing_during_interruption_keeps_floor() -> None:
    # The holder pauses 0.3 s (< backchannel_resume_s) mid-overlap and goes on: the
    # interrupter did not win, whatever the pause.
    ev = run(activity(10, customer=[(0, 4), (4.3, 8)], agent=[(2, 5)]))
    (done,) = closed(ev, "interruption")
    assert (done.by, done.of, done.successful) == ("agent", "customer", False)
    assert [t.speaker for t in closed(ev, "turn")] == ["customer"]


def test_start_in_holders_short_pause_is_interruption() -> None:
    # The customer's 0.3 s silence (< backchannel_resume_s) is part of their turn: the
    # agent, who started in it, came in over the customer's turn.
    pause = CFG.backchannel_resume_s - 0.2
    ev = run(activity(10, customer=[(0, 3), (3 + pause, 8)], agent=[(3.1, 5)]))
    (done,) = closed(ev, "interruption")
    assert (done.by, done.of) == ("agent", "customer")
    assert done.successful is False


def test_floor_won_in_holders_short_pause_passes_at_the_holders_last_word() -> None:
    # The agent starts 0.4 s into a 0.45 s silence of the customer (part of their turn),
    # the customer talks on over the agent until 5.5 and yields: the floor passes there,
    # an overlap of 2.1 s, not at the silence before the agent came in.
    ev = run(activity(10, customer=[(0, 3), (3.45, 5.5)], agent=[(3.4, 8)]))
    (done,) = closed(ev, "interruption")
    assert (done.by, done.of, done.successful) == ("agent", "customer", True)
    assert (done.start, done.end) == pytest.approx((3.4, 5.5))
    (gap,) = closed(ev, "gap")
    assert (gap.from_, gap.to, gap.offset) == ("customer", "agent", pytest.approx(-2.1))
    turns = [(t.speaker, t.start, t.end) for t in closed(ev, "turn")]
    assert turns == [("customer", 0.0, 5.5), ("agent", 3.4, 8.0)]


def test_a_listener_silent_for_the_bid_pause_starts_a_new_bid() -> None:
    # Spurts exactly listener_pause_max_s apart are two bids (one bid: less than that).
    pause = CFG.listener_pause_max_s
    ev = run(activity(10, customer=[(0, 8)], agent=[(2, 2.4), (2.4 + pause, 5)]))
    (bc,) = closed(ev, "backchannel")
    assert (bc.start, bc.end) == pytest.approx((2.0, 2.4))
    (done,) = closed(ev, "interruption")
    assert done.start == pytest.approx(2.4 + pause)


def _swap_roles(ev: list[Event]) -> list[tuple[Any, ...]]:
    other = {"customer": "agent", "agent": "customer"}
    rows = []
    for e in ev:
        d = e.to_dict()
        rows.append(tuple(other.get(v, v) if isinstance(v, str) else v for v in d.values()))
    return rows


def test_simultaneous_start_after_an_open_floor_does_not_depend_on_the_legs_order() -> None:
    # The holder is silent 1 s (the floor is open), then both start on the same frame.
    ev = run(activity(10, customer=[(0, 2), (3, 4.5)], agent=[(3, 6)]))
    mirrored = run(activity(10, agent=[(0, 2), (3, 4.5)], customer=[(3, 6)]))
    assert _swap_roles(ev) == [tuple(e.to_dict().values()) for e in mirrored]
    # The newcomer took the open floor; the old holder's talk from that frame overlaps it.
    (done,) = closed(ev, "interruption")
    assert (done.by, done.of, done.start, done.successful) == ("customer", "agent", 3.0, False)


def test_old_holder_talking_past_backchannel_max_over_the_new_holder_is_no_backchannel() -> None:
    # The customer left the floor open (1.6 s), the agent took it at 3.5; the customer came
    # back at 3.6 and talked 1.2 s (> backchannel_max_s) over the agent, who paused 0.55 s
    # (one bid) and went on: an unsuccessful interruption by the customer.
    ev = run(activity(10, customer=[(0, 2), (3.6, 4.8)], agent=[(3.5, 4.4), (4.95, 6.5)]))
    assert not closed(ev, "backchannel")
    (done,) = closed(ev, "interruption")
    assert (done.by, done.of, done.successful) == ("customer", "agent", False)
    assert (done.start, done.end) == pytest.approx((3.6, 4.8))


def test_holder_silence_in_which_the_other_took_the_floor_is_no_pause() -> None:
    # The customer is silent 1.1 s (the floor is open); the agent begins at 2.5 and pauses
    # 0.3 s, in which the customer comes back; the agent goes on and takes the floor. The
    # customer's silence was the gap before the agent's turn, not a pause in their own.
    ev = run(activity(10, customer=[(0, 2), (3.1, 4)], agent=[(2.5, 3.0), (3.3, 6)]))
    (gap,) = [g for g in closed(ev, "gap") if g.to == "agent"]
    assert (gap.start, gap.end) == pytest.approx((2.0, 2.5))
    assert not [p for p in closed(ev, "pause") if p.speaker == "customer"]


def test_start_in_holders_long_silence_takes_floor_and_holder_coming_back_overlaps() -> None:
    # The agent starts 0.3 s into the customer's silence; the customer comes back over the
    # agent 0.4 s later, after a silence longer than backchannel_resume_s: the floor was
    # open, the agent took it (0.3 s gap), and the overlap is the customer's doing.
    ev = run(activity(10, customer=[(0, 3), (3.7, 8)], agent=[(3.3, 5)]))
    (gap, back) = closed(ev, "gap")
    assert (gap.from_, gap.to, gap.offset) == ("customer", "agent", pytest.approx(0.3))
    (done,) = closed(ev, "interruption")
    assert (done.by, done.of, done.start, done.end) == ("customer", "agent", 3.7, 5.0)
    assert done.successful is True  # the agent stopped first
    assert (back.from_, back.to) == ("agent", "customer")
    # no pause is reported for a silence someone else took the floor in
    assert not [p for p in closed(ev, "pause") if p.start == 3.0]


def test_holder_back_during_bid_then_stopping_still_bids() -> None:
    # The agent starts in the customer's silence; the customer comes back over the agent
    # 0.6 s after stopping, for 0.3 s, stops, and goes on 0.3 s later (one bid,
    # < listener_pause_max_s apart), in all more than backchannel_max_s: the customer's
    # overlapping bid is an interruption from where they first came back.
    ev = run(activity(10, customer=[(0, 3), (3.6, 3.9), (4.2, 6)], agent=[(3.2, 8)]))
    (done,) = closed(ev, "interruption")
    assert (done.by, done.of, done.start) == ("customer", "agent", 3.6)
    assert done.successful is False


def test_start_after_holders_long_silence_is_floor_take() -> None:
    ev = run(activity(10, customer=[(0, 3), (4.5, 8)], agent=[(3.8, 6)]))
    # The agent took an open floor; the customer then came back over the agent.
    (gap,) = [g for g in closed(ev, "gap") if g.to == "agent"]
    assert gap.offset == pytest.approx(0.8)
    assert all(i.by == "customer" for i in closed(ev, "interruption"))


def test_listener_talk_with_short_pause_is_one_bid() -> None:
    gap = CFG.listener_pause_max_s - 0.1
    ev = run(activity(10, customer=[(0, 8)], agent=[(2, 2.6), (2.6 + gap, 3.6)]))
    assert not closed(ev, "backchannel")
    (done,) = closed(ev, "interruption")
    assert (done.by, done.start, done.successful) == ("agent", 2.0, False)


def test_backchannel_decided_after_listener_pause_window() -> None:
    ev = run(activity(6, customer=[(0, 5)], agent=[(2, 2.4)]))
    (bc,) = closed(ev, "backchannel")
    assert bc.emitted_at == pytest.approx(2.4 + CFG.listener_pause_max_s + HOP)


def test_turn_taking_on_plain_activity_arrays() -> None:
    import empathysignals as es

    act = activity(6, customer=[(0, 2)], agent=[(2.3, 4)])
    events = es.turn_taking(act)
    (gap,) = closed(events, "gap")
    assert gap.offset == pytest.approx(0.3)
    # a 20 ms hop from another tool: same answer in seconds
    coarse = act[::2]
    (gap2,) = closed(es.turn_taking(coarse, hop_s=0.02), "gap")
    assert gap2.offset == pytest.approx(0.3)
    with pytest.raises(es.ParameterError):
        es.turn_taking(act.astype(int))
    with pytest.raises(es.ParameterError):
        es.turn_taking(act, roles=("a",))


def test_lone_speaker_silence_is_no_hold(data_dir: Path) -> None:
    """One role: utterances separated by digital silence are separate turns, never a hold
    (holds are watched on an agent leg)."""
    import soundfile as sf

    folder = data_dir / "speech" / "asterisk_ivr_prompts"
    clips = [sf.read(p, dtype="float32")[0] for p in sorted(folder.glob("*.wav"))[:3]]
    gap = np.zeros(8 * 8000, dtype=np.float32)
    audio = np.concatenate([part for clip in clips for part in (clip, gap)])
    events = es.analyze(audio, 8000, roles=("speaker",), emotion_model=None)
    assert not [e for e in events if e.type == "hold"]
    assert len([e for e in events if e.type == "turn"]) == 3
    always = TurnTakingConfig(silent_holds=True)
    agent = es.analyze(audio, 8000, roles=("agent",), turn_taking=always, emotion_model=None)
    assert [e for e in agent if e.type == "hold"], "an agent leg going silent is still a hold"
    # ... but by default only on a line that has shown its noise floor: clean prompts with
    # digital silence between them look like a silence-suppressed line
    auto = es.analyze(audio, 8000, roles=("agent",), emotion_model=None)
    assert not [e for e in auto if e.type == "hold"]


def test_holder_who_stopped_in_overlap_and_came_back_late_is_the_one_overlapping() -> None:
    # Terminal overlap (0.15 s), then the customer stays silent for more than
    # backchannel_resume_s while the agent talks, and comes back over the agent: the floor
    # passed at the overlap; the customer's return is the bid, not the agent's start.
    silent = CFG.backchannel_resume_s + 0.15
    ev = run(activity(10, customer=[(0, 3.15), (3.15 + silent, 6)], agent=[(3.0, 8)]))
    gap = next(g for g in closed(ev, "gap") if g.to == "agent")
    assert gap.offset == pytest.approx(-0.15)
    (done,) = closed(ev, "interruption")
    assert (done.by, done.of, done.start) == ("customer", "agent", pytest.approx(3.15 + silent))
    assert done.successful is False
    assert [t.speaker for t in closed(ev, "turn")][:1] == ["customer"]


@pytest.mark.parametrize("seed", seeds(200))
def test_random_activity_events_follow_their_definitions(seed: int) -> None:
    """Each event type against its definition in docs/concepts.md, frame by frame."""
    check_definitions(random_activity(seed + 100))


def _durations() -> st.SearchStrategy[int]:
    """Frames, often exactly at or one frame either side of a threshold: the corners where
    rules went wrong before (session 17)."""
    edges = sorted(
        {
            round(v / HOP) + d
            for v in (
                CFG.min_pause_s,
                CFG.backchannel_max_s,
                CFG.backchannel_resume_s,
                CFG.listener_pause_max_s,
                CFG.interruption_min_overlap_s,
            )
            for d in (-1, 0, 1)
        }
    )
    return st.one_of(st.integers(1, 400), st.sampled_from(edges))


@st.composite
def _activity(draw: st.DrawFn) -> np.ndarray:
    """Two legs of (silence, talk) pairs of such durations, then 6 s of silence."""
    legs = [draw(st.lists(st.tuples(_durations(), _durations()), max_size=20)) for _ in range(2)]
    n = max(sum(g + t for g, t in spurts) for spurts in legs) + 600
    act = np.zeros((n, 2), dtype=bool)
    for leg, spurts in enumerate(legs):
        t = 0
        for silence, talk in spurts:
            t += silence
            act[t : t + talk, leg] = True
            t += talk
    return act


@settings(max_examples=examples(150), deadline=None)
@given(act=_activity())
def test_activity_near_the_thresholds_follows_the_definitions(act: np.ndarray) -> None:
    check_definitions(act)


def check_definitions(act: np.ndarray) -> None:
    n = act.shape[0]
    ev = run(act)
    assert event_contradictions(ev) == []
    assert summary_contradictions(summarized(act, ev)) == []

    def frame(t: float) -> int:
        return round(t / HOP)

    def onset(leg: int, k: int) -> bool:
        return bool(act[k, leg]) and (k == 0 or not act[k - 1, leg])

    def offset(leg: int, k: int) -> bool:  # k is the first silent frame
        return k == n or (not act[k, leg] and k > 0 and bool(act[k - 1, leg]))

    for p in closed(ev, "pause"):
        leg, a, b = ROLES.index(p.speaker), frame(p.start), frame(p.end)
        assert offset(leg, a) and onset(leg, b), p
        assert not act[a:b, leg].any() and (b - a) * HOP >= CFG.min_pause_s - 1e-9, p
    resume = round(CFG.backchannel_resume_s / HOP)
    for g in closed(ev, "gap"):
        src, dst = ROLES.index(g.from_), ROLES.index(g.to)
        onset_frame = frame(g.end) if g.offset >= 0 else frame(g.start)
        end_frame = frame(g.start) if g.offset >= 0 else frame(g.end)
        assert onset(dst, onset_frame), g
        assert offset(src, end_frame), g
        assert g.offset == pytest.approx((onset_frame - end_frame) * HOP), g
        if g.offset >= 0:
            # Across a silence: the old holder had left the floor, silent for
            # backchannel_resume_s from their turn's end (a shorter silence is part of
            # their turn, and the newcomer came in over it).
            assert not act[end_frame : end_frame + resume, src].any(), g
        if g.offset < 0:
            # Overlapping transfer: the old holder had the floor when the newcomer came in
            # (talking, or in a silence shorter than backchannel_resume_s) and never left it
            # (silent that long) before their turn's end.
            before = np.flatnonzero(act[: onset_frame + 1, src])
            lo = before[-1] + 1 if before.size else onset_frame
            silent = ~act[lo:end_frame, src]
            runs = np.diff(np.flatnonzero(np.diff(np.r_[0, silent.astype(int), 0])))[::2]
            assert (runs * HOP < CFG.backchannel_resume_s - 1e-9).all(), g
    for t in closed(ev, "turn"):
        leg, a, b = ROLES.index(t.speaker), frame(t.start), frame(t.end)
        assert onset(leg, a) and offset(leg, b), t
    resume = round(CFG.backchannel_resume_s / HOP)
    bid_pause = round(CFG.listener_pause_max_s / HOP)
    for i in closed(ev, "interruption"):
        by, of, a, b = ROLES.index(i.by), ROLES.index(i.of), frame(i.start), frame(i.end)
        assert onset(by, a) and b > a, i
        # one bid: the interrupter's spurts are less than listener_pause_max_s apart
        silent = ~act[a:b, by]
        runs = np.diff(np.flatnonzero(np.diff(np.r_[0, silent.astype(int), 0])))[::2]
        assert (runs < bid_pause).all(), i
        if i.successful:
            # the interrupted speaker stopped there and stayed silent backchannel_resume_s
            assert offset(of, b), i
            assert not act[b : b + resume, of].any(), i
        else:
            # the interrupter's bid ended (their first silence of listener_pause_max_s) at
            # the end, or later when the holder's pause had already ended the overlap there
            quiet = np.r_[~act[a:, by], np.ones(bid_pause, bool)]
            e = a + next(k for k in range(len(quiet)) if quiet[k : k + bid_pause].all())
            assert e == b or (e > b and offset(of, b)), i
    for d in closed(ev, "dead_air"):
        a, b = frame(d.start), frame(d.end)
        assert not act[a:b].any() and (b - a) * HOP >= CFG.dead_air_min_s - 1e-9, d
    for bc in closed(ev, "backchannel"):
        leg, a, b = ROLES.index(bc.speaker), frame(bc.start), frame(bc.end)
        assert onset(leg, a) and offset(leg, b), bc
        # ... while the other keeps talking: speaking at its end, or again before the bid
        # is decided (within the longer of backchannel_resume_s and listener_pause_max_s).
        wait = max(CFG.backchannel_resume_s, CFG.listener_pause_max_s)
        other = act[b - 1 : b + round(wait / HOP) + 1, 1 - leg]
        assert other.any(), bc


@pytest.mark.parametrize("seed", seeds(100))
def test_random_muted_agent_stretch_is_a_silent_hold_iff_long_enough(seed: int) -> None:
    """A muted agent leg (agent silent) is a silent hold exactly when it lasts hold_min_s,
    from the first muted frame to the last; no dead air is reported inside it, and the
    events keep every invariant of check_detector whatever the customer does meanwhile."""
    rng = np.random.default_rng(seed)
    act = random_activity(seed + 200, n=4000)
    start = int(rng.integers(500, 2500))
    length = int(rng.integers(100, 1400))
    check_muted_stretch(act, start, length)


@settings(max_examples=examples(100), deadline=None)
@given(
    act=_activity(),
    start=st.integers(100, 1500),
    length=st.one_of(st.integers(10, 1400), _durations(), st.sampled_from([299, 300, 301])),
)
def test_muting_near_the_thresholds_is_a_silent_hold_iff_long_enough(
    act: np.ndarray, start: int, length: int
) -> None:
    need = start + length + 700
    if act.shape[0] < need:
        act = np.concatenate([act, np.zeros((need - act.shape[0], 2), dtype=bool)])
    check_muted_stretch(act, start, length)


def check_muted_stretch(act: np.ndarray, start: int, length: int) -> None:
    act = act.copy()
    act[max(0, start - 60) : start + length + 60, 1] = False  # the agent is off the line
    # (silent_holds=True: by default a line must first show itself open, tested above)
    ev = run(act, muted_s=(start * HOP, (start + length) * HOP), silent_holds=True)
    assert event_contradictions(ev) == []
    assert summary_contradictions(summarized(act, ev)) == []
    for d in closed(ev, "dead_air"):
        assert d.end - d.start >= CFG.dead_air_min_s - 1e-9, d
    holds = closed(ev, "hold")
    if length * HOP >= CFG.hold_min_s - 1e-9:
        (hold,) = holds
        assert hold.kind == "silence"
        assert (hold.start, hold.end) == pytest.approx((start * HOP, (start + length) * HOP))
        for d in closed(ev, "dead_air"):
            assert d.end <= hold.start + 1e-9 or d.start >= hold.end - 1e-9, d
    else:
        assert not holds


def test_turns_on_both_sides_of_a_music_hold() -> None:
    """The frame labels take the first half second of hold music for the agent talking,
    and the agent's first words after the hold may end before the hold's end is known
    (``hold_end_tolerance_s`` later). The agent's turn before the hold ends at their last
    word, not at the music's start; their short turn after it is a turn, from its first
    word, followed by a gap to the customer."""
    act = activity(30, agent=[(0.2, 1.5)], customer=[(23.5, 26.0)])
    act[200:250, 1] = True  # 2.0-2.5 s: the music's start, taken for speech
    act[2010:2060, 1] = True  # 20.1-20.6 s: "thanks for holding"
    act[2080:2150, 1] = True  # 20.8-21.5 s
    energy, music = _music_on_agent_leg(act, until_s=20.0, line_db=-58.0)
    music[200:250, 1] = 0.0  # the music detector has not heard enough yet
    ev = _detect(act, energy, music)
    (hold,) = closed(ev, "hold")
    assert (hold.start, hold.end) == (2.0, 20.0)
    turns = [(t.speaker, t.start, t.end) for t in closed(ev, "turn")]
    assert turns == [("agent", 0.2, 1.5), ("agent", 20.1, 21.5), ("customer", 23.5, 26.0)]
    gap = next(g for g in closed(ev, "gap") if g.start > 20)
    assert (gap.from_, gap.to, gap.start, gap.end) == ("agent", "customer", 21.5, 23.5)
    # The silence before the music, which the labels end with "talk", is no pause.
    assert not [p for p in closed(ev, "pause") if p.start < 2.5]


def test_dead_air_ends_the_turn() -> None:
    """The same speaker talking again after dead air starts a new turn (the floor lapsed;
    the simulator's truth and the report's timeline agree): no 7 s 'pause' inside one turn.
    Another speaker after it takes the floor with a gap across the dead air, as before."""
    ev = run(activity(14, customer=[(0, 2), (9, 11)]))
    assert [(t.speaker, t.start, t.end) for t in closed(ev, "turn")] == [
        ("customer", 0.0, 2.0),
        ("customer", 9.0, 11.0),
    ]
    assert not closed(ev, "pause") and not closed(ev, "gap")
    (dead,) = closed(ev, "dead_air")
    assert (dead.start, dead.end) == (2.0, 9.0)
    other = run(activity(14, customer=[(0, 2)], agent=[(9, 11)]))
    (gap,) = closed(other, "gap")
    assert (gap.from_, gap.to, gap.offset) == ("customer", "agent", pytest.approx(7.0))


def test_interruption_open_at_the_end_is_decided_by_who_had_stopped() -> None:
    """The stream ends during an interruption. If the holder had already stopped (and the
    interrupter talks on), the holder yielded: successful. If both still talk, it is not."""
    yielded = run(activity(6, customer=[(0, 5.8)], agent=[(3.0, 6.0)]))
    (done,) = closed(yielded, "interruption")
    assert (done.by, done.of, done.successful) == ("agent", "customer", True)
    assert done.end == pytest.approx(5.8)
    turns = [(t.speaker, t.start, t.end) for t in closed(yielded, "turn")]
    assert turns[-1][0] == "agent"
    both = run(activity(6, customer=[(0, 6.0)], agent=[(3.0, 6.0)]))
    (open_,) = closed(both, "interruption")
    assert open_.successful is False


def test_long_turn_is_reported_in_parts_at_pauses() -> None:
    """A 4 s spurt every 4.5 s for 49 s: the turn reaches max_turn_s (20 s) in the spurt
    that ends at 22 s, so its first part ends at that pause and the next begins at 22.5 s."""
    spurts = [(4.5 * k, 4.5 * k + 4.0) for k in range(11)]
    act = activity(60, customer=spurts, agent=[(51, 53)])
    ev = run(act)
    parts = [(t.start, t.end, t.part) for t in closed(ev, "turn") if t.speaker == "customer"]
    assert parts == [(0.0, 22.0, 1), (22.5, 44.5, 2), (45.0, 49.0, 3)]
    # The part goes out when the speaker resumes after the pause; the pause once it is
    # known that no hold began by then (_HELD_WAIT_S).
    first = next(t for t in closed(ev, "turn") if t.part == 1 and t.speaker == "customer")
    pause = next(p for p in closed(ev, "pause") if p.start == 22.0)
    assert first.emitted_at == pytest.approx(22.5 + HOP)
    assert pause.emitted_at == pytest.approx(22.5 + _HELD_WAIT_S + HOP)
    # Nothing else changes: the floor passes once, from the last part.
    (gap,) = closed(ev, "gap")
    assert (gap.start, gap.end, gap.offset) == pytest.approx((49.0, 51.0, 2.0))
    whole = run(act, max_turn_s=0.0)
    assert [(t.start, t.end, t.part) for t in closed(whole, "turn")] == [
        (0.0, 49.0, 1),
        (51.0, 53.0, 1),
    ]


def _merged_turns(events: list[Event]) -> list[tuple[str, float, float, float, int]]:
    """Whole floor turns from their parts: speaker, start, end, emitted_at (of the last
    part), number of parts. Parts must follow each other, numbered 2, 3, ..."""
    out: list[tuple[str, float, float, float, int]] = []
    for t in closed(events, "turn"):
        if t.part == 1:
            out.append((t.speaker, t.start, t.end, t.emitted_at, 1))
            continue
        speaker, start, _, _, parts = out[-1]
        assert speaker == t.speaker and t.part == parts + 1, t
        out[-1] = (speaker, start, t.end, t.emitted_at, t.part)
    return out


@pytest.mark.parametrize("seed", seeds(12))
def test_splitting_long_turns_changes_nothing_but_the_turns(seed: int) -> None:
    """Random two-leg activity with long stretches of one speaker, max_turn_s 3 s: every
    event other than the turns is as without splitting, the parts merge back into the
    same turns, every part but a turn's last lasted max_turn_s, and the parts meet at a
    pause of their speaker."""
    rng = np.random.default_rng(seed)
    act = random_activity(seed + 200)
    for _ in range(3):  # monologues: 9 s of one leg talking in spurts, the other silent
        a = int(rng.integers(0, 5000))
        leg = int(rng.integers(0, 2))
        act[a : a + 900] = False
        k = a
        while k < a + 900:
            d = int(rng.integers(30, 200))
            act[k : min(k + d, a + 900), leg] = True
            k += d + int(rng.integers(25, 60))
    split = run(act, max_turn_s=3.0)
    whole = run(act, max_turn_s=0.0)

    def others(events: list[Event]) -> list[dict[str, object]]:
        return [{**e.to_dict(), "id": 0} for e in events if e.type != "turn"]

    assert others(split) == others(whole)
    merged = _merged_turns(split)
    assert [m[:4] for m in merged] == [m[:4] for m in _merged_turns(whole)]
    assert max(m[4] for m in merged) > 1  # some turn was split
    turns = closed(split, "turn")
    pauses = {(p.speaker, p.start, p.end) for p in closed(split, "pause")}
    for a, b in itertools.pairwise(turns):
        if b.part > 1:
            assert a.end - a.start >= 3.0 - 1e-9, (a, b)
            assert (a.speaker, a.end, b.start) in pauses, (a, b)


def test_silence_around_call_progress_tones_is_no_dead_air() -> None:
    """Ring-back on the agent leg (1 s on, 4 s off) for 20 s, then the call: the rings and
    their 4 s cadence are no dead air; 6 s of silence after the last ring's cadence is."""
    act = activity(40, customer=[(31, 33)], agent=[(34, 36)])
    tone = np.zeros_like(act)
    for start in range(0, 20, 5):
        tone[start * 100 : (start + 1) * 100, 1] = True
    frames = frames_from_activity(act, roles=ROLES, tone=tone)
    ev = check_detector(lambda ctx: TurnTakingDetector(ctx), frames)
    (dead,) = closed(ev, "dead_air")
    assert (dead.start, dead.end) == pytest.approx((16.0 + 4.0, 31.0))
    quiet = frames_from_activity(act, roles=ROLES)  # the same silence without the tones
    (dead,) = closed(check_detector(lambda ctx: TurnTakingDetector(ctx), quiet), "dead_air")
    assert (dead.start, dead.end) == pytest.approx((0.0, 31.0))


def test_a_turn_part_split_off_at_the_holds_music_is_not_reported() -> None:
    """With max_turn_s 0.5 s the agent's turn is split at their pauses; the music's start,
    taken for the agent talking, begins a new part, and the hold that follows shows it was
    music: that part is not reported, and the parts before it end at the agent's words."""
    act = activity(30, agent=[(0.2, 0.8), (1.1, 1.7)], customer=[(23.5, 26.0)])
    act[200:250, 1] = True  # 2.0-2.5 s: the music's start, taken for speech
    energy, music = _music_on_agent_leg(act, until_s=20.0, line_db=-58.0)
    music[200:250, 1] = 0.0
    frames = frames_from_activity(act, roles=ROLES, energy_db=energy, music_prob=music)
    cfg = TurnTakingConfig(max_turn_s=0.5)
    ev = check_detector(lambda ctx: TurnTakingDetector(ctx, cfg), frames)
    (hold,) = closed(ev, "hold")
    assert (hold.start, hold.end) == (2.0, 20.0)
    agent = [(t.start, t.end, t.part) for t in closed(ev, "turn") if t.speaker == "agent"]
    assert agent == [(0.2, 0.8, 1), (1.1, 1.7, 2)]
