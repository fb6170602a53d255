"""Every kernel against its naive reference (tests/naive.py) or scipy."""

from __future__ import annotations

import itertools
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import resample_poly

import naive
from depth import examples
from empathysignals.audio import StreamingResampler, resample
from empathysignals.detectors import voice_activity as va
from empathysignals.detectors.frames import LINE_BANDS_HZ
from empathysignals.detectors.voice_activity import _highpass_200hz


def test_frame_features_match_naive() -> None:
    from empathysignals._kernels.vad import frame_features

    rng = np.random.default_rng(1)
    x = (rng.standard_normal(800) * 0.1).astype(np.float32)
    x[400:480] = 0.0  # a silent frame: -120 dB, no NaN
    b, a = _highpass_200hz()
    energy, dec, _ = frame_features(x[:, None], b, a, np.zeros((1, 4)))
    ref_e, ref_dec = naive.frame_features(x, b, a)
    np.testing.assert_allclose(energy[:, 0], ref_e, atol=1e-9)
    np.testing.assert_allclose(dec[:, :, 0].ravel(), ref_dec, atol=1e-6)


def test_frame_features_carry_state_across_calls() -> None:
    from empathysignals._kernels.vad import frame_features

    rng = np.random.default_rng(2)
    x = (rng.standard_normal(1600) * 0.1).astype(np.float32)
    b, a = _highpass_200hz()
    stereo = np.stack([x, x[::-1]], axis=1)
    whole, _, _ = frame_features(stereo, b, a, np.zeros((2, 4)))
    e1, _, st1 = frame_features(stereo[:720], b, a, np.zeros((2, 4)))
    e2, _, _ = frame_features(stereo[720:], b, a, st1)
    np.testing.assert_array_equal(np.concatenate([e1, e2]), whole)


@pytest.mark.parametrize("encoding", ["ULAW", "PCM_16", "FLOAT"])
def test_quiet_frame_steps_match_naive(encoding: str, tmp_path: Path) -> None:
    from empathysignals._kernels.vad import quiet_frame_steps

    rng = np.random.default_rng(3)
    # Noise from -90 to -30 dBFS across the frames, one frame of zeros, written in each
    # encoding so the samples lie on its grid.
    levels = np.repeat(np.linspace(-90, -30, 40), 80)
    x = (rng.standard_normal((len(levels), 2)) * 10 ** (levels / 20)[:, None]).astype(np.float32)
    x[800:880] = 0.0
    sf.write(tmp_path / "n.wav", x, 8000, subtype=encoding)
    x, _ = sf.read(tmp_path / "n.wav", dtype="float32")
    energy = rng.uniform(-80, -20, size=(40, 2))
    energy[10] = -100.0
    got = quiet_frame_steps(x, energy, -50.0)
    np.testing.assert_allclose(got, naive.quiet_frame_steps(x, energy, -50.0), rtol=1e-6)
    assert np.isinf(got[10]).all() and np.isfinite(got[energy < -50]).any()
    if encoding == "ULAW":
        assert got[np.isfinite(got)].min() == pytest.approx(8 / 32768)  # its step near zero


def test_idle_frames_match_naive() -> None:
    """A VOX ADPCM leg's digital silence (0, 32, 0, 32, ... in 16-bit units), zeros and a
    constant are idle; quiet noise on any grid, a frame one sample off the pattern and a
    frame of half zeros (a lost packet's edge) are not."""
    from empathysignals._kernels.vad import idle_frames

    rng = np.random.default_rng(5)
    x = np.zeros((8 * 80, 2), dtype=np.float32)
    x[80:160, 0] = np.tile([0.0, 32 / 32768], 40)  # VOX idle pattern
    x[160:240, 0] = 8 / 32768  # A-law's idle code, a constant
    x[240:320] = np.round(rng.standard_normal((80, 2)) * 2) / 32768  # +-2 LSB noise
    x[320:400, 1] = np.tile([0.0, 32 / 32768], 40)
    x[321, 1] = 16 / 32768  # one sample off the pattern
    x[400:480] = rng.standard_normal((80, 2)).astype(np.float32) * 0.1
    x[480:520] = rng.standard_normal((40, 2)).astype(np.float32) * 0.1
    got = idle_frames(x, 80)
    np.testing.assert_array_equal(got, naive.idle_frames(x, 80))
    assert got[:3, 0].all() and got[0, 1] and not got[3].any() and not got[4, 1]
    assert not got[5:7].any() and got[7].all()
    for hop in (160, 441):  # 10 ms blocks of 16 and 44.1 kHz input
        np.testing.assert_array_equal(idle_frames(x, hop), naive.idle_frames(x, hop))


