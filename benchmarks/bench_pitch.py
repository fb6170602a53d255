"""Pitch (F0) accuracy and speed of ``empathysignals.prosody.pitch`` beside Praat, librosa
and pyworld, on the FDA sentences with laryngograph reference F0.

Data: ``<data>/pitch/fda_ue`` (see its SOURCE.md): 50 read sentences, speakers rl (male)
and sb (female), 20 kHz, reference F0 every 15 ms (frame i centred at i * 15 ms, 0 =
unvoiced). Split: **tune** = sentences 001-025 of both speakers (the only files used to
choose our defaults), **test** = sentences 027-049. Both splits hold both speakers.

Conditions:

* **16 kHz**: the 20 kHz file resampled to 16 kHz (``scipy.signal.resample_poly``).
* **8 kHz telephone**: the 16 kHz audio band-passed 300-3400 Hz (4th-order Butterworth,
  zero phase), resampled to 8 kHz, and sent through a G.711 mu-law round trip.

Every system gets the same audio with a 10 ms hop and the F0 range 60-500 Hz:

* ours: ``pitch(x, sr)`` with its defaults;
* Praat ``to_pitch_ac`` (parselmouth): ``time_step=0.01, pitch_floor=60,
  pitch_ceiling=500``, other settings Praat's defaults (silence 0.03, voicing 0.45, octave
  0.01, octave jump 0.35, voiced/unvoiced 0.14, not "very accurate");
* librosa ``pyin`` (frame 64 ms, its voicing decision) and ``yin`` (frame 64 ms; it gives
  an F0 for every frame, so no voicing error is reported for it);
* pyworld ``dio`` + ``stonemask`` and ``harvest`` (``frame_period=10``).

Metrics per condition, pooled over the frames of all files of a split. Each reference
frame takes the estimate at its time (linear interpolation between two voiced neighbouring
frames, else the nearest frame):

* GPE: % of frames voiced in both with |F0 - ref| > 20 % of ref;
* VDE: % of all frames whose voiced/unvoiced decision differs from the reference;
* fine error: mean |1200 log2(F0 / ref)| (cents) over frames voiced in both, without gross
  errors.

Speed: single-threaded (``NUMBA_NUM_THREADS`` etc. = 1, set before any import), all 50
files concatenated (164 s) at 8 and 16 kHz, median of ``--repeats`` runs after a warm-up
(JIT compiled); pyin and harvest run on the first 30 s (they are slow). x real time =
audio seconds / wall seconds; ratio = ours / peer.

    python benchmarks/bench_pitch.py              # -> benchmarks/results/pitch.json
    python benchmarks/bench_pitch.py --quick      # fewer files and repeats, smoke test
"""

from __future__ import annotations

import _single_thread  # noqa: F401 - sets one thread before numeric imports

# isort: split

import argparse
import csv
import json
import os
import platform
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _report import table  # noqa: E402

FMIN, FMAX, HOP_S = 60.0, 500.0, 0.01
REF_SHIFT_S = 0.015
GROSS = 0.2
TUNE_MAX_SENTENCE = 25

Estimator = Callable[[np.ndarray, int], tuple[np.ndarray, np.ndarray]]


# --------------------------------------------------------------------------- data
@dataclass
class Item:
    name: str
    speaker: str
    sentence: int
    ref: np.ndarray  # reference F0 (Hz, 0 = unvoiced), one per 15 ms
    audio: dict[int, np.ndarray]  # rate -> float32 samples


def fda_dir() -> Path:
    from empathysignals.simulate import find_data_dir

    return find_data_dir() / "pitch" / "fda_ue"


def telephone(x16: np.ndarray) -> np.ndarray:
    """16 kHz -> 300-3400 Hz band, 8 kHz, G.711 mu-law round trip (float32)."""
    from scipy.signal import butter, resample_poly, sosfiltfilt

    from empathysignals.audio import decode_mulaw, encode_mulaw

    sos = butter(4, [300.0, 3400.0], btype="bandpass", fs=16000, output="sos")
    y = resample_poly(sosfiltfilt(sos, x16.astype(np.float64)), 1, 2)
    return decode_mulaw(encode_mulaw(np.clip(y, -1.0, 1.0).astype(np.float32)))


def load_items(directory: Path | None = None) -> list[Item]:
    import soundfile as sf
    from scipy.signal import resample_poly

    d = directory or fda_dir()
    items = []
    with (d / "manifest.csv").open() as fh:
        for row in csv.DictReader(fh):
            x, sr = sf.read(str(d / row["file"]), dtype="float64")
            x16 = resample_poly(x, 16000, sr).astype(np.float32) if sr != 16000 else x
            ref = np.loadtxt(d / row["f0ref"], ndmin=1)
            audio = {16000: x16.astype(np.float32), 8000: telephone(x16)}
            items.append(
                Item(row["file"][:-4], row["speaker"], int(row["sentence_id"]), ref, audio)
            )
    return items


def split_of(item: Item) -> str:
    return "tune" if item.sentence <= TUNE_MAX_SENTENCE else "test"


