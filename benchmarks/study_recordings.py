"""Do call-recorder formats and lost packets change what the detectors hear?

    python benchmarks/study_recordings.py                 # tune calls 0-7, ~3 min
    python benchmarks/study_recordings.py --seeds 1000 1020 --split test

Each simulated call (8 kHz mu-law, as the other benchmarks) is passed, leg by leg, through
what a contact center's recorder may have done to it, decoded again, and scored against
its truth:

* the codecs libsndfile writes: GSM 06.10 (GSM full rate, in WAV), G.721 32 kbit/s and
  G.723 24 kbit/s ADPCM, Dialogic VOX ADPCM (raw, the classic call-recorder format),
  IMA ADPCM, MP3 at 8 kHz, and Opus (WebRTC's codec) at 21, 10 and 6 kbit/s, each decoded
  to 16-bit PCM;
* lost 20 ms RTP packets (1 % and 3 %, independently per leg), filled with zeros as a
  recorder without concealment writes them, or concealed by repeating the packet before
  at 0.7x (a crude stand-in for a receiver's concealment);
* one leg recorded 10 or 20 dB quieter than the other (per-channel gain, AGC or loudness
  normalization);
* the call kept by a 16 kHz, 16-bit recorder (a wideband media path), whole or with 3 %
  of its packets lost and filled with zeros;
* the customer leg through an automatic gain control without a speech gate, whose gain
  climbs up to 6 or 12 dB in the pauses;
* the agent leg through VoIP silence suppression with comfort noise at its background
  level, or 10 dB under it;
* the call simulated again with each leg echoing the other party's whole line (their
  background noise, and on the customer leg the hold music), not only their speech.

A detector whose decisions do not depend on the recorder gives the same row throughout.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent))
import empathysignals as es
import scoring
from _report import table
from empathysignals.simulate import SimulatedCall, simulate_call

KINDS = ("interruption", "backchannel", "dead_air", "hold")
PACKET_S = 0.02


def through_codec(
    x: np.ndarray, sr: int, container: str, subtype: str, compression: float | None = None
) -> np.ndarray:
    """Each leg of ``x`` (n, L) encoded with libsndfile's ``subtype`` (at its
    ``compression`` level, 0 best … 1 smallest, where the codec has one) and decoded again
    to 16-bit PCM."""
    out = np.zeros_like(x)
    with tempfile.TemporaryDirectory() as tmp:
        for leg in range(x.shape[1]):
            path = os.path.join(tmp, f"{leg}.snd")
            samples = x[: len(x) // 2 * 2, leg]  # VOX packs two samples a byte
            sf.write(
                path, samples, sr, subtype=subtype, format=container, compression_level=compression
            )
            raw = {"samplerate": sr, "channels": 1} if container == "RAW" else {}
            kw = {"format": container, "subtype": subtype} if container == "RAW" else {}
            # decoded to 16-bit PCM, as a media server or recorder passes it on
            y, _ = sf.read(path, dtype="int16", **raw, **kw)
            y = y.astype(np.float32) / 32768.0
            n = min(len(y), len(x))
            out[:n, leg] = y[:n]
    return out


def lose_packets(x: np.ndarray, sr: int, rate: float, conceal: bool, seed: int) -> np.ndarray:
    """Drop each 20 ms packet of each leg with probability ``rate``: zeros, or (``conceal``)
    the packet before repeated at 0.7x."""
    rng = np.random.default_rng(seed)
    y = x.copy()
    n = round(PACKET_S * sr)
    for leg in range(x.shape[1]):
        for i in np.flatnonzero(rng.random(len(x) // n) < rate):
            if i == 0:
                continue
            y[i * n : (i + 1) * n, leg] = 0.7 * y[(i - 1) * n : i * n, leg] if conceal else 0.0
    return y


def leg_gain(call: SimulatedCall, role: str, gain_db: float) -> np.ndarray:
    """One leg recorded ``gain_db`` quieter than the other (per-channel gain or AGC): the
    other leg's echo of it is then that much hotter against it."""
    x = call.audio.copy()
    x[:, call.truth.roles.index(role)] *= np.float32(10 ** (gain_db / 20))
    return x