@pytest.mark.parametrize("encoding", ["PCM_16", "FLOAT"])
def test_raw_block_steps_match_naive(encoding: str, tmp_path: Path) -> None:
    from empathysignals._kernels.vad import raw_block_steps

    rng = np.random.default_rng(4)
    levels = np.repeat(np.linspace(-95, -30, 30), 160)
    x = (rng.standard_normal((len(levels), 2)) * 10 ** (levels / 20)[:, None]).astype(np.float32)
    x[:, 1] += 0.2  # a DC offset is no signal
    sf.write(tmp_path / "n.wav", x, 16000, subtype=encoding)
    x, _ = sf.read(tmp_path / "n.wav", dtype="float32")
    quiet = 10 ** (-60 / 10)
    got = raw_block_steps(x, 160, quiet)
    np.testing.assert_allclose(got, naive.raw_block_steps(x, 160, quiet), rtol=1e-6)
    assert np.isfinite(got[:5]).all() and np.isinf(got[-5:]).all()
    if encoding == "PCM_16":
        assert got[:5, 0].min() == pytest.approx(1 / 32768)


def test_music_score_matches_naive() -> None:
    from empathysignals._kernels.vad import music_score

    rng = np.random.default_rng(3)
    energy = rng.uniform(-70, -10, 400)
    flux = rng.uniform(0, 0.3, 80)
    # per block: tone window share, DTMF, own share near a tone frequency
    tone = np.zeros((80, 3))
    tone[:, 0] = np.where(rng.uniform(0, 1, 80) < 0.1, 0.95, 0.5)
    tone[:, 1] = rng.uniform(0, 1, 80) < 0.05
    tone[:, 2] = rng.uniform(0.5, 1.0, 80)
    params = np.array([0.9, 4, 0.8, 2])

    def window(j: int, last: int) -> bool:
        return any(tone[w, 0] >= 0.9 for w in range(j - 3, min(j, last) + 1))

    for floor in (-55.0, -40.0, -20.0, -5.0):
        for block_row in (30, 45, 60):
            for sounding_only in (False, True):
                row = block_row * 5
                got = music_score(
                    energy, flux, row, block_row, floor, 5, 20, 3, 0.1, sounding_only,
                    tone, params, True,
                )  # fmt: skip
                # a block in a tone (DTMF; a tone window ending within the lookahead; or
                # tone-like within 2 blocks of one) is left out
                masked: list[float | None] = [
                    None if tone[j, 1] or window(j, block_row) or (
                        tone[j, 2] >= 0.8
                        and any(window(i, block_row) for i in (j - 2, j - 1, j + 1, j + 2))
                    ) else float(flux[j])
                    for j in range(block_row - 19, block_row + 4)
                ]  # fmt: skip
                ref = naive.music_score(
                    energy[row - 19 * 5 : row + 4 * 5].tolist(),
                    masked,
                    floor,
                    0.1,
                    sounding_only=sounding_only,
                )
                assert got == pytest.approx(ref)


