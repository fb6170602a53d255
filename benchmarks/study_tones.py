"""How much of a telephony tone the voice-activity detector calls speech.

    python benchmarks/study_tones.py        # a few seconds

The three tones in ``../shared/data/noise/telephony_tones`` (freedesktop sound theme: an
incoming-call ringtone, the ring-back and the busy tone a caller hears), and keyed DTMF
digits of four lengths (synthetic, as the standard defines them), are looped to 12 s,
put on an 8 kHz mu-law line with low noise (-50 dBFS), preceded by 0.3 s of that noise, and
run through ``voice_activity`` alone. A call recording that starts before the agent answers
carries ring-back; a failed transfer, busy tone. Session 9 documented here that parts of
them were called speech; session 10's call-progress tone detector (``TONE_*`` in
``detectors/voice_activity.py``) was checked with it (docs/studies.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent))
import empathysignals as es
from _report import table
from empathysignals.audio import resample
from empathysignals.simulate import find_data_dir

RATE = 8000
SECONDS = 12.0
LEAD_S = 0.3
NOISE_DBFS = -50.0


def mulaw_line(x: np.ndarray) -> np.ndarray:
    """Encode and decode G.711 mu-law (the line's quantization)."""
    mu = 255.0
    y = np.sign(x) * np.log1p(mu * np.abs(x)) / np.log1p(mu)
    q = np.round(y * 127.0) / 127.0
    return (np.sign(q) * np.expm1(np.abs(q) * np.log1p(mu)) / mu).astype(np.float32)


def keyed_digits(digit_s: float) -> np.ndarray:
    """Twelve DTMF digits (ITU-T Q.23 pairs, each frequency at -13 dBFS) of ``digit_s``,
    150 ms apart, as a keypad sends them."""
    low, high = (697.0, 770.0, 852.0, 941.0), (1209.0, 1336.0, 1477.0, 1633.0)
    t = np.arange(round(digit_s * RATE)) / RATE
    parts = []
    for k in range(12):
        pair = np.sin(2 * np.pi * low[k % 4] * t) + np.sin(2 * np.pi * high[(k * 3) % 4] * t)
        parts += [pair * 10 ** (-13 / 20), np.zeros(round(0.15 * RATE))]
    return np.concatenate(parts).astype(np.float32)


def main() -> int:
    folder = find_data_dir() / "noise" / "telephony_tones"
    rng = np.random.default_rng(0)
    rows = []
    sounds: list[tuple[str, np.ndarray]] = []
    for path in sorted(folder.glob("*.wav")):
        x, rate = sf.read(path, dtype="float32")
        x = x.mean(axis=1) if x.ndim > 1 else x
        sounds.append((path.stem, resample(x, rate, RATE) if rate != RATE else x))
    for digit_s in (0.07, 0.1, 0.2, 0.4):
        sounds.append((f"DTMF, {digit_s * 1000:.0f} ms digits", keyed_digits(digit_s)))
    for name, x in sounds:
        n = int(SECONDS * RATE)
        tone = np.tile(x, int(np.ceil(n / len(x))))[:n]
        lead = np.zeros(int(LEAD_S * RATE), np.float32)
        signal = np.concatenate([lead, tone])
        noise = rng.standard_normal(len(signal)).astype(np.float32) * 10 ** (NOISE_DBFS / 20)
        line = mulaw_line(np.clip(signal + noise, -1.0, 1.0))
        frames = es.voice_activity(line, RATE, roles=("line",)).active[:, 0]
        sounding = np.abs(signal).reshape(-1, RATE // 100)[: len(frames)].max(axis=1) > 1e-3
        during = frames & sounding
        rows.append([
            name, len(frames), int(sounding.sum()), int(frames.sum()), int(during.sum()),
            during.sum() / max(1, sounding.sum()),
        ])  # fmt: skip
    title = f"{SECONDS:g} s of each tone, looped, on an 8 kHz mu-law line"
    print(f"{title}, {NOISE_DBFS:g} dBFS noise\n")
    header = [
        "tone", "frames", "frames with tone", "called speech", "of them with tone",
        "share of tone frames called speech",
    ]  # fmt: skip
    print(table(header, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