def comfort_noise(call: SimulatedCall, offset_db: float) -> np.ndarray:
    """The agent leg through VoIP silence suppression with comfort noise: outside the
    agent's talk (plus a 0.2 s hang time; the truth stands in for the sender's VAD) and
    outside holds, its audio is replaced by low-pass noise at its background level +
    ``offset_db``, as a receiver's comfort-noise generator fills the gaps."""
    from scipy.signal import lfilter

    x = call.audio.copy()
    sr = call.sample_rate
    agent = call.truth.roles.index("agent")
    talk = np.repeat(call.truth.frame_labels(hop_s=0.01)["agent"], sr // 100)[: len(x)]
    talk = np.pad(talk, (0, len(x) - len(talk)))
    sending = np.convolve(talk.astype(float), np.ones(round(0.2 * sr)))[: len(x)] > 0
    for hold in call.truth.events_of("hold"):
        sending[round(hold.start * sr) : round(hold.end * sr)] = True
    n = round(0.02 * sr)
    frames = x[: len(x) // n * n, agent].reshape(-1, n)
    quiet = ~sending[: len(x) // n * n].reshape(-1, n).any(axis=1)
    level = float(np.median(np.sqrt(np.mean(frames[quiet] ** 2, axis=1)))) * 10 ** (offset_db / 20)
    noise = lfilter([1.0], [1.0, -0.5], np.random.default_rng(call.seed).standard_normal(len(x)))
    x[~sending, agent] = (noise / noise.std() * level)[~sending].astype(np.float32)
    return x


def pumping_agc(call: SimulatedCall, role: str, max_gain_db: float) -> np.ndarray:
    """One leg through an automatic gain control without a speech gate, as cheap handsets
    and headsets have: the gain brings the leg's peak envelope (1 ms blocks, 10 ms attack,
    1 s release) to -20 dBFS, between -20 dB and ``max_gain_db``, so it falls while the
    party talks and climbs back in the pauses, pumping the noise (and the other party's
    echo) up between the words."""
    x = call.audio.copy()
    leg = call.truth.roles.index(role)
    sr = call.sample_rate
    block = sr // 1000
    n = len(x) // block
    peaks = np.abs(x[: n * block, leg].astype(np.float64)).reshape(n, block).max(axis=1)
    attack, release = np.exp(-1 / 10.0), np.exp(-1 / 1000.0)  # per 1 ms block
    env = np.empty(n)
    level = 1e-4
    for i, p in enumerate(peaks):
        a = attack if p > level else release
        level = a * level + (1 - a) * p
        env[i] = level
    gain_db = np.clip(-20.0 - 20 * np.log10(env + 1e-9), -20.0, max_gain_db)
    gain = np.repeat(10 ** (gain_db / 20), block)
    gain = np.concatenate([gain, np.full(len(x) - len(gain), gain[-1])])
    x[:, leg] = np.clip(x[:, leg] * gain, -1.0, 1.0)
    return x


def wideband(x: np.ndarray, sr: int) -> tuple[np.ndarray, int]:
    """The call as a 16 kHz, 16-bit recorder keeps it (a wideband media path)."""
    from scipy.signal import resample_poly

    y = resample_poly(x, 16000, sr, axis=0)
    return (np.round(np.clip(y, -1, 32767 / 32768) * 32768) / 32768).astype(np.float32), 16000


def line_echo(call: SimulatedCall) -> np.ndarray:
    """The same call with each leg echoing everything the other party's line carried
    (their background noise, and on the customer leg the hold music), not only their
    speech (``simulate_call(echo_source="line")``)."""
    p = call.params
    return simulate_call(int(p["seed"]), split=p["split"], echo_source="line").audio  # type: ignore[call-overload, arg-type]


CONDITIONS: dict[str, Callable[[SimulatedCall], np.ndarray | tuple[np.ndarray, int]]] = {
    "mu-law, as simulated": lambda c: c.audio,
    "GSM 06.10": lambda c: through_codec(c.audio, c.sample_rate, "WAV", "GSM610"),
    "G.721 ADPCM 32k": lambda c: through_codec(c.audio, c.sample_rate, "WAV", "G721_32"),
    "G.723 ADPCM 24k": lambda c: through_codec(c.audio, c.sample_rate, "AU", "G723_24"),
    "VOX ADPCM": lambda c: through_codec(c.audio, c.sample_rate, "RAW", "VOX_ADPCM"),
    "IMA ADPCM": lambda c: through_codec(c.audio, c.sample_rate, "WAV", "IMA_ADPCM"),
    "MP3": lambda c: through_codec(c.audio, c.sample_rate, "MP3", "MPEG_LAYER_III"),
    "Opus 21 kbit/s": lambda c: through_codec(c.audio, c.sample_rate, "OGG", "OPUS"),
    "Opus 10 kbit/s": lambda c: through_codec(c.audio, c.sample_rate, "OGG", "OPUS", 0.98),
    "Opus 6 kbit/s": lambda c: through_codec(c.audio, c.sample_rate, "OGG", "OPUS", 1.0),
    "1 % loss, zeros": lambda c: lose_packets(c.audio, c.sample_rate, 0.01, False, c.seed),
    "3 % loss, zeros": lambda c: lose_packets(c.audio, c.sample_rate, 0.03, False, c.seed),
    "3 % loss, repeated": lambda c: lose_packets(c.audio, c.sample_rate, 0.03, True, c.seed),
    "customer leg -10 dB": lambda c: leg_gain(c, "customer", -10.0),
    "customer leg -20 dB": lambda c: leg_gain(c, "customer", -20.0),
    "agent leg -10 dB": lambda c: leg_gain(c, "agent", -10.0),
    "agent leg -20 dB": lambda c: leg_gain(c, "agent", -20.0),
    "16 kHz PCM": lambda c: wideband(c.audio, c.sample_rate),
    "16 kHz PCM, 3 % loss, zeros": lambda c: (
        lose_packets(wideband(c.audio, c.sample_rate)[0], 16000, 0.03, False, c.seed),
        16000,
    ),
    "customer AGC, +6 dB in pauses": lambda c: pumping_agc(c, "customer", 6.0),
    "customer AGC, +12 dB in pauses": lambda c: pumping_agc(c, "customer", 12.0),
    "agent DTX, comfort noise": lambda c: comfort_noise(c, 0.0),
    "agent DTX, comfort noise -10 dB": lambda c: comfort_noise(c, -10.0),
    "echo of the whole line": lambda c: line_echo(c),
}


def score(
    calls: list[SimulatedCall],
    degrade: Callable[[SimulatedCall], np.ndarray | tuple[np.ndarray, int]],
) -> list[str]:
    frames = scoring.PRF()
    events = {kind: scoring.PRF() for kind in KINDS}
    latency = scoring.LatencyScore()
    hold_errors: list[float] = []
    for call in calls:
        x = degrade(call)
        x, sr = x if isinstance(x, tuple) else (x, call.sample_rate)
        roles = tuple(call.truth.roles)
        labels = call.truth.frame_labels(hop_s=0.01)
        active = np.asarray(es.voice_activity(x, sr, roles=roles).active)
        for k, role in enumerate(roles):
            frames += scoring.frame_counts(active[:, k], labels[role])
        found = es.analyze(x, sr, roles=roles, emotion_model=None)
        det, tru = scoring.intervals(found, call.truth)
        for kind in KINDS:
            counts, pairs = scoring.score_events(det, tru, kind)
            events[kind] += counts
            if kind == "hold":
                hold_errors += [abs(d.start - t.start) + abs(d.end - t.end) for d, t in pairs]
        latency += scoring.response_latency(det, tru)
    lat = latency.to_dict()
    return [
        f"{frames.f1:.3f}",
        f"{frames.precision:.3f}",
        *[f"{events[kind].f1:.3f}" for kind in KINDS],
        f"{np.mean(hold_errors):.2f}" if hold_errors else "–",
        f"{lat['offset_mae_s']:.3f}",
        f"{lat['fraction_found']:.3f}",
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--seeds", type=int, nargs=2, default=(0, 8), metavar=("FIRST", "STOP"))
    ap.add_argument("--split", choices=("tune", "test"), default="tune")
    ap.add_argument(
        "--only", nargs="*", default=(), help="conditions whose name contains one of these"
    )
    args = ap.parse_args(argv)
    calls = [simulate_call(s, split=args.split) for s in range(*args.seeds)]
    rows = []
    for name, degrade in CONDITIONS.items():
        if args.only and not any(part in name for part in args.only):
            continue
        rows.append([name, *score(calls, degrade)])
        print(f"  {name}", file=sys.stderr, flush=True)
    header = ["recording", "frame F1", "P", *[f"{k} F1" for k in KINDS]]
    header += ["hold start+end error (s)", "latency MAE (s)", "transfers found"]
    print(f"{len(calls)} {args.split} calls, seeds {args.seeds[0]}..{args.seeds[1] - 1}\n")
    print(table(header, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