def test_music_score_steady_noise_then_a_word_is_not_music() -> None:
    """A second of steady noise (steady spectrum) and then a loud word: the window's level
    passes, but only the sounding blocks may count as music unless music was just heard."""
    from empathysignals._kernels.vad import SOUNDING_BLOCK_DB, music_score

    floor = -50.0
    energy = np.full(200, floor + 1.0)  # 30 blocks of noise ...
    energy[150:] = -15.0  # ... and the word, loud from block 30 on
    flux = np.full(40, 0.05)  # every block's spectrum steady
    row, block_row = 150, 30  # window: blocks 11 .. 30 and 3 ahead, 4 of 23 loud
    assert SOUNDING_BLOCK_DB > 1.0
    no_tone = np.zeros((40, 3))
    args = (5, 20, 3, 0.1)
    params = np.array([0.9, 4, 0.8, 2])
    quiet_counts = music_score(
        energy, flux, row, block_row, floor, *args, False, no_tone, params, False
    )
    loud_only = music_score(
        energy, flux, row, block_row, floor, *args, True, no_tone, params, False
    )
    assert quiet_counts == 1.0  # music
    assert loud_only == pytest.approx(4 / 23)  # the word's own steady blocks only: no music
    # a tone window over blocks 20-23 (4 of the 23): left out, the rest decide
    tone = no_tone.copy()
    tone[20, 0] = 0.95
    flux[26] = 0.5  # one changing block among the 19 others
    assert music_score(energy, flux, row, block_row, floor, *args, False, tone, params, True) == (
        pytest.approx(18 / 19)
    )
    tone[18, 2] = tone[25, 2] = 0.85  # tone-like blocks 2 before and 2 after: tone as well
    tone[17, 2] = 0.85  # ... but not 3 before
    assert music_score(energy, flux, row, block_row, floor, *args, False, tone, params, True) == (
        pytest.approx(16 / 17)
    )
    tone[11:34, 1] = 1.0  # all DTMF: nothing to judge
    assert music_score(energy, flux, row, block_row, floor, *args, False, tone, params, True) == 0.0


def test_voicing_matches_naive() -> None:
    from empathysignals._kernels.vad import VOICING_MAX_LAG, VOICING_MIN_LAG, voicing

    rng = np.random.default_rng(4)
    t = np.arange(400) / 4000
    for x in (np.sin(2 * np.pi * 150 * t), rng.standard_normal(400)):
        dec = x.astype(np.float32).reshape(10, 40)[:, :, None].copy()
        got = voicing(dec, 6, 0)
        ref = naive.voicing(x[160:280].tolist(), VOICING_MIN_LAG, VOICING_MAX_LAG)
        assert got == pytest.approx(ref, rel=1e-4)


def test_block_flux_is_cosine_distance_of_spectra() -> None:
    """... and the tone precheck is the share of a block's 200-2000 Hz power within
    TONE_PRECHECK_HALF_HZ of a tone frequency, and that power in dB; a block of a DTMF
    digit (770 + 1336 Hz, "5") is DTMF, a 425 Hz tone or noise is not; the band levels
    (FrameBlock.band_db) are the power in each band of LINE_BANDS_HZ in dB."""
    from empathysignals.detectors import voice_activity as va

    rng = np.random.default_rng(5)
    dec = rng.standard_normal((20, 40, 1)).astype(np.float32)
    t = np.arange(200) / 4000
    dec[10:15, :, 0] += np.sin(2 * np.pi * 425 * t).reshape(5, 40) * 30
    digit = np.sin(2 * np.pi * 770 * t) + np.sin(2 * np.pi * 1336 * t)
    dec[15:, :, 0] += digit.reshape(5, 40) * 30
    flux, region, level, dtmf, bands = va.VoiceActivityStream(("a",), 8000)._block_flux(dec)
    assert dtmf[:, 0].tolist() == [0.0, 0.0, 0.0, 1.0]
    freqs = np.fft.rfftfreq(200, 1 / 4000)[va.MUSIC_BINS]
    near = np.zeros(len(freqs), bool)
    for f in {f for plan in va.TONE_PLANS_HZ for f in plan}:
        near |= np.abs(freqs - f) <= va.TONE_PRECHECK_HALF_HZ
    spectra = [
        np.abs(np.fft.rfft(dec[5 * j : 5 * j + 5, :, 0].ravel() * np.hanning(200)))[va.MUSIC_BINS]
        for j in range(3)
    ]
    for j in (1, 2):
        a, b = spectra[j], spectra[j - 1]
        assert flux[j, 0] == pytest.approx(1 - a @ b / np.linalg.norm(a) / np.linalg.norm(b))
    assert flux[0, 0] == 1.0  # no previous block: never "stable"
    for j in range(3):
        power = spectra[j] ** 2
        assert region[j, 0] == pytest.approx(power[near].sum() / power.sum())
        assert level[j, 0] == pytest.approx(10 * np.log10(power.sum()))
        edges = LINE_BANDS_HZ
        for b in range(len(edges) - 1):
            top = freqs <= edges[b + 1] if b == len(edges) - 2 else freqs < edges[b + 1]
            inside = (freqs >= edges[b]) & top
            assert bands[j, 0, b] == pytest.approx(10 * np.log10(power[inside].sum()))
    assert region[2, 0] > 0.95 > 0.5 > region[0, 0]  # the tone block, a noise block
    assert bands[2, 0].argmax() == 1  # 425 Hz: the 400-600 Hz band


