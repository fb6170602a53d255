"""Tests of empathysignals.simulate: simulated two-leg calls with exact ground truth."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from empathysignals.errors import ParameterError
from empathysignals.simulate import (
    ROLES,
    CallTruth,
    Segment,
    SimulatedCall,
    TruthEvent,
    _mulaw_roundtrip,
    find_data_dir,
    simulate_call,
    simulate_calls,
    split_material,
)

SMALL = 4  # exchanges (8 turns, about a minute plus the hold)


# ----------------------------------------------------------------------------- helpers
def _inside(segments: tuple[Segment, ...], t: float) -> bool:
    return any(s.start <= t < s.end for s in segments)


def _overlap(segments: tuple[Segment, ...], a: float, b: float) -> float:
    return sum(max(0.0, min(s.end, b) - max(s.start, a)) for s in segments)


def _db(x: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(np.asarray(x, dtype=np.float64) ** 2) + 1e-20))


# ----------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def calls(data_dir: Path) -> list[SimulatedCall]:
    return simulate_calls(3, first_seed=0, n_exchanges=SMALL, data_dir=data_dir)


@pytest.fixture(scope="module")
def full_call(data_dir: Path) -> SimulatedCall:
    return simulate_call(11, data_dir=data_dir)


@pytest.fixture(scope="module")
def music_call(data_dir: Path) -> SimulatedCall:
    scen = ("gap", "hold_music", "backchannel")
    return simulate_call(21, n_exchanges=3, scenarios=scen, data_dir=data_dir)


@pytest.fixture(scope="module")
def silence_call(data_dir: Path) -> SimulatedCall:
    scen = ("gap", "hold_silence", "interruption")
    return simulate_call(22, n_exchanges=3, scenarios=scen, data_dir=data_dir)


@pytest.fixture(scope="module")
def all_calls(
    calls: list[SimulatedCall],
    full_call: SimulatedCall,
    music_call: SimulatedCall,
    silence_call: SimulatedCall,
) -> list[SimulatedCall]:
    return [*calls, full_call, music_call, silence_call]


# ----------------------------------------------------------------------------- no data needed
def test_frame_labels_half_frame_rule() -> None:
    truth = CallTruth(
        roles=ROLES,
        speech={"customer": (Segment(0.005, 0.0251),), "agent": (Segment(0.031, 0.04),)},
        events=(),
        duration_s=0.045,
    )
    labels = truth.frame_labels(hop_s=0.01)
    assert labels["customer"].shape == (5,) and labels["agent"].shape == (5,)
    # customer covers 5 ms of frame 0 (half: True), all of frame 1, 5.1 ms of frame 2.
    assert labels["customer"].tolist() == [True, True, True, False, False]
    # agent covers 9 ms of frame 3 only.
    assert labels["agent"].tolist() == [False, False, False, True, False]
    with pytest.raises(ParameterError):
        truth.frame_labels(hop_s=0.0)


def test_truth_dict_round_trip() -> None:
    truth = CallTruth(
        roles=ROLES,
        speech={"customer": (Segment(0.5, 1.25),), "agent": ()},
        events=(TruthEvent("turn", 0.5, 1.25, {"speaker": "customer"}),),
        duration_s=2.0,
    )
    doc = json.loads(json.dumps(truth.to_dict()))
    assert CallTruth.from_dict(doc) == truth
    with pytest.raises(ParameterError):
        CallTruth.from_dict({"roles": ["a"]})


def test_mulaw_round_trip_is_idempotent_and_matches_libsndfile(tmp_path: Path) -> None:
    x = np.linspace(-1.0, 1.0, 100_001)
    y = _mulaw_roundtrip(x)
    assert len(np.unique(y)) == 255  # 256 codes, +0 and -0 coincide
    assert np.array_equal(_mulaw_roundtrip(y), y)
    assert _mulaw_roundtrip(np.zeros(4)).tolist() == [0.0] * 4
    sf.write(tmp_path / "m.wav", y, 8000, subtype="ULAW")
    back, _ = sf.read(tmp_path / "m.wav", dtype="float64")
    assert np.array_equal(back, y)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"split": "train"},
        {"scenarios": ("gap", "nonsense")},
        {"scenarios": "gap"},
        {"n_exchanges": 0},
        {"sample_rate": 4000},
        {"snr_db": float("nan")},
        {"snr_db": True},
        {"snr_db": -200.0},
        {"bleed_db": 40.0},
        {"scenarios": None},
        {"telephone": "no"},
        {"mulaw": 0},
    ],
)
def test_invalid_arguments(kwargs: dict[str, object]) -> None:
    with pytest.raises(ParameterError):
        simulate_call(0, **kwargs)  # type: ignore[arg-type]


def test_find_data_dir_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ParameterError, match="EMPATHYSIGNALS_DATA"):
        find_data_dir(tmp_path)
    monkeypatch.setenv("EMPATHYSIGNALS_DATA", str(tmp_path / "missing"))
    with pytest.raises(ParameterError, match="EMPATHYSIGNALS_DATA"):
        find_data_dir()


# ----------------------------------------------------------------------------- data
def test_find_data_dir_env(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMPATHYSIGNALS_DATA", str(data_dir))
    assert find_data_dir() == data_dir.resolve()
    assert find_data_dir(str(data_dir)) == data_dir.resolve()


def test_determinism(data_dir: Path, calls: list[SimulatedCall]) -> None:
    again = simulate_call(1, n_exchanges=SMALL, data_dir=data_dir)
    first = calls[1]
    assert again.seed == first.seed == 1
    assert again.audio.dtype == np.float32
    assert np.array_equal(again.audio, first.audio)
    assert again.truth == first.truth
    assert dict(again.params) == dict(first.params)
    assert not np.array_equal(calls[0].audio[:1000], calls[1].audio[:1000])


def test_splits_are_disjoint(data_dir: Path, calls: list[SimulatedCall]) -> None:
    tune = split_material("tune", data_dir=data_dir)
    test = split_material("test", data_dir=data_dir)
    for key in ("speakers", "speech", "music", "noise"):
        assert tune[key] and test[key]
        assert not set(tune[key]) & set(test[key]), key
    test_files = set(test["speech"]) | set(test["music"]) | set(test["noise"])
    tune_files = set(tune["speech"]) | set(tune["music"]) | set(tune["noise"])
    assert any("macroform-cold_day" in f for f in tune["music"])
    assert not any("macroform-cold_day" in f for f in test["music"])
    tune_calls = simulate_calls(2, first_seed=0, n_exchanges=2, split="tune", data_dir=data_dir)
    for call in calls:
        assert call.params["split"] == "test"
        assert set(call.params["files"]) <= test_files  # type: ignore[arg-type]
    for call in tune_calls:
        assert call.params["split"] == "tune"
        assert set(call.params["files"]) <= tune_files  # type: ignore[arg-type]
        speakers = set(call.params["speakers"].values())  # type: ignore[attr-defined]
        assert speakers <= set(tune["speakers"])


def test_audio_shape_and_range(all_calls: list[SimulatedCall]) -> None:
    for call in all_calls:
        assert call.audio.ndim == 2 and call.audio.shape[1] == 2
        assert call.sample_rate == 8000
        assert np.all(np.abs(call.audio) <= 1.0)
        assert call.truth.duration_s == pytest.approx(call.audio.shape[0] / call.sample_rate)
        assert call.truth.roles == ROLES


def test_default_call_has_all_scenarios(full_call: SimulatedCall) -> None:
    kinds = Counter(ev.type for ev in full_call.truth.events)
    assert 100.0 <= full_call.truth.duration_s <= 330.0
    assert kinds["interruption"] >= 2
    assert kinds["backchannel"] >= 2
    assert kinds["dead_air"] >= 1
    assert kinds["hold"] >= 1
    assert kinds["turn"] == 24
    assert kinds["gap"] >= 10


def test_speech_segments_well_formed(all_calls: list[SimulatedCall]) -> None:
    for call in all_calls:
        for role in ROLES:
            segs = call.truth.speech[role]
            assert segs, role
            for seg in segs:
                assert 0.0 <= seg.start < seg.end <= call.truth.duration_s
            for a, b in itertools.pairwise(segs):
                assert a.end < b.start  # sorted, non-overlapping, not touching
        starts = [ev.start for ev in call.truth.events]
        assert starts == sorted(starts)


def test_frame_labels_match_duration(all_calls: list[SimulatedCall]) -> None:
    for call in all_calls:
        labels = call.truth.frame_labels()
        n = int(np.ceil(call.truth.duration_s / 0.01 - 1e-9))
        for role in ROLES:
            assert labels[role].shape == (n,)
            speech_s = sum(s.duration for s in call.truth.speech[role])
            assert labels[role].sum() * 0.01 == pytest.approx(speech_s, abs=0.01 * 60)


def test_interruptions_start_inside_speech(all_calls: list[SimulatedCall]) -> None:
    n = 0
    for call in all_calls:
        speech = call.truth.speech
        for ev in call.truth.events_of("interruption"):
            n += 1
            by, of = str(ev.attrs["by"]), str(ev.attrs["of"])
            assert by != of
            assert any(s.start == ev.start for s in speech[by])  # newcomer onset
            assert _inside(speech[of], ev.start)  # while the other is speaking
            assert 1.15 <= ev.end - ev.start <= 2.55
            assert _overlap(speech[by], ev.start, ev.end) > 0.5 * (ev.end - ev.start)
            if ev.attrs["successful"]:
                # the interrupted speaker stops at the end of the overlap
                assert any(s.end == ev.end for s in speech[of])
            else:
                assert any(s.end == ev.end for s in speech[by])
                assert _overlap(speech[of], ev.end, ev.end + 5.0) > 0
    assert n >= 4


def test_backchannels(all_calls: list[SimulatedCall]) -> None:
    n = 0
    for call in all_calls:
        turns = call.truth.events_of("turn")
        for ev in call.truth.events_of("backchannel"):
            n += 1
            who = str(ev.attrs["speaker"])
            assert 0.15 <= ev.end - ev.start < 0.8
            assert any(s.start == ev.start and s.end == ev.end for s in call.truth.speech[who])
            holder = [t for t in turns if t.start + 0.5 <= ev.start and ev.end <= t.end - 0.5]
            assert any(t.attrs["speaker"] != who for t in holder)
            assert not any(t.start <= ev.start <= t.end for t in turns if t.attrs["speaker"] == who)
    assert n >= 4


def test_holds_have_no_speech(all_calls: list[SimulatedCall]) -> None:
    kinds = set()
    for call in all_calls:
        for ev in call.truth.events_of("hold"):
            kinds.add(ev.attrs["kind"])
            assert ev.end - ev.start >= 10.0 - 1e-9
            for role in ROLES:
                assert _overlap(call.truth.speech[role], ev.start, ev.end) == 0.0
    assert kinds == {"music", "silence"}


def test_dead_air_has_no_speech(all_calls: list[SimulatedCall]) -> None:
    n = 0
    for call in all_calls:
        holds = call.truth.events_of("hold")
        for ev in call.truth.events_of("dead_air"):
            n += 1
            assert ev.end - ev.start >= 5.0
            for role in ROLES:
                assert _overlap(call.truth.speech[role], ev.start, ev.end) == 0.0
            assert not any(h.start < ev.end and h.end > ev.start for h in holds)
    assert n >= 4


def test_gaps_are_floor_transfers(all_calls: list[SimulatedCall]) -> None:
    for call in all_calls:
        turns = call.truth.events_of("turn")
        for ev in call.truth.events_of("gap"):
            a, b = str(ev.attrs["from"]), str(ev.attrs["to"])
            assert a != b
            offset = float(ev.attrs["offset"])  # type: ignore[arg-type]
            e0, s1 = (ev.start, ev.end) if offset >= 0 else (ev.end, ev.start)
            assert any(t.attrs["speaker"] == a and t.end == e0 for t in turns)
            assert any(t.attrs["speaker"] == b and t.start == s1 for t in turns)
            assert ev.end - ev.start == pytest.approx(abs(offset))
            if ev.attrs["scenario"] == "gap":
                assert -0.25 - 1e-9 <= offset <= 1.2 + 1e-9
            elif ev.attrs["scenario"] == "long_wait":
                assert 2.0 - 1e-3 <= offset <= 4.0 + 1e-3
            elif ev.attrs["scenario"] == "interruption":
                assert offset < 0


def test_silent_hold_is_exactly_silent(silence_call: SimulatedCall) -> None:
    call = silence_call
    sr = call.sample_rate
    (hold,) = call.truth.events_of("hold")
    assert hold.attrs["kind"] == "silence"
    agent = call.audio[round(hold.start * sr) : round(hold.end * sr), 1]
    assert agent.size > 10 * sr
    assert np.all(agent == 0.0)
    customer = call.audio[round(hold.start * sr) : round(hold.end * sr), 0]
    assert np.any(customer != 0.0)  # the customer's noise goes on


def test_music_hold_is_loud(music_call: SimulatedCall) -> None:
    call = music_call
    sr = call.sample_rate
    (hold,) = call.truth.events_of("hold")
    assert hold.attrs["kind"] == "music"
    music = call.audio[round(hold.start * sr) : round(hold.end * sr), 1]
    first = min(s.start for role in ROLES for s in call.truth.speech[role])
    lead_in = call.audio[: round((first - 0.05) * sr), 1]  # agent noise only
    assert lead_in.size > 0.3 * sr
    assert _db(music) > _db(lead_in) + 15.0
    assert -22.0 <= _db(music) <= -8.0


def test_legs_carry_their_own_speech(full_call: SimulatedCall) -> None:
    call = full_call
    labels = call.truth.frame_labels()
    hop = round(0.01 * call.sample_rate)
    n = min(len(labels["agent"]), call.audio.shape[0] // hop)
    frames = call.audio[: n * hop].reshape(n, hop, 2).astype(np.float64)
    energy = np.mean(frames**2, axis=1)
    in_hold = np.zeros(n, dtype=bool)
    for ev in call.truth.events_of("hold"):
        in_hold[int(ev.start / 0.01) : int(np.ceil(ev.end / 0.01)) + 1] = True
    for col, role in enumerate(ROLES):
        other = ROLES[1 - col]
        own = labels[role][:n] & ~labels[other][:n]
        quiet = ~labels[role][:n] & ~labels[other][:n] & ~in_hold
        assert own.sum() > 100 and quiet.sum() > 100
        ratio = 10 * np.log10(np.mean(energy[own, col]) / np.mean(energy[quiet, col]))
        assert ratio > 8.0, role


def test_params_record_choices(full_call: SimulatedCall) -> None:
    p = full_call.params
    for key in ("seed", "split", "speakers", "speech_level_dbfs", "snr_db", "bleed_db", "noise"):
        assert key in p
    for role in ROLES:
        assert -30.0 <= p["speech_level_dbfs"][role] <= -18.0  # type: ignore[index]
        assert 10.0 <= p["snr_db"][role] <= 30.0  # type: ignore[index]
        assert -35.0 <= p["bleed_db"][role] <= -20.0  # type: ignore[index]
    json.dumps(dict(p))


def test_fixed_snr_and_bleed(data_dir: Path) -> None:
    call = simulate_call(
        3,
        n_exchanges=2,
        snr_db=20.0,
        bleed_db=-30.0,
        telephone=False,
        mulaw=False,
        sample_rate=16000,
        data_dir=data_dir,
    )
    assert call.sample_rate == 16000
    assert call.params["snr_db"] == {"customer": 20.0, "agent": 20.0}
    assert call.params["bleed_db"] == {"customer": -30.0, "agent": -30.0}


def test_fixing_snr_or_bleed_keeps_the_call(data_dir: Path) -> None:
    """docs/simulation.md: fixing the echo or the SNR leaves the same call (a sweep over one
    seed compares one call). A given value skipped its random draw and shifted every later
    one, so the script changed (77 events against 78 on test call 1000)."""
    base = simulate_call(1000, split="test", data_dir=data_dir)
    for kw in ({"bleed_db": -25.0}, {"snr_db": 20.0}, {"snr_db": np.float32(15.0)}):
        other = simulate_call(1000, split="test", data_dir=data_dir, **kw)  # type: ignore[arg-type]
        assert other.truth == base.truth and other.params["files"] == base.params["files"], kw


def test_bleed_delay_moves_only_the_echo(data_dir: Path) -> None:
    kw = {"n_exchanges": 3, "snr_db": 50.0, "bleed_db": -20.0, "mulaw": False, "data_dir": data_dir}
    near = simulate_call(5, **kw)  # type: ignore[arg-type]
    far = simulate_call(5, bleed_delay_s=0.2, **kw)  # type: ignore[arg-type]
    assert far.params["bleed_delay_s"] == {"customer": 0.2, "agent": 0.2}
    assert far.truth.events == near.truth.events and far.params["files"] == near.params["files"]
    # the customer leg's echo of the agent now lags the agent leg by 0.2 s
    x = far.audio[: 30 * far.sample_rate].astype(np.float64)
    n = 2 * len(x)
    xcorr = np.fft.irfft(np.fft.rfft(x[:, 0], n) * np.conj(np.fft.rfft(x[:, 1], n)), n)
    lags = np.arange(1, round(0.5 * far.sample_rate))
    assert lags[np.argmax(xcorr[lags])] / far.sample_rate == pytest.approx(0.2, abs=0.002)
    for bad in (-0.1, 0.6, float("nan"), True):
        with pytest.raises(ParameterError, match="bleed_delay_s"):
            simulate_call(5, bleed_delay_s=bad, **kw)  # type: ignore[arg-type]


def test_components_sum_to_the_legs(data_dir: Path, music_call: SimulatedCall) -> None:
    scen = ("gap", "hold_music", "backchannel")
    kw = {"n_exchanges": 3, "scenarios": scen, "data_dir": data_dir}
    parted = simulate_call(21, components=True, **kw)  # type: ignore[arg-type]
    assert music_call.components is None
    np.testing.assert_array_equal(parted.audio, music_call.audio)  # the same call
    raw = simulate_call(21, components=True, mulaw=False, **kw)  # type: ignore[arg-type]
    assert raw.components is not None
    (hold,) = raw.truth.events_of("hold")
    sr = raw.sample_rate
    for k, role in enumerate(raw.truth.roles):
        parts = raw.components[role]
        assert set(parts) == {"speech", "echo", "noise", "music"}
        total = sum(x.astype(np.float64) for x in parts.values())
        unclipped = np.abs(total) < 1.0
        np.testing.assert_allclose(total[unclipped], raw.audio[unclipped, k], atol=1e-6)
        # each part is what it says: the role's talk lies in its own truth segments only
        talk = np.zeros(len(total), dtype=bool)
        for seg in raw.truth.speech[role]:
            talk[int(seg.start * sr) : int(seg.end * sr)] = True
        quiet = ~np.convolve(talk, np.ones(sr // 10), mode="same").astype(bool)
        assert np.max(np.abs(parts["speech"][quiet])) < 1e-2 * np.max(np.abs(parts["speech"]))
    assert not raw.components["customer"]["music"].any()
    inside = slice(int(hold.start * sr), int(hold.end * sr))
    agent = raw.components["agent"]
    assert np.sqrt(np.mean(agent["music"][inside] ** 2)) > 0.01
    assert not agent["noise"][inside].any() and not agent["speech"][inside].any()
    with pytest.raises(ParameterError, match="components"):
        simulate_call(21, components="yes", **kw)  # type: ignore[arg-type]


def test_line_echo_moves_only_the_echo(data_dir: Path) -> None:
    scen = ("gap", "hold_music", "backchannel")
    kw = {"n_exchanges": 3, "scenarios": scen, "mulaw": False, "components": True}
    speech = simulate_call(21, data_dir=data_dir, **kw)  # type: ignore[arg-type]
    line = simulate_call(21, data_dir=data_dir, echo_source="line", **kw)  # type: ignore[arg-type]
    assert line.truth.events == speech.truth.events
    assert speech.params["echo_source"] == "speech" and line.params["echo_source"] == "line"
    assert speech.components is not None and line.components is not None
    for k, role in enumerate(ROLES):
        a, b = speech.components[role], line.components[role]
        for part in ("speech", "noise", "music"):
            np.testing.assert_array_equal(a[part], b[part])
        # the legs differ by the echo alone (up to the clipping, never reached here)
        np.testing.assert_allclose(
            line.audio[:, k].astype(np.float64) - speech.audio[:, k],
            b["echo"].astype(np.float64) - a["echo"],
            atol=1e-6,
        )
    (hold,) = line.truth.events_of("hold")
    sr = line.sample_rate
    inside = slice(int((hold.start + 0.1) * sr), int((hold.end - 0.1) * sr))
    music = line.components["agent"]["music"][inside]
    # the customer hears the hold music, and their line echoes it at bleed_db (the echo
    # path's 3 kHz low-pass takes a little more off the telephone-band music)
    echo = line.components["customer"]["echo"][inside]
    assert not speech.components["customer"]["echo"][inside].any()
    bleed = line.params["bleed_db"]["customer"]  # type: ignore[index]
    assert _db(echo) - _db(music) == pytest.approx(bleed, abs=1.5)
    # and the agent's background noise, away from the agent's talk and the hold
    quiet = np.ones(len(line.audio), dtype=bool)
    for seg in line.truth.speech["agent"]:
        quiet[max(0, int((seg.start - 0.2) * sr)) : int((seg.end + 0.2) * sr)] = False
    quiet[int((hold.start - 0.2) * sr) : int((hold.end + 0.2) * sr)] = False
    assert quiet.sum() > sr
    agent_noise = line.components["agent"]["noise"][quiet]
    echo_noise = line.components["customer"]["echo"][quiet]
    assert _db(echo_noise) - _db(agent_noise) == pytest.approx(bleed, abs=2.0)
    with pytest.raises(ParameterError, match="echo_source"):
        simulate_call(21, data_dir=data_dir, echo_source="room")  # type: ignore[arg-type]


@pytest.mark.parametrize("subtype", ["ULAW", "PCM_16"])
def test_write(tmp_path: Path, calls: list[SimulatedCall], subtype: str) -> None:
    call = calls[0]
    path = tmp_path / "call.wav"
    call.write(path, subtype=subtype)
    audio, sr = sf.read(path, dtype="float32")
    assert sr == call.sample_rate and audio.shape == call.audio.shape
    if subtype == "ULAW":
        assert np.array_equal(audio, call.audio)  # already through the codec: lossless
    else:
        assert np.max(np.abs(audio - call.audio)) <= 1.0 / 32768 + 1e-7
    doc = json.loads(path.with_suffix(".truth.json").read_text())
    assert doc["seed"] == call.seed and doc["params"]["split"] == "test"
    assert CallTruth.from_dict(doc) == call.truth


@pytest.mark.parametrize(("split", "seed"), [("tune", 1), ("tune", 8), ("test", 4), ("test", 9)])
def test_scenarios_are_their_events_under_the_definitions(
    data_dir: Path, split: str, seed: int
) -> None:
    """Every scripted interruption, backchannel and transition is exactly what the documented
    definitions (docs/concepts.md) make of the truth's own speech activity: a perfect voice
    activity detector would score 1.0, so the benchmark measures the detector, not a
    disagreement between script and definitions."""
    import empathysignals as es

    call = simulate_call(seed, split=split, data_dir=data_dir)  # type: ignore[arg-type]
    labels = call.truth.frame_labels(hop_s=0.01)
    act = np.stack([labels[r] for r in call.truth.roles], axis=1)
    found = [e for e in es.turn_taking(act, roles=call.truth.roles) if e.end is not None]

    def agree(found_items: list[tuple[Any, ...]], truth_items: list[tuple[Any, ...]]) -> bool:
        """Same count, and pairwise the same labels with times within a frame (the truth's
        times are exact to the sample, the activity is in 10 ms frames)."""
        if len(found_items) != len(truth_items):
            return False
        for f, t in zip(sorted(found_items), sorted(truth_items), strict=True):
            times_f = [v for v in f if isinstance(v, float)]
            times_t = [v for v in t if isinstance(v, float)]
            labels_f = [v for v in f if not isinstance(v, float)]
            labels_t = [v for v in t if not isinstance(v, float)]
            close = all(abs(a - b) <= 0.0151 for a, b in zip(times_f, times_t, strict=True))
            if labels_f != labels_t or not close:
                return False
        return True

    bc_found = [(e.start, e.end, e.speaker) for e in found if e.type == "backchannel"]
    bc_truth = [(e.start, e.end, e.attrs["speaker"]) for e in call.truth.events_of("backchannel")]
    assert agree(bc_found, bc_truth), (bc_found, bc_truth)
    int_found = [(e.start, e.by) for e in found if e.type == "interruption"]
    int_truth = [(e.start, e.attrs["by"]) for e in call.truth.events_of("interruption")]
    assert agree(int_found, int_truth), (int_found, int_truth)
    # gaps: the newcomer's onset and who it is
    gap_found = [(e.end if e.offset >= 0 else e.start, e.to) for e in found if e.type == "gap"]
    gap_truth = [
        (e.end if e.attrs["offset"] >= 0 else e.start, e.attrs["to"])
        for e in call.truth.events_of("gap")
    ]
    assert agree(gap_found, gap_truth), (gap_found, gap_truth)


def test_truth_as_rttm_reads_back(tmp_path: Path, full_call: SimulatedCall) -> None:
    """Researchers score diarization and VAD against RTTM: the truth's speech, written and
    read back with our reader, is the truth to the millisecond."""
    from empathysignals import read_rttm

    full_call.truth.write_rttm(tmp_path / "t.rttm", file_id="sim1000")
    got = sorted(read_rttm(tmp_path / "t.rttm", uri="sim1000"))
    want = sorted(
        (role, round(s.start, 3), round(s.end, 3))
        for role in full_call.truth.roles
        for s in full_call.truth.speech[role]
    )
    assert got == want and len(got) > 10