# --------------------------------------------------------------------------- scoring
def align(times: np.ndarray, f0: np.ndarray, ref_times: np.ndarray) -> np.ndarray:
    """Estimate at each reference time (0 = unvoiced): linear interpolation between two
    voiced neighbouring frames, else the nearest frame."""
    f = np.where(np.isfinite(f0) & (f0 > 0), f0, 0.0)
    if len(times) == 0:
        return np.zeros(len(ref_times))
    idx = np.clip(np.searchsorted(times, ref_times), 1, len(times) - 1)
    lo, hi = idx - 1, idx
    near = np.where(np.abs(times[lo] - ref_times) <= np.abs(times[hi] - ref_times), lo, hi)
    out = f[near]
    both = (f[lo] > 0) & (f[hi] > 0) & (out > 0)
    w = np.clip((ref_times - times[lo]) / np.maximum(times[hi] - times[lo], 1e-12), 0.0, 1.0)
    out = np.where(both, f[lo] + w * (f[hi] - f[lo]), out)
    return np.where(ref_times > times[-1] + 0.02, 0.0, out)


@dataclass
class Counts:
    frames: int = 0
    voicing_errors: int = 0
    voiced_both: int = 0
    gross: int = 0
    fine_cents_sum: float = 0.0

    def add(self, est: np.ndarray, ref: np.ndarray) -> None:
        ev, rv = est > 0, ref > 0
        both = ev & rv
        self.frames += len(ref)
        self.voicing_errors += int(np.count_nonzero(ev != rv))
        self.voiced_both += int(np.count_nonzero(both))
        rel = np.abs(est[both] - ref[both]) / ref[both]
        gross = rel > GROSS
        self.gross += int(np.count_nonzero(gross))
        cents = np.abs(1200.0 * np.log2(est[both][~gross] / ref[both][~gross]))
        self.fine_cents_sum += float(cents.sum())

    def summary(self, *, has_voicing: bool = True) -> dict[str, Any]:
        fine_n = self.voiced_both - self.gross
        return {
            "gpe_pct": 100.0 * self.gross / max(self.voiced_both, 1),
            "vde_pct": 100.0 * self.voicing_errors / max(self.frames, 1) if has_voicing else None,
            "fine_cents": self.fine_cents_sum / max(fine_n, 1),
            "frames": self.frames,
            "voiced_both": self.voiced_both,
        }


# --------------------------------------------------------------------------- systems
def ours(**kwargs: Any) -> Estimator:
    from empathysignals.prosody import pitch

    def run(x: np.ndarray, sr: int) -> tuple[np.ndarray, np.ndarray]:
        tr = pitch(x, sr, fmin_hz=FMIN, fmax_hz=FMAX, hop_s=HOP_S, **kwargs)
        return tr.times, tr.f0_hz

    return run


def praat(x: np.ndarray, sr: int) -> tuple[np.ndarray, np.ndarray]:
    import parselmouth

    p = parselmouth.Sound(x.astype(np.float64), sampling_frequency=sr).to_pitch_ac(
        time_step=HOP_S, pitch_floor=FMIN, pitch_ceiling=FMAX
    )
    return p.xs(), p.selected_array["frequency"]


def _librosa_frame(sr: int) -> int:
    return 1024 if sr >= 16000 else 512  # 64 ms


def pyin(x: np.ndarray, sr: int) -> tuple[np.ndarray, np.ndarray]:
    import librosa

    hop = round(HOP_S * sr)
    f0, _, _ = librosa.pyin(
        x, fmin=FMIN, fmax=FMAX, sr=sr, frame_length=_librosa_frame(sr), hop_length=hop
    )
    return np.arange(len(f0)) * HOP_S, f0


def yin(x: np.ndarray, sr: int) -> tuple[np.ndarray, np.ndarray]:
    import librosa

    hop = round(HOP_S * sr)
    f0 = librosa.yin(
        x, fmin=FMIN, fmax=FMAX, sr=sr, frame_length=_librosa_frame(sr), hop_length=hop
    )
    return np.arange(len(f0)) * HOP_S, f0


def dio(x: np.ndarray, sr: int) -> tuple[np.ndarray, np.ndarray]:
    import pyworld as pw

    xd = x.astype(np.float64)
    f0, t = pw.dio(xd, sr, f0_floor=FMIN, f0_ceil=FMAX, frame_period=HOP_S * 1000)
    return t, pw.stonemask(xd, f0, t, sr)


def harvest(x: np.ndarray, sr: int) -> tuple[np.ndarray, np.ndarray]:
    import pyworld as pw

    f0, t = pw.harvest(x.astype(np.float64), sr, f0_floor=FMIN, f0_ceil=FMAX, frame_period=10)
    return t, f0