@pytest.mark.parametrize("rate", [11025, 16000, 22050, 44100, 48000])
def test_resampler_matches_scipy_resample_poly(rate: int) -> None:
    rng = np.random.default_rng(rate)
    x = (rng.standard_normal(rate // 2) * 0.1).astype(np.float32)
    ratio = Fraction(8000, rate)
    ref = resample_poly(x.astype(np.float64), ratio.numerator, ratio.denominator)
    np.testing.assert_allclose(resample(x, rate, 8000), ref, atol=1e-6)


@settings(deadline=None, max_examples=examples(25))
@given(
    rate=st.sampled_from([16000, 44100, 48000]),
    cuts=st.lists(st.integers(min_value=1, max_value=7999), max_size=12),
)
def test_resampler_is_chunk_independent(rate: int, cuts: list[int]) -> None:
    x = np.sin(np.arange(8000) * 0.05).astype(np.float32)
    whole = resample(x, rate, 8000)
    rs = StreamingResampler(rate, 8000)
    bounds = [0, *sorted(set(cuts)), len(x)]
    parts = [rs.process(x[a:b]) for a, b in itertools.pairwise(bounds)]
    np.testing.assert_array_equal(np.concatenate([*parts, rs.finish()]), whole)


def test_highpass_coefficients_match_scipy_butter() -> None:
    from scipy.signal import butter

    b, a = _highpass_200hz()
    rb, ra = butter(2, 200.0, btype="highpass", fs=8000)
    np.testing.assert_allclose(b, rb, rtol=1e-12)
    np.testing.assert_allclose(a, ra, rtol=1e-12)


def test_window_blocks_is_transpose_times_window() -> None:
    from empathysignals._kernels.vad import window_blocks

    rng = np.random.default_rng(6)
    dec = rng.standard_normal((12, 40, 2)).astype(np.float32)
    w = np.hanning(200)
    got = window_blocks(dec, w, 5)
    ref = dec[:10].reshape(2, 200, 2).transpose(2, 0, 1) * w
    np.testing.assert_allclose(got, ref, rtol=1e-6)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_finite_and_peak_matches_numpy(bad: float) -> None:
    from empathysignals._kernels.checks import finite_and_peak

    rng = np.random.default_rng(7)
    x = rng.uniform(-0.9, 0.9, (5000, 2)).astype(np.float32)
    x[17, 1] = -0.95
    assert finite_and_peak(x) == (True, pytest.approx(0.95))
    x[4000, 0] = bad
    assert finite_and_peak(x)[0] is False


def test_leg_state_size_matches_the_stream() -> None:
    from empathysignals._kernels.vad import LEG_STATE_SIZE
    from empathysignals.detectors.voice_activity import _LEG_STATE_SIZE

    assert _LEG_STATE_SIZE == LEG_STATE_SIZE
    from empathysignals._kernels.vad import ECHO_STATE_SIZE
    from empathysignals.detectors.voice_activity import _ECHO_STATE_SIZE

    assert _ECHO_STATE_SIZE == ECHO_STATE_SIZE


@pytest.mark.parametrize(
    ("chunk_s", "mid_speech", "tone", "echo_delay_s", "hot"),
    [(0.02, False, False, None, False), (0.37, False, False, None, False),
     (30.0, False, False, None, False), (0.37, True, False, None, False),
     (0.37, False, True, None, False), (0.37, False, False, 0.15, False),
     (0.37, False, False, None, True)],
)  # fmt: skip
def test_vad_state_machine_matches_naive_on_a_real_call(
    data_dir: Path,
    chunk_s: float,
    mid_speech: bool,
    tone: bool,
    echo_delay_s: float | None,
    hot: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The two-leg speech state machine against its plain-Python port, on every call the
    stream makes while analysing a simulated call (speech, bleed, noise, a hold); on the
    call joined mid-word, which takes the start-up path; with a busy tone on the agent
    leg and DTMF on the customer's, which take the tone paths; with the echo 150 ms
    late, which takes the far echo window; and with the agent leg recorded 20 dB quieter,
    whose echo in the customer leg then lifts the coupling over the equal-gain bound."""
    from empathysignals._kernels import vad as kernels
    from empathysignals.detectors.voice_activity import VoiceActivityStream
    from empathysignals.simulate import simulate_call

    if hot:
        call = simulate_call(0, split="tune", n_exchanges=5)
    elif echo_delay_s is None:
        call = simulate_call(3, split="tune", n_exchanges=5)
    else:
        call = simulate_call(3, split="tune", n_exchanges=5, bleed_db=-25.0, bleed_delay_s=0.15)
    audio = call.audio
    if mid_speech:
        onset = next(e.start for e in call.truth.events_of("turn") if e.start > 5.0)
        audio = audio[round((onset + 0.3) * call.sample_rate) :]
    if tone:
        x, rate = sf.read(
            data_dir / "noise/telephony_tones/phone-outgoing-busy.wav", dtype="float32"
        )
        x = np.tile(resample(x, rate, call.sample_rate), 2)
        audio = audio.copy()
        at = round(1.0 * call.sample_rate)
        audio[at : at + len(x), 1] += 0.3 * x
        # and the customer keying "159#" (DTMF, 120 ms digits 100 ms apart) at 9 s
        t = np.arange(round(0.12 * call.sample_rate)) / call.sample_rate
        at = round(9.0 * call.sample_rate)
        for low, high in ((697, 1209), (770, 1336), (852, 1477), (941, 1477)):
            digit = 0.2 * (np.sin(2 * np.pi * low * t) + np.sin(2 * np.pi * high * t))
            audio[at : at + len(t), 0] += digit.astype(np.float32)
            at += len(t) + round(0.1 * call.sample_rate)
    if hot:
        audio = audio.copy()
        audio[:, 1] *= np.float32(0.1)
    kernel = kernels.vad_frames
    calls = {"n": 0, "frames": 0, "speech": 0, "tone": 0, "dtmf": 0}

    def checked(*args: object) -> object:
        got = kernel(*args)
        want = naive.vad_frames(*args)
        want_out, want_st, want_mins, want_floors, want_music, want_tones, want_echo = want
        out, st, mins, floors, music, _, tones, echo = got
        np.testing.assert_array_equal(out, np.array(want_out, dtype=np.int8).reshape(out.shape))
        np.testing.assert_allclose(st, want_st, rtol=0, atol=1e-9)
        np.testing.assert_allclose(mins, want_mins, rtol=0, atol=1e-9)
        np.testing.assert_allclose(floors, np.array(want_floors).reshape(floors.shape), atol=1e-9)
        np.testing.assert_allclose(music, np.array(want_music).reshape(music.shape), atol=1e-12)
        np.testing.assert_array_equal(tones, np.array(want_tones).reshape(tones.shape))
        np.testing.assert_allclose(echo, want_echo, rtol=1e-12, atol=1e-9)
        calls["n"] += 1
        calls["frames"] += int(args[7])  # type: ignore[call-overload]
        calls["speech"] += int(out.sum())
        tone_table = args[3]
        calls["tone"] += int((tone_table[:, :, 0] >= va.TONE_SHARE_MIN).sum())  # type: ignore[index]
        calls["dtmf"] += int((tone_table[:, :, 1] >= 0.5).sum())  # type: ignore[index]
        return got

    monkeypatch.setattr(kernels, "vad_frames", checked)
    stream = VoiceActivityStream(call.truth.roles, call.sample_rate)
    step = max(1, round(chunk_s * call.sample_rate))
    coupling = -45.0
    for i in range(0, audio.shape[0], step):
        stream.push(audio[i : i + step])
        measured = stream._legs[:, kernels.S_COUPLING]  # 0.0: not measured yet
        coupling = max(coupling, measured.max(initial=-45.0, where=measured != 0.0))
    stream.finish()
    assert calls["frames"] >= len(audio) / call.sample_rate * 100 - 1 and calls["speech"] > 0
    began_in_speech = stream._legs[:, kernels.S_STARTUP] == 1.0
    assert began_in_speech.any() == mid_speech  # the start-up path was (or was not) taken
    assert (calls["tone"] > 0) == (calls["dtmf"] > 0) == tone  # so were the tone paths
    delays = set(stream._legs[:, kernels.S_ECHO_LAG] - 1)
    assert (15.0 in delays) == (echo_delay_s is not None)  # and the far echo window
    assert (coupling > va.VadConfig().max_echo_db) == hot  # and the coupling over the bound


_LINE_KW: dict[str, float] = dict(
    ref=-60.0, switch_below=-70.0, floor_band=4.0, back_frames=15, music_return=50
)
_LINE_KW |= dict(talk_after=40, talk=20, hold_back=10, music_step=0.2, hold_start=0)
_LINE_KW |= dict(net_no_music=120, net_talk=60, pause_frames=10, steady_db=6.0)


#: Spectral shapes (dB per band, mean 0) for the line-back shape test: the line's noise
#: before the hold, a noise near it (RMS distance 1.5 dB) and music's (8.0 dB away).
_NOISE_SHAPE = np.array([6.0, 4.0, 1.0, -2.0, -4.0, -5.0])
_NEAR_SHAPE = _NOISE_SHAPE + np.array([1.5, -1.5, 1.5, -1.5, 1.5, -1.5])
_MUSIC_SHAPE = np.array([-9.0, 3.0, 12.0, 4.0, -3.0, -7.0])


def _line_scan_all(
    energy: np.ndarray,
    mus: np.ndarray,
    talk: np.ndarray,
    cuts: list[int],
    bands: np.ndarray | None = None,
    shape_max: float = 0.0,
) -> list[tuple[bool, int]]:
    """Feed the music-hold kernel as the detector does (runs of constant music/talk bits,
    cut further at ``cuts``); per frame: line back, and where the music ended. ``bands``
    (n, 6): each frame's band levels, judged against _NOISE_SHAPE within ``shape_max``."""
    from empathysignals._kernels import hold as k

    n = len(energy)
    if bands is None:
        bands = np.zeros((n, k.N_BANDS))
    params = np.zeros(k.LINE_PARAMS_SIZE)
    params[k.P_SHAPE_MAX] = shape_max
    params[k.P_SHAPE : k.P_SHAPE + k.N_BANDS] = _NOISE_SHAPE
    for name, idx in (
        ("ref", k.P_REF),
        ("switch_below", k.P_SWITCH_BELOW),
        ("floor_band", k.P_FLOOR_BAND),
        ("back_frames", k.P_BACK_FRAMES),
        ("music_return", k.P_MUSIC_RETURN),
        ("talk_after", k.P_TALK_AFTER),
        ("talk", k.P_TALK),
        ("hold_back", k.P_HOLD_BACK),
        ("music_step", k.P_MUSIC_STEP),
        ("hold_start", k.P_HOLD_START),
        ("net_no_music", k.P_NET_NO_MUSIC),
        ("net_talk", k.P_NET_TALK),
        ("pause_frames", k.P_PAUSE_FRAMES),
        ("steady_db", k.P_STEADY_DB),
    ):
        params[idx] = _LINE_KW[name]
    state = k.new_line_state(0)
    edges = {0, n, *(c for c in cuts if c < n)}
    edges |= {i for i in range(1, n) if mus[i] != mus[i - 1] or talk[i] != talk[i - 1]}
    got: list[tuple[bool, int]] = []
    for a, b in itertools.pairwise(sorted(edges)):
        t = a
        while t < b:
            before = (bool(state[k.L_BACK]), int(state[k.L_BACK_FROM]))
            used, state = k.line_scan(
                energy[t:b], bands[t:b], t, bool(mus[a]), bool(talk[a]), state, params
            )
            # the kernel stops right after a frame that changed the state
            got += [before] * (used - 1) + [(bool(state[k.L_BACK]), int(state[k.L_BACK_FROM]))]
            t += used
    return got


def _line_naive(
    energy: np.ndarray,
    mus: np.ndarray,
    talk: np.ndarray,
    bands: np.ndarray | None = None,
    shape_max: float = 0.0,
) -> list[tuple[bool, int]]:
    return naive.hold_line_back(
        energy.tolist(),
        mus.tolist(),
        talk.tolist(),
        switch_heard=0,
        bands=None if bands is None else bands.tolist(),
        shape=_NOISE_SHAPE.tolist(),
        shape_max=shape_max,
        **_LINE_KW,  # type: ignore[arg-type]
    )


@settings(max_examples=examples(300), deadline=None)
@given(
    levels=st.lists(st.sampled_from([-90.0, -70.0, -58.0, -52.0, -40.0, -20.0]), min_size=1),
    music=st.lists(st.sampled_from([False, False, False, True]), min_size=1),
    talking=st.lists(st.booleans(), min_size=1),
    repeat=st.integers(1, 40),
    cuts=st.lists(st.integers(1, 2000), max_size=4),
    shapes=st.lists(st.sampled_from([0, 0, 1, 2]), min_size=1),
    shape_max=st.sampled_from([0.0, 6.0]),
)
def test_hold_line_scan_matches_naive(
    levels: list[float],
    music: list[bool],
    talking: list[bool],
    repeat: int,
    cuts: list[int],
    shapes: list[int],
    shape_max: float,
) -> None:
    """The music-hold kernel, fed in pieces as the detector feeds it, against the rule
    written frame by frame, with and without the spectral shape test."""
    n = len(levels) * repeat
    energy = np.repeat(levels, repeat)
    mus = np.resize(np.repeat(music, 7), n).astype(bool)
    talk = np.resize(np.repeat(talking, 13), n).astype(bool)
    table = np.array([_NOISE_SHAPE, _NEAR_SHAPE, _MUSIC_SHAPE])
    bands = table[np.resize(np.repeat(shapes, 4), n)] + energy[:, None]
    got = _line_scan_all(energy, mus, talk, cuts, bands, shape_max)
    assert got == _line_naive(energy, mus, talk, bands, shape_max)


def test_hold_line_scan_thresholds() -> None:
    """Each way the line comes back (and stays back) at exactly its threshold."""
    n = 200
    mus = np.zeros(n, bool)
    mus[:5] = True  # the switch last heard at frame 4
    # talk with two 10-frame pauses at the floor, the second complete at frame 90: talk
    # and quiet time are long reached, so the pauses decide
    energy = np.full(n, -30.0)  # over the midpoint of floor (-60) and music (-20)
    energy[:5] = -20.0
    energy[20:30] = energy[81:91] = -58.0
    talk = energy > -50.0
    talk[:5] = False
    got = _line_scan_all(energy, mus, talk, [])
    assert got == _line_naive(energy, mus, talk)
    assert next(t for t in range(n) if got[t][0]) == 90 and got[90][1] == 5  # first talk
    # dips of up to 9 frames are no pauses (a queue announcement between its syllables):
    # only the safety net brings the line back, net_no_music frames after the music
    energy = np.full(n, -30.0)
    energy[:5] = -20.0
    for first in range(20, 190, 30):
        energy[first : first + 9] = -58.0
    talk = energy > -50.0
    talk[:5] = False
    got = _line_scan_all(energy, mus, talk, [])
    assert got == _line_naive(energy, mus, talk)
    assert next(t for t in range(n) if got[t][0]) == 4 + 120
    # nearer the floor than the music but over its band, the line must sit at a steady
    # level: 15 frames falling through, 1 dB a frame (-41 ... -55 dB), are a decay, not a
    # microphone's background; the same 15 frames level are the line back
    decay = [*np.linspace(-41.0, -55.0, 15), *[-30.0] * 5]
    for pattern, back_at in ((decay, None), ([-48.0] * 15 + [-30.0] * 5, 19)):
        energy = np.full(n, -20.0)
        energy[5:] = np.resize(pattern, n - 5)
        got = _line_scan_all(energy, mus, np.zeros(n, bool), [])
        assert got == _line_naive(energy, mus, np.zeros(n, bool))
        assert next((t for t in range(n) if got[t][0]), None) == back_at
    # back by 15 frames at the floor, then exactly hold_back frames of talk: near-silence
    # after that is the agent's pause and keeps the line back; one talk frame fewer is not
    energy = np.full(n, -58.0)
    talk = np.zeros(n, bool)
    for n_talk, stays in ((10, True), (9, False)):
        e, tk = energy.copy(), talk.copy()
        e[30 : 30 + n_talk], tk[30 : 30 + n_talk] = -40.0, True
        e[60] = -90.0
        got = _line_scan_all(e, mus, tk, [])
        assert got == _line_naive(e, mus, tk)
        assert got[19][0] and got[61][0] is stays
    # talk whose pauses sit under the switch threshold (a much quieter line than before
    # the hold): back once net_talk frames of talk follow net_no_music frames without music
    energy = np.where(np.arange(n) % 10 < 8, -30.0, -80.0)
    talk = energy > -50.0
    got = _line_scan_all(energy, mus, talk, [])
    assert got == _line_naive(energy, mus, talk)
    first_back = next(t for t in range(n) if got[t][0])
    assert first_back == 4 + 120 and got[first_back][1] == 5


@settings(deadline=None, max_examples=examples(40))
@given(
    n=st.integers(min_value=0, max_value=2000),
    cuts=st.lists(st.integers(min_value=1, max_value=1999), max_size=10),
    hop=st.sampled_from([80, 400]),
)
def test_frame_buffer_hands_out_every_sample_in_whole_units(
    n: int, cuts: list[int], hop: int
) -> None:
    from empathysignals.framing import FrameBuffer

    x = np.arange(2 * n, dtype=np.float32).reshape(n, 2)
    buf = FrameBuffer(2, hop)
    bounds = [0, *sorted(c for c in set(cuts) if c < n), n]
    parts = [buf.push(x[a:b]) for a, b in itertools.pairwise(bounds)]
    assert all(len(p) % hop == 0 for p in parts)
    tail = buf.finish(unit=80)
    assert len(tail) % 80 == 0 and len(tail) < hop + 80
    out = np.concatenate([*parts, tail])
    np.testing.assert_array_equal(out[:n], x)
    assert not out[n:].any()  # zero padding only


def test_line_band_counts_agree() -> None:
    """The hold kernel's band slots and the frame block's bands agree."""
    from empathysignals._kernels import hold as k
    from empathysignals.detectors.frames import N_LINE_BANDS

    assert k.N_BANDS == len(LINE_BANDS_HZ) - 1 == N_LINE_BANDS


def test_hold_line_scan_spectral_shape() -> None:
    """With the pre-hold noise's spectral shape known, a run at the floor (or a pause of the
    talk rule) brings the line back only with that shape: a quiet passage of music at the
    floor's level does not, the line's own noise (within 6 dB RMS) does, judged afresh
    every back_frames frames."""
    n = 200
    mus = np.zeros(n, bool)
    mus[:5] = True
    energy = np.full(n, -58.0)
    energy[:5] = -20.0
    silent = np.zeros(n, bool)
    for shape, back_at in ((_MUSIC_SHAPE, None), (_NEAR_SHAPE, 19)):
        bands = shape + energy[:, None]
        got = _line_scan_all(energy, mus, silent, [], bands, 6.0)
        assert got == _line_naive(energy, mus, silent, bands, 6.0)
        assert next((t for t in range(n) if got[t][0]), None) == back_at
        # no shape known: the level alone decides
        level_only = _line_scan_all(energy, mus, silent, [], bands)
        assert next(t for t in range(n) if level_only[t][0]) == 19
    # 20 frames of music's shape, then the noise's: the first window (frames 5-19) fails,
    # the next one (20-34) is the line's own noise
    bands = np.where((np.arange(n) < 25)[:, None], _MUSIC_SHAPE, _NOISE_SHAPE) + energy[:, None]
    got = _line_scan_all(energy, mus, silent, [], bands, 6.0)
    assert got == _line_naive(energy, mus, silent, bands, 6.0)
    assert next(t for t in range(n) if got[t][0]) == 34
    # the talk rule: talk with 10-frame pauses at the floor; pauses of music's shape (an
    # announcement's phrase gaps) do not count, the noise's do
    energy = np.full(n, -30.0)
    energy[:5] = -20.0
    energy[20:30] = energy[81:91] = -58.0
    talk = energy > -50.0
    talk[:5] = False
    for shape, back_at in ((_MUSIC_SHAPE, None), (_NOISE_SHAPE, 90)):
        bands = shape + energy[:, None]
        got = _line_scan_all(energy, mus, talk, [], bands, 6.0)
        assert got == _line_naive(energy, mus, talk, bands, 6.0)
        first = next((t for t in range(n) if got[t][0]), None)
        assert first == back_at if back_at else first == 4 + 120  # else only the net
