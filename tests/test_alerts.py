"""Live alerts on simulated calls: each fires for its ground-truth trigger, within 1 s of
stream time of the moment that triggers it, and never depends on chunking."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import empathysignals as es


@pytest.fixture(scope="module", params=[2, 5, 7])
def call(request: pytest.FixtureRequest, data_dir: Path) -> tuple[object, list[es.Event]]:
    from empathysignals.simulate import simulate_call

    sim = simulate_call(request.param)
    cfg = es.AlertConfig(long_wait_s=2.0, hold_long_s=8.0)
    # Simulated agent lines are open lines. Call 7 opens with the agent talking straight
    # into a silent hold, before the line has shown 1 s of its noise: the default "auto"
    # cannot tell that from a silence-suppressed line (tests/test_line_gate.py).
    tt = es.TurnTakingConfig(silent_holds=True)
    analyzer = es.Analyzer(sample_rate=sim.sample_rate, alerts=cfg, turn_taking=tt)
    stream = analyzer.stream()
    events: list[es.Event] = []
    for start in range(0, len(sim.audio), 1600):  # 200 ms chunks, as a live feed
        events += stream.push(sim.audio[start : start + 1600])
    events += stream.finish()
    return sim, events


def _alerts(events: list[es.Event], kind: str) -> list[es.AlertEvent]:
    return [e for e in events if isinstance(e, es.AlertEvent) and e.kind == kind]


def test_alerts_fire_within_a_second(call: tuple[object, list[es.Event]]) -> None:
    _, events = call
    alerts = [e for e in events if isinstance(e, es.AlertEvent)]
    assert alerts
    for a in alerts:
        if a.kind == "agitation_rising":
            # Decided with the turn's state: out at the same stream time as the turn, and
            # triggered where that turn was decided (after its end).
            (turn,) = [
                e
                for e in events
                if isinstance(e, es.TurnEvent)
                and e.speaker == "customer"
                and e.end is not None
                and e.emitted_at == a.emitted_at
            ]
            assert turn.end <= a.start
        # start is the trigger itself: dead air 5 s into the silence, a talk-over once it
        # has become an interruption, a turn once decided (docs/alerts.md)
        trigger = a.start
        assert a.emitted_at - trigger <= 1.0, a
        assert a.message and a.end == a.start


def test_long_waits_and_dead_air_and_holds_match_truth(
    call: tuple[object, list[es.Event]],
) -> None:
    sim, events = call
    truth = sim.truth  # type: ignore[attr-defined]
    waits = _alerts(events, "long_wait")
    for gap in truth.events_of("gap"):
        # Clear waits (the answer came well after the 2 s threshold) must be flagged.
        if gap.attrs["from"] == "customer" and gap.attrs["offset"] >= 2.5:
            assert any(abs(a.start - (gap.start + 2.0)) <= 1.0 for a in waits), gap
    dead = _alerts(events, "dead_air")
    for ev in truth.events_of("dead_air"):
        assert any(abs(a.start - (ev.start + 5.0)) <= 1.0 for a in dead), ev
    holds = _alerts(events, "hold_long")
    for ev in truth.events_of("hold"):
        if ev.end - ev.start >= 9.0:
            assert any(abs(a.start - (ev.start + 8.0)) <= 1.5 for a in holds), ev


def test_agent_interruptions_alert_when_announced(call: tuple[object, list[es.Event]]) -> None:
    _, events = call
    opened = [e for e in events if isinstance(e, es.InterruptionEvent) and e.end is None
              and e.by == "agent"]  # fmt: skip
    alerts = _alerts(events, "agent_interrupting")
    # triggered at the frame that decided the announcement: latency_s + 1 frame before it
    # went out, at least backchannel_max_s into the overlap
    decided = [round(e.emitted_at - 0.49 - 0.01, 6) for e in opened]
    assert [(a.start, a.emitted_at) for a in alerts] == [
        (d, e.emitted_at) for d, e in zip(decided, opened, strict=True)
    ]
    bc_max = es.TurnTakingConfig().backchannel_max_s
    assert all(a.start >= e.start + bc_max - 0.011 for a, e in zip(alerts, opened, strict=True))


def test_alert_config_validation_and_off_switch() -> None:
    with pytest.raises(es.ParameterError, match="long_wait_s"):
        es.AlertConfig(long_wait_s=0)
    with pytest.raises(es.ParameterError, match="agitation_turns"):
        es.AlertConfig(agitation_turns=0)
    with pytest.raises(es.ParameterError, match="alerts"):
        es.Analyzer(alerts="yes")  # type: ignore[arg-type]
    assert es.Analyzer(alerts=False).alerts is None


def test_agitation_rising_rule() -> None:
    """Two customer turns in a row with arousal >= 0.25, rising, valence < 0 raise one
    alert, emitted with the turn that completes the run; agent turns do not count; an
    activated voice with nothing negative (valence 0: no words, no grievance) is not
    agitation."""
    from empathysignals.alerts import AlertTracker
    from empathysignals.detectors.base import DetectorContext

    tracker = AlertTracker(DetectorContext(("customer", "agent"), 49), es.AlertConfig())

    def turn(k: int, speaker: str, arousal: float, valence: float) -> es.TurnEvent:
        state = {"arousal": arousal, "valence": valence, "label": "", "confidence": 1.0}
        return es.TurnEvent(k, 10.0 * k, 10.0 * k + 5, 10.0 * k + 6, speaker=speaker,
                            state=state)  # fmt: skip

    seq = [
        turn(0, "customer", 0.1, -0.3),  # calm
        turn(1, "customer", 0.3, -0.3),  # 1st agitated
        turn(2, "agent", 0.9, -0.9),  # ignored
        turn(3, "customer", 0.5, -0.2),  # 2nd, rising: alert
        turn(4, "customer", 0.7, -0.2),  # 3rd: no second alert for the same run
        turn(5, "customer", 0.6, 0.4),  # positive: run broken
        turn(6, "customer", 0.7, -0.1),
        turn(7, "customer", 0.65, -0.1),  # not rising: run broken
    ]
    fired = [(t.id, a) for t in seq for a in tracker.observe_turn(t)]
    assert [k for k, _ in fired] == [3]
    alert = fired[0][1]
    assert isinstance(alert, es.AlertEvent) and alert.kind == "agitation_rising"
    # triggered where the turn was decided: emitted_at less the 0.5 s lookahead
    assert alert.who == "customer" and alert.start == 35.5 and alert.emitted_at == 36.0
    assert alert.value == 0.5 and alert.threshold == 0.25
    assert alert.message == "Customer agitation rising over the last 2 turns"
    one = AlertTracker(
        DetectorContext(("customer", "agent"), 49), es.AlertConfig(agitation_turns=1)
    )
    (single,) = one.observe_turn(turn(1, "customer", 0.3, -0.3))
    assert single.message == "Customer agitation rising on their last turn"
    neutral = AlertTracker(DetectorContext(("customer", "agent"), 49), es.AlertConfig())
    assert not [
        a for k in (1, 2, 3) for a in neutral.observe_turn(turn(k, "customer", 0.3 * k, 0.0))
    ]


def test_long_wait_on_a_muted_agent_line_follows_the_hold_rules() -> None:
    """The agent line at the hold detector's muted level is a hold, not a wait; with
    silent holds off (silence-suppressed lines) the same silence is a long wait."""
    from empathysignals.alerts import AlertTracker
    from empathysignals.detectors.base import DetectorContext
    from empathysignals.testing import frames_from_activity

    act = np.zeros((1000, 2), dtype=bool)
    act[:100, 0] = True  # the customer talks for 1 s, then nobody
    energy = np.where(act, -20.0, -50.0)
    energy[:, 1] = -90.0  # agent line muted (<= -80 dBFS), not digital silence
    frames = frames_from_activity(act, energy_db=energy)
    kinds = {}
    for silent_holds in (True, False):
        tt = es.TurnTakingConfig(silent_holds=silent_holds)
        tracker = AlertTracker(DetectorContext(("customer", "agent"), 49), es.AlertConfig(), tt)
        kinds[silent_holds] = [a.kind for a in tracker.observe_block(frames)]
    assert kinds == {True: [], False: ["long_wait"]}


@pytest.mark.parametrize("cut", [0, 1, 137, 299, 300, 301])
def test_long_wait_fires_when_the_silence_has_lasted_long_wait_s_exactly(cut: int) -> None:
    """The customer talks until 1.00 s and the agent says nothing: the alert is triggered
    at 4.00 s, 3.00 s of silence (not a frame sooner), its value the wait, whatever the
    frames' blocks; a brief music flag on the agent leg at the due frame moves it to the
    first frame after, with the longer wait as its value."""
    from empathysignals.alerts import AlertTracker
    from empathysignals.detectors.base import DetectorContext
    from empathysignals.testing import frames_from_activity, split_frames

    act = np.zeros((800, 2), dtype=bool)
    act[:100, 0] = True
    music = np.zeros((800, 2))
    for flagged, want in ((False, 4.0), (True, 4.06)):
        if flagged:
            music[400:406, 1] = 1.0
        frames = frames_from_activity(act, music_prob=music)
        tracker = AlertTracker(DetectorContext(("customer", "agent"), 49), es.AlertConfig())
        alerts = [a for b in split_frames(frames, [100 + cut]) for a in tracker.observe_block(b)]
        (alert,) = alerts
        assert alert.kind == "long_wait"
        assert alert.start == pytest.approx(want) and alert.value == pytest.approx(want - 1.0)


def test_dead_air_held_back_by_a_possible_silent_hold_alerts_when_it_is_known() -> None:
    """Silence from 2 s; the agent's line is muted from 5.5 s to 7.5 s. At 7 s (5 s of
    silence) that muting might still become a silent hold (the silence from 5.5 s would
    be hold), so dead air is known only when the line opens at 7.5 s: the alert is
    triggered there, and comes out within the usual latency of it."""
    from empathysignals.alerts import AlertTracker
    from empathysignals.detectors.base import DetectorContext
    from empathysignals.detectors.turn_taking import TurnTakingDetector
    from empathysignals.testing import frames_from_activity

    act = np.zeros((1600, 2), dtype=bool)
    act[:100, 0] = True
    act[120:200, 1] = True
    energy = np.where(act, -20.0, -50.0)
    energy[550:750, 1] = -120.0
    tt = es.TurnTakingConfig(silent_holds=True)
    ctx = DetectorContext(("customer", "agent"), 49)
    det = TurnTakingDetector(ctx, tt)
    events = det.push(frames_from_activity(act, energy_db=energy)) + det.flush()
    assert not [e for e in events if e.type == "hold"]
    (announced,) = [e for e in events if e.type == "dead_air" and e.end is None]
    assert announced.start == pytest.approx(2.0)
    (alert,) = AlertTracker(ctx, es.AlertConfig(), tt).observe_event(announced)
    assert alert.start == pytest.approx(7.5, abs=0.011)
    assert alert.emitted_at - alert.start <= 0.5 + 0.011


def test_dead_air_alert_states_the_threshold() -> None:
    from empathysignals.alerts import AlertTracker
    from empathysignals.detectors.base import DetectorContext

    tt = es.TurnTakingConfig(dead_air_min_s=7.0)
    tracker = AlertTracker(DetectorContext(("customer", "agent"), 49), es.AlertConfig(), tt)
    (alert,) = tracker.observe_event(es.DeadAirEvent(3, 10.0, None, 17.5))
    assert (alert.kind, alert.value, alert.threshold) == ("dead_air", 7.0, 7.0)
    assert "7 s" in alert.message and alert.emitted_at == 17.5


def test_the_analyzer_shares_the_hold_detectors_line_gate(data_dir: object) -> None:
    """The Analyzer's alert tracker takes the hold detector's silent-hold frames instead of
    running its own line gate; on a silence-suppressed agent leg (where the gate decides
    which muted stretches are holds) its alerts equal those of a tracker with its own gate."""
    from empathysignals.alerts import AlertTracker
    from test_line_gate import _gated_call

    call, audio = _gated_call(1)
    analyzer = es.Analyzer(roles=call.truth.roles, sample_rate=call.sample_rate)

    def alerts(stream: object) -> list[dict[str, object]]:
        events = stream.push(audio) + stream.finish()  # type: ignore[attr-defined]
        return [e.to_dict() for e in events if e.type == "alert"]

    shared = analyzer.stream()
    assert shared._alerts is not None and shared._alerts.line_gate is None
    own = analyzer.stream()
    tracker = AlertTracker(own.context, analyzer.alerts, analyzer.turn_taking)
    assert tracker.line_gate is not None
    # the same tracker, but ignoring the hold detector's frames: it runs its own gate
    tracker_observe = tracker.observe_block
    tracker.observe_block = lambda block, _shared=None: tracker_observe(block)  # type: ignore[method-assign]
    own._alerts = tracker
    got, want = alerts(shared), alerts(own)
    assert want and got == want


def test_a_hold_announced_later_in_a_block_does_not_reach_back() -> None:
    """The customer stops at 1 s; the agent's silence becomes a wait at 4 s; a hold that
    starts at 3.5 s is announced at 6.5 s (hold_min_s later, plus latency). Frame by frame,
    the wait alert goes out at 4 s, before the hold is known; in one block it used to be
    suppressed, because the hold's announcement was seen before any of the block's frames.
    Both feeds now give the same alerts, and a hold closed in the block still gets its
    hold_long alert if the hold lasted that long."""
    from empathysignals.alerts import AlertTracker
    from empathysignals.detectors.base import DetectorContext
    from empathysignals.detectors.frames import FrameBlock
    from empathysignals.testing import frames_from_activity

    act = np.zeros((3000, 2), dtype=bool)
    act[:100, 0] = True  # the customer talks for 1 s, then nobody
    frames = frames_from_activity(act, energy_db=np.where(act, -20.0, -50.0))
    latency = 49
    ctx = DetectorContext(("customer", "agent"), latency)
    opened = es.HoldEvent(7, 3.5, None, ctx.emitted_at(650), kind="music")
    closed = es.HoldEvent(7, 3.5, 20.0, ctx.emitted_at(2000), kind="music")
    cfg = es.AlertConfig(long_wait_s=3.0, hold_long_s=10.0)

    def feed(step: int) -> list[dict[str, object]]:
        tracker = AlertTracker(ctx, cfg, es.TurnTakingConfig(silent_holds=False))
        out = []
        for a in range(0, 3000, step):
            part = FrameBlock(
                a, frames.roles, frames.active[a : a + step], frames.energy_db[a : a + step],
                frames.floor_db[a : a + step], frames.music_prob[a : a + step], frames.hop_s,
            )  # fmt: skip
            for ev in (opened, closed):
                decided = round(ev.emitted_at / ctx.hop_s) - 1 - latency
                if a <= decided < a + step:
                    out += tracker.observe_event(ev)
            out += tracker.observe_block(part)
        return [e.to_dict() for e in out]

    per_frame, one_block = feed(1), feed(3000)
    assert [a["kind"] for a in per_frame] == ["long_wait", "hold_long"]
    assert one_block == per_frame


def test_alerts_of_a_text_only_stream() -> None:
    """A chat raises agitation_rising (the turns' states rise), never the frame-decided
    alerts, whatever its waits (alerts.md)."""
    rows = [
        {"speaker": "customer", "start": 0.0, "text": "This is annoying."},
        {"speaker": "agent", "start": 30.0, "text": "ok"},
        {"speaker": "customer", "start": 35.0, "text": "I am so angry!"},
        {"speaker": "agent", "start": 90.0, "text": "ok"},
        {
            "speaker": "customer",
            "start": 95.0,
            "text": "I am FURIOUS, this is the worst service ever!",
        },
    ]
    alerts = [e for e in es.analyze_transcript(rows) if isinstance(e, es.AlertEvent)]
    assert [a.kind for a in alerts] == ["agitation_rising"]
    assert alerts[0].who == "customer"