PEERS: dict[str, tuple[Estimator, bool, str]] = {
    # name: (estimator, has a voicing decision, settings)
    "praat_ac": (praat, True, "to_pitch_ac(time_step=0.01, pitch_floor=60, pitch_ceiling=500)"),
    "pyin": (pyin, True, "librosa.pyin(fmin=60, fmax=500, frame 64 ms, hop 10 ms)"),
    "yin": (yin, False, "librosa.yin(fmin=60, fmax=500, frame 64 ms, hop 10 ms)"),
    "dio_stonemask": (dio, True, "pyworld.dio(f0 60-500, frame_period=10) + stonemask"),
    "harvest": (harvest, True, "pyworld.harvest(f0 60-500, frame_period=10)"),
}


def score(
    est: Estimator, items: list[Item], rate: int, *, has_voicing: bool = True
) -> dict[str, dict[str, Any]]:
    counts = {"tune": Counts(), "test": Counts()}
    for it in items:
        times, f0 = est(it.audio[rate], rate)
        ref_t = np.arange(len(it.ref)) * REF_SHIFT_S
        counts[split_of(it)].add(align(np.asarray(times), np.asarray(f0), ref_t), it.ref)
    return {k: c.summary(has_voicing=has_voicing) for k, c in counts.items()}


# --------------------------------------------------------------------------- speed
def speed(est: Estimator, x: np.ndarray, sr: int, repeats: int) -> dict[str, Any]:
    est(x[: sr * 2], sr)  # warm-up (JIT, caches)
    walls = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        est(x, sr)
        walls.append(time.perf_counter() - t0)
    dur = len(x) / sr
    med = float(np.median(walls))
    return {"audio_s": dur, "wall_s_median": med, "repeats": repeats, "x_realtime": dur / med}


# --------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--repeats", type=int, default=5, help="speed repetitions (median)")
    ap.add_argument("--slow-s", type=float, default=30.0, help="audio for pyin/harvest speed")
    ap.add_argument("--no-harvest", action="store_true")
    ap.add_argument("--quick", action="store_true", help="10 files, 2 repeats")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "pitch.json")
    args = ap.parse_args(argv)

    warnings.filterwarnings("ignore")
    items = load_items()
    if args.quick:
        items = items[:5] + items[25:30]
        args.repeats = 2
    systems: dict[str, tuple[Estimator, bool, str]] = {
        "empathysignals": (ours(), True, "pitch(fmin_hz=60, fmax_hz=500, hop_s=0.01)"),
        **PEERS,
    }
    if args.no_harvest:
        del systems["harvest"]
    slow = {"pyin", "harvest"}
    res: dict[str, Any] = {
        "benchmark": "pitch",
        "python": platform.python_version(),
        "machine": {"cpu": platform.machine(), "logical_cpus": os.cpu_count()},
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "data": "FDA (Bagshaw 1993) fda_ue: 50 sentences, rl (male) + sb (female)",
        "split": f"tune = sentences 001-{TUNE_MAX_SENTENCE:03d}, test = the rest (both speakers)",
        "files": {s: sum(split_of(i) == s for i in items) for s in ("tune", "test")},
        "settings": {k: v[2] for k, v in systems.items()},
        "accuracy": {},
        "speed": {},
    }
    for rate in (16000, 8000):
        key = f"{rate // 1000}k"
        res["accuracy"][key] = {}
        for name, (est, has_v, _) in systems.items():
            print(f"accuracy {key} {name}", file=sys.stderr)
            res["accuracy"][key][name] = score(est, items, rate, has_voicing=has_v)
    for rate in (16000, 8000):
        key = f"{rate // 1000}k"
        x = np.concatenate([it.audio[rate] for it in items])
        res["speed"][key] = {}
        for name, (est, _, _) in systems.items():
            xs = x[: int(args.slow_s * rate)] if name in slow else x
            reps = max(1, min(args.repeats, 3)) if name in slow else args.repeats
            print(f"speed {key} {name} ({len(xs) / rate:.0f} s x {reps})", file=sys.stderr)
            res["speed"][key][name] = speed(est, xs, rate, reps)
        ours_x = res["speed"][key]["empathysignals"]["x_realtime"]
        res["speed"][key]["ratio_ours_over"] = {
            n: ours_x / v["x_realtime"]
            for n, v in res["speed"][key].items()
            if n != "empathysignals"
        }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, indent=2) + "\n")
    print(report(res))
    return 0


def report(res: dict[str, Any]) -> str:
    out = []
    for key, label in (("16k", "16 kHz"), ("8k", "8 kHz telephone (300-3400 Hz, mu-law)")):
        rows = []
        for name, splits in res["accuracy"][key].items():
            sp = res["speed"][key][name]
            ratio = None if name == "empathysignals" else res["speed"][key]["ratio_ours_over"][name]
            for s in ("tune", "test"):
                m = splits[s]
                rows.append(
                    [
                        name,
                        s,
                        m["gpe_pct"],
                        m["vde_pct"],
                        m["fine_cents"],
                        sp["x_realtime"] if s == "tune" else None,
                        ratio if s == "tune" else None,
                    ]
                )
        out.append(f"### {label}\n")
        out.append(
            table(
                ["system", "split", "GPE %", "VDE %", "fine (cents)", "x real time", "ours / peer"],
                rows,
                digits=1,
                thousands=True,
            )
        )
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    raise SystemExit(main())
