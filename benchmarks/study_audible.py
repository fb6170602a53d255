"""What a detector that hears only the speech standing over the noise could score at best.

    python benchmarks/study_audible.py                        # test calls 1000-1019, ~1 min
    python benchmarks/study_audible.py --split tune --seeds 0 20
    python benchmarks/study_audible.py --seeds 2000 2040

The simulated truth marks a clean utterance's frames as speech down to 35 dB under its
loudest frame (``simulate.py``); the call then adds noise 10-30 dB under the speech, and
the other party's echo. Truth frames whose speech lies under that noise cannot be heard by
any detector, whatever its method: they are decided by the convention, not by the audio.

``simulate_call(..., components=True)`` returns each leg's parts. For every 10 ms frame
this takes the speech-to-masker ratio: the role's own speech energy over the noise (and hold
music) energy, and, in the "+ echo" rows, the echo's too (a detector that looks at both
legs can in principle set the echo aside, so the rows without it are the more generous).
An "audible oracle" labels a frame speech when the truth does and that ratio is at least
``margin`` dB; its silences shorter than the detector's 200 ms hangover are bridged, as a
detector's would be. The oracle's labels go through the same event rules as the
detector's (``empathysignals.turn_taking``), and are scored like the detector's labels in
``bench_accuracy.py``: frame F1 against the truth, interruption and backchannel F1, and the
response-latency error.

The rows bound from above what hearing the signal can give under the truth's convention:
a detector below 0 dB would have to guess speech from priors (a tail is likely after a
word), not hear it. Nothing of ours is tuned here; the last row is the detector as it is.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import empathysignals as es
import scoring
from _report import table
from empathysignals.simulate import simulate_call

HOP_S = 0.01
HANGOVER_FRAMES = 20  # the detector's default hangover_ms (200 ms)
MARGINS_DB = (-3.0, 0.0, 3.0, 6.0, 10.0)
KINDS = ("interruption", "backchannel")


def frame_db(x: np.ndarray, hop: int, n_frames: int) -> np.ndarray:
    """Mean power per frame in dB, shape (n_frames,)."""
    x = np.asarray(x, dtype=np.float64)[: n_frames * hop]
    x = np.pad(x, (0, n_frames * hop - len(x)))
    return 10.0 * np.log10(np.mean(x.reshape(n_frames, hop) ** 2, axis=1) + 1e-20)


def bridge(active: np.ndarray, max_gap: int) -> np.ndarray:
    """Fill silences shorter than ``max_gap`` frames that have speech on both sides."""
    out = active.copy()
    idx = np.flatnonzero(active)
    if idx.size:
        gaps = np.diff(idx) - 1
        for k in np.flatnonzero((gaps > 0) & (gaps < max_gap)):
            out[idx[k] + 1 : idx[k + 1]] = True
    return out


def audible_labels(
    call: object, labels: dict[str, np.ndarray], margin_db: float, with_echo: bool
) -> np.ndarray:
    """(n_frames, n_roles) bool: truth speech whose speech-to-masker ratio >= margin_db."""
    roles = call.truth.roles  # type: ignore[attr-defined]
    hop = round(call.sample_rate * HOP_S)  # type: ignore[attr-defined]
    n = min(len(labels[r]) for r in roles)
    cols = []
    for role in roles:
        parts = call.components[role]  # type: ignore[attr-defined]
        masker = parts["noise"].astype(np.float64) + parts["music"]
        if with_echo:
            masker = masker + parts["echo"]
        snr = frame_db(parts["speech"], hop, n) - frame_db(masker, hop, n)
        cols.append(bridge(labels[role][:n] & (snr >= margin_db), HANGOVER_FRAMES))
    return np.stack(cols, axis=1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="test", choices=("tune", "test"))
    parser.add_argument("--seeds", type=int, nargs=2, default=(1000, 1020))
    args = parser.parse_args()
    seeds = range(*args.seeds)

    perfect = "perfect VAD (the truth's labels)"
    oracles = {
        (m, with_echo): f"audible oracle, speech >= {m:+.0f} dB over noise"
        + (" + echo" if with_echo else "")
        for with_echo in (False, True)
        for m in MARGINS_DB
    }
    ours = "empathysignals (its own labels and events)"
    systems = [perfect, *oracles.values(), ours]
    frames = {s: scoring.PRF() for s in systems}
    events = {s: {k: scoring.PRF() for k in KINDS} for s in systems}
    latency = {s: scoring.LatencyScore() for s in systems}

    for seed in seeds:
        call = simulate_call(seed, split=args.split, components=True)  # type: ignore[arg-type]
        roles = call.truth.roles
        labels = call.truth.frame_labels(hop_s=HOP_S)
        n = min(len(labels[r]) for r in roles)
        labelled = {perfect: np.stack([labels[r][:n] for r in roles], axis=1)}
        for (m, with_echo), name in oracles.items():
            labelled[name] = audible_labels(call, labels, m, with_echo)
        runs = {
            name: (act, [scoring.from_detected(e) for e in
                         scoring.closed_events(es.turn_taking(act, roles=roles))])
            for name, act in labelled.items()
        }  # fmt: skip
        own_act = np.asarray(es.voice_activity(call.audio, call.sample_rate, roles=roles).active)
        own_det, tru = scoring.intervals(
            es.analyze(call.audio, call.sample_rate, roles=roles), call.truth
        )
        runs[ours] = (own_act, own_det)
        for name, (act, det) in runs.items():
            for j, role in enumerate(roles):
                frames[name] += scoring.frame_counts(act[:, j], labels[role])
            for kind in KINDS:
                events[name][kind] += scoring.score_events(det, tru, kind)[0]
            latency[name] += scoring.response_latency(det, tru, tolerance_s=1.0)
        print(f"  seed {seed} done", file=sys.stderr, flush=True)

    rows = []
    for name in systems:
        lat = latency[name].to_dict()
        rows.append([
            name,
            f"{frames[name].f1:.3f}",
            f"{frames[name].recall:.3f}",
            f"{events[name]['interruption'].f1:.3f}",
            f"{events[name]['backchannel'].f1:.3f}",
            f"{lat['offset_mae_s']:.3f}",
            f"{lat['fraction_found']:.3f}",
        ])  # fmt: skip
    print(f"\n{args.split} calls {args.seeds[0]}-{args.seeds[1] - 1}\n")
    print(table(
        ["labels", "frame F1", "frame R", "interruption F1", "backchannel F1",
         "latency MAE (s)", "transfers found"],
        rows,
    ))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
