"""Accuracy benchmark: empathysignals vs webrtcvad (modes 0-3) and silero-vad.

(a) Simulated two-leg calls from the *test* split (seeds 1000..1019 by default; the tune split
    is never used here): per-leg voice-activity frame F1 for every system, and the
    turn-taking events of ``empathysignals.analyze`` against the exact ground truth
    (interruption with the right ``by``, backchannel, dead air, hold with boundary errors,
    backchannel-reported-as-interruption rate, response latency).
(b) AMI meeting excerpts (pyannote's debug protocol; 12 x 30 s, 16 kHz, one mixed channel):
    speech activity (union of all RTTM speakers) vs each system's mono VAD.

    python benchmarks/bench_accuracy.py              # 20 calls, writes results/accuracy.json
    python benchmarks/bench_accuracy.py --calls 5    # quicker
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

import empathysignals as es
from empathysignals.simulate import simulate_call

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peers
import scoring
from _report import fmt, table
from scoring import PRF

HERE = Path(__file__).resolve().parent
DEFAULT_AMI = Path("/work/shared/data/conversations/ami_excerpts_pyannote")
WEBRTC_MODES = (0, 1, 2, 3)
EVENT_TYPES = ("interruption", "backchannel", "dead_air", "hold")
# hold needs the audio (music), and so does dead air beside a silent hold
ORACLE_TYPES = ("interruption", "backchannel")
#: Response latency is also reported per band of the call's lower leg SNR (dB): the truth
#: ends a turn where the clean speech falls 35 dB below its peak, which at 10 dB SNR lies
#: well under the noise.
SNR_BANDS = ((10.0, 15.0), (15.0, 20.0), (20.0, 25.0), (25.0, 30.01))


def system_names(with_silero: bool) -> list[str]:
    names = ["empathysignals"] + [f"webrtcvad-{m}" for m in WEBRTC_MODES]
    if with_silero:
        names += ["silero", "silero-ts"]
    return names


def _mean(xs: list[float | None]) -> float | None:
    vals = [x for x in xs if x is not None]
    return float(np.mean(vals)) if vals else None


# --------------------------------------------------------------------------- VAD runners
def run_vads(
    x: np.ndarray, sample_rate: int, roles: tuple[str, ...], silero: peers.SileroVad | None
) -> dict[str, np.ndarray]:
    """Every system's (n_frames, n_legs) speech labels for multi-column audio ``x``."""
    x2 = x if x.ndim == 2 else x[:, None]
    out: dict[str, np.ndarray] = {}
    out["empathysignals"] = np.asarray(es.voice_activity(x, sample_rate, roles=roles).active)
    for m in WEBRTC_MODES:
        out[f"webrtcvad-{m}"] = np.stack(
            [peers.webrtcvad_frames(x2[:, k], sample_rate, m) for k in range(x2.shape[1])], 1
        )
    if silero is not None:
        probs = [silero.probabilities(x2[:, k], sample_rate) for k in range(x2.shape[1])]
        n = len(x2)
        out["silero"] = np.stack(
            [peers.window_probs_to_frames(p, n, sample_rate) for p in probs], 1
        )
        out["silero-ts"] = np.stack(
            [peers.timestamps_to_frames(p, n, sample_rate) for p in probs], 1
        )
    return out


def _clear_of(e: scoring.Interval, holds: list[tuple[float, float]]) -> bool:
    """False for a gap overlapping a hold span: without hold logic a floor transfer across a
    hold is a 10-40 s "gap"."""
    return e.type != "gap" or all(e.end <= h0 or e.start >= h1 for h0, h1 in holds)


#: The figures given a call-resampled 95 % interval (the calls are the sampling unit: their
#: noise, speakers and scenarios vary together).
INTERVAL_KINDS = ("interruption", "backchannel")
N_RESAMPLES = 2000


def call_resampled_intervals(per_call: list[dict[str, Any]]) -> dict[str, Any]:
    """Percentile intervals (2.5, 97.5) of pooled frame F1, event F1 and latency MAE over
    ``N_RESAMPLES`` resamples of the calls with replacement (fixed seed: reproducible)."""
    if not per_call:
        return {}
    rng = np.random.default_rng(0)
    n = len(per_call)
    draws: dict[str, list[float]] = defaultdict(list)
    for _ in range(N_RESAMPLES):
        pick = rng.integers(0, n, n)
        pooled = {name: PRF() for name in ("frames", *INTERVAL_KINDS)}
        errors: list[float] = []
        for i in pick:
            for name, counts in pooled.items():
                counts += per_call[i][name]
            errors += per_call[i]["latency"].abs_errors
        for name, counts in pooled.items():
            if counts.f1 is not None:
                draws[f"{name}_f1"].append(counts.f1)
        if errors:
            draws["latency_mae_s"].append(float(np.mean(errors)))
    return {
        "n_calls": n,
        "n_resamples": N_RESAMPLES,
        **{
            k: [float(np.percentile(v, 2.5)), float(np.percentile(v, 97.5))]
            for k, v in draws.items()
        },
    }


# --------------------------------------------------------------------------- (a) simulated
def bench_simulated(seeds: list[int], with_silero: bool, split: str = "test") -> dict[str, Any]:
    silero = peers.SileroVad() if with_silero else None
    names = system_names(with_silero)
    roles: tuple[str, ...] = ()
    # VAD: per system, per leg ("all" = both legs pooled): per-call F1 list and micro counts.
    per_call_f1: dict[str, dict[str, list[float | None]]] = defaultdict(lambda: defaultdict(list))
    micro: dict[str, dict[str, PRF]] = defaultdict(lambda: defaultdict(PRF))
    ev_counts = {k: PRF() for k in EVENT_TYPES}
    hold_pairs: list[tuple[scoring.Interval, scoring.Interval]] = []
    bc_int = {"n_backchannels": 0, "hits": 0, "hits_same_speaker": 0}
    latency = scoring.LatencyScore()
    # The same rules on the truth's own speech activity (what a perfect VAD would score) and
    # on every system's frame labels (which VAD the turn logic is best fed by).
    oracle_counts = {k: PRF() for k in ORACLE_TYPES}
    oracle_latency = scoring.LatencyScore()
    fed_counts = {name: {k: PRF() for k in ORACLE_TYPES} for name in names}
    fed_latency = {name: scoring.LatencyScore() for name in names}
    latency_by_snr = {band: scoring.LatencyScore() for band in SNR_BANDS}
    n_detected = defaultdict(int)
    n_truth = defaultdict(int)
    total_s = 0.0
    calls_meta = []
    # Per call, our own counts: the calls are the sampling unit of the intervals below.
    per_call: list[dict[str, Any]] = []
    for seed in seeds:
        t0 = time.perf_counter()
        call = simulate_call(seed, split=split)  # type: ignore[arg-type]
        roles = tuple(call.truth.roles)
        sr = call.sample_rate
        total_s += call.duration_s
        labels = call.truth.frame_labels(hop_s=0.01)
        preds = run_vads(call.audio, sr, roles, silero)
        this_call: dict[str, Any] = {}  # our own counts on this call, for the intervals
        for name in names:
            call_all = PRF()
            for k, role in enumerate(roles):
                c = scoring.frame_counts(preds[name][:, k], labels[role])
                per_call_f1[name][role].append(c.f1)
                micro[name][role] += c
                call_all += c
            per_call_f1[name]["all"].append(call_all.f1)
            micro[name]["all"] += call_all
            if name == "empathysignals":
                this_call["frames"] = call_all
        # events
        events = es.analyze(call.audio, sr, roles=roles)
        det, tru = scoring.intervals(events, call.truth)
        for kind in EVENT_TYPES:
            counts, pairs = scoring.score_events(det, tru, kind)
            ev_counts[kind] += counts
            this_call[kind] = counts
            if kind == "hold":
                hold_pairs += pairs
            n_detected[kind] += sum(1 for e in det if e.type == kind)
            n_truth[kind] += sum(1 for e in tru if e.type == kind)
        bi = scoring.backchannel_as_interruption(det, tru)
        for k in bc_int:
            bc_int[k] += bi[k]
        call_latency = scoring.response_latency(det, tru, tolerance_s=1.0)
        latency += call_latency
        per_call.append({**this_call, "latency": call_latency})
        snr = min(float(v) for v in call.params["snr_db"].values())  # type: ignore[attr-defined]
        for band in SNR_BANDS:
            if band[0] <= snr < band[1]:
                latency_by_snr[band] += call_latency
        truth_act = np.stack([labels[r] for r in roles], axis=1)
        oracle = es.turn_taking(truth_act, roles=roles)
        odet = [scoring.from_detected(e) for e in scoring.closed_events(oracle)]
        for kind in ORACLE_TYPES:
            oracle_counts[kind] += scoring.score_events(odet, tru, kind)[0]
        oracle_latency += scoring.response_latency(odet, tru, tolerance_s=1.0)
        # Holds masked on the agent leg for every system alike (the truth's hold spans):
        # the table compares how each VAD hears talk, noise and bleed, not music.
        hold_mask = np.zeros(preds[names[0]].shape[0], dtype=bool)
        for e in call.truth.events_of("hold"):
            hold_mask[int(e.start * 100) : int(np.ceil(e.end * 100))] = True
        agent_col = roles.index("agent") if "agent" in roles else None
        holds = [(e.start - 1.0, e.end + 1.0) for e in call.truth.events_of("hold")]

        tru_fed = [e for e in tru if _clear_of(e, holds)]
        for name in names:
            fed_act = np.array(preds[name], dtype=bool)
            if agent_col is not None:
                fed_act[hold_mask[: fed_act.shape[0]], agent_col] = False
            fed = es.turn_taking(fed_act, roles=roles)
            fdet = [scoring.from_detected(e) for e in scoring.closed_events(fed)]
            fdet = [e for e in fdet if _clear_of(e, holds)]
            for kind in ORACLE_TYPES:
                fed_counts[name][kind] += scoring.score_events(fdet, tru_fed, kind)[0]
            fed_latency[name] += scoring.response_latency(fdet, tru_fed, tolerance_s=1.0)
        calls_meta.append(
            {"seed": seed, "duration_s": call.duration_s, "wall_s": time.perf_counter() - t0}
        )
        print(
            f"  seed {seed}: {call.duration_s:6.1f} s audio, "
            f"F1 es={per_call_f1['empathysignals']['all'][-1] or 0:.3f} "
            f"({time.perf_counter() - t0:.1f} s)",
            file=sys.stderr,
            flush=True,
        )

    vad = {
        name: {
            leg: {
                "macro_f1": _mean(per_call_f1[name][leg]),
                "micro": micro[name][leg].to_dict(),
            }
            for leg in [*roles, "all"]
        }
        for name in names
    }
    events_out: dict[str, Any] = {}
    for kind in EVENT_TYPES:
        d = ev_counts[kind].to_dict()
        d["n_truth"] = n_truth[kind]
        d["n_detected"] = n_detected[kind]
        events_out[kind] = d
    events_out["hold"]["boundary"] = scoring.boundary_errors(hold_pairs)
    n_bc = bc_int["n_backchannels"]
    bc_out = {
        **bc_int,
        "rate": bc_int["hits"] / n_bc if n_bc else None,
        "rate_same_speaker": bc_int["hits_same_speaker"] / n_bc if n_bc else None,
    }
    return {
        "split": split,
        "seeds": seeds,
        "call_resampled_95": call_resampled_intervals(per_call),
        "n_calls": len(seeds),
        "total_audio_s": total_s,
        "roles": list(roles),
        "calls": calls_meta,
        "vad": vad,
        "events": events_out,
        "backchannel_as_interruption": bc_out,
        "response_latency": {"tolerance_s": 1.0, **latency.to_dict()},
        "response_latency_by_snr": [
            {"snr_db": list(band), **score.to_dict()} for band, score in latency_by_snr.items()
        ],
        "perfect_vad": {
            "events": {k: c.to_dict() for k, c in oracle_counts.items()},
            "response_latency": oracle_latency.to_dict(),
        },
        "turn_taking_on_each_vad": {
            name: {
                "events": {k: c.to_dict() for k, c in fed_counts[name].items()},
                "response_latency": fed_latency[name].to_dict(),
            }
            for name in names
        },
    }


# --------------------------------------------------------------------------- (b) AMI
def read_rttm(path: Path) -> dict[str, list[tuple[float, float]]]:
    out: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for line in path.read_text().splitlines():
        f = line.split()
        if len(f) >= 5 and f[0] == "SPEAKER":
            onset, dur = float(f[3]), float(f[4])
            out[f[1]].append((onset, onset + dur))
    return out


def read_uem(path: Path) -> dict[str, tuple[float, float]]:
    out = {}
    for line in path.read_text().splitlines():
        f = line.split()
        if len(f) >= 4:
            out[f[0]] = (float(f[2]), float(f[3]))
    return out


def bench_ami(ami_dir: Path, with_silero: bool) -> dict[str, Any]:
    silero = peers.SileroVad() if with_silero else None
    names = system_names(with_silero)
    segs: dict[str, list[tuple[float, float]]] = {}
    uem: dict[str, tuple[float, float]] = {}
    for part in ("train", "development"):
        segs.update(read_rttm(ami_dir / f"{part}.rttm"))
        if (ami_dir / f"{part}.uem").exists():
            uem.update(read_uem(ami_dir / f"{part}.uem"))
    per_file: dict[str, dict[str, Any]] = {}
    micro = {n: PRF() for n in names}
    per_f1: dict[str, list[float | None]] = {n: [] for n in names}
    total_s = 0.0
    sample_rates = set()
    for wav in sorted(ami_dir.glob("*.wav")):
        uri = wav.stem
        x, sr = sf.read(str(wav), dtype="int16", always_2d=False)
        sample_rates.add(sr)
        if x.ndim == 2:  # defensively mix down
            x = np.round(x.mean(axis=1)).astype(np.int16)
        n_frames = peers.n_frames_of(len(x), sr)
        truth = scoring.speech_frames_from_segments(segs.get(uri, []), n_frames)
        lo, hi = uem.get(uri, (0.0, len(x) / sr))
        f0, f1 = round(lo / 0.01), min(n_frames, round(hi / 0.01))
        total_s += (f1 - f0) * 0.01
        preds = run_vads(x, sr, ("speaker",), silero)
        per_file[uri] = {"speech_fraction": float(truth[f0:f1].mean())}
        for n in names:
            p = preds[n][:, 0]
            p = np.concatenate([p, np.zeros(max(0, n_frames - len(p)), bool)])[:n_frames]
            c = scoring.frame_counts(p[f0:f1], truth[f0:f1])
            micro[n] += c
            per_f1[n].append(c.f1)
            per_file[uri][n] = c.f1
    return {
        "dir": str(ami_dir),
        "n_files": len(per_file),
        "total_scored_s": total_s,
        "sample_rates": sorted(sample_rates),
        "truth": "union of all RTTM speakers (train.rttm + development.rttm), UEM region",
        "systems": {n: {"macro_f1": _mean(per_f1[n]), "micro": micro[n].to_dict()} for n in names},
        "per_file_f1": per_file,
    }


# --------------------------------------------------------------------------- report
def best_webrtc(systems: dict[str, float | None]) -> str:
    cands = {k: v for k, v in systems.items() if k.startswith("webrtcvad-") and v is not None}
    return max(cands, key=lambda k: cands[k])


def report(res: dict[str, Any]) -> str:
    out: list[str] = []
    sim = res.get("simulated")
    if sim:
        roles = sim["roles"]
        vad = sim["vad"]
        micro_f1 = {n: v["all"]["micro"]["f1"] for n, v in vad.items()}
        best = best_webrtc(micro_f1)
        res["ratios_vs_best_webrtcvad"] = res.get("ratios_vs_best_webrtcvad", {})
        ratios = {
            n: (f / micro_f1[best] if f is not None and micro_f1[best] else None)
            for n, f in micro_f1.items()
        }
        res["ratios_vs_best_webrtcvad"]["simulated_micro_f1"] = {"best": best, **ratios}
        out.append(
            f"## (a) Simulated calls: {sim['n_calls']} calls, split={sim['split']}, seeds "
            f"{sim['seeds'][0]}..{sim['seeds'][-1]}, {sim['total_audio_s'] / 60:.1f} min\n"
        )
        out.append("### Per-leg VAD frame F1 (10 ms frames)\n")
        headers = (
            ["system"]
            + [f"{r} F1 (macro)" for r in roles]
            + ["both legs F1 (macro)", "P (micro)", "R (micro)", "F1 (micro)", f"F1 / {best}"]
        )
        rows = []
        for n, v in vad.items():
            rows.append(
                [n]
                + [v[r]["macro_f1"] for r in roles]
                + [
                    v["all"]["macro_f1"],
                    v["all"]["micro"]["precision"],
                    v["all"]["micro"]["recall"],
                    v["all"]["micro"]["f1"],
                    ratios[n],
                ]
            )
        out.append(table(headers, rows))
        out.append("\n### empathysignals events (closed events, greedy 1:1 overlap matching)\n")
        rows = []
        for kind, d in sim["events"].items():
            extra = ""
            if kind == "interruption":
                extra = "same `by` required"
            if kind == "hold":
                b = d["boundary"]
                extra = (
                    f"boundary MAE start {fmt(b['start_mae_s'], 2)} s, "
                    f"end {fmt(b['end_mae_s'], 2)} s (n={b['n']})"
                )
            rows.append(
                [
                    kind,
                    d["n_truth"],
                    d["n_detected"],
                    d["tp"],
                    d["precision"],
                    d["recall"],
                    d["f1"],
                    extra,
                ]
            )
        out.append(table(["event", "truth", "detected", "TP", "P", "R", "F1", "notes"], rows))
        bc = sim["backchannel_as_interruption"]
        lat = sim["response_latency"]
        out.append("\n### Other turn-taking metrics\n")
        out.append(
            table(
                ["metric", "value"],
                [
                    [
                        "backchannel reported as interruption (any `by`)",
                        f"{fmt(bc['rate'])} ({bc['hits']}/{bc['n_backchannels']})",
                    ],
                    [
                        "backchannel reported as interruption (by = backchanneler)",
                        f"{fmt(bc['rate_same_speaker'])} "
                        f"({bc['hits_same_speaker']}/{bc['n_backchannels']})",
                    ],
                    [
                        "response latency: fraction of truth floor transfers found (±1 s onset)",
                        f"{fmt(lat['fraction_found'])} ({lat['n_found']}/{lat['n_truth']})",
                    ],
                    ["response latency: offset MAE (s)", fmt(lat["offset_mae_s"])],
                    [
                        "response latency: median abs error (s)",
                        fmt(lat["offset_median_abs_err_s"]),
                    ],
                    [
                        "response latency: mean signed error (s)",
                        fmt(lat["offset_mean_signed_err_s"]),
                    ],
                ],
            )
        )
        ci = sim.get("call_resampled_95")
        if ci:
            out.append(
                f"\n### How far these figures could move on other calls like these "
                f"(95 %, {ci['n_resamples']} resamples of the {ci['n_calls']} calls)\n"
            )
            named = [
                (
                    "VAD frame F1 (both legs, micro)",
                    "frames_f1",
                    vad["empathysignals"]["all"]["micro"]["f1"],
                ),
                ("interruption F1", "interruption_f1", sim["events"]["interruption"]["f1"]),
                ("backchannel F1", "backchannel_f1", sim["events"]["backchannel"]["f1"]),
                (
                    "response latency MAE (s)",
                    "latency_mae_s",
                    sim["response_latency"]["offset_mae_s"],
                ),
            ]
            rows = [
                [label, fmt(value), f"{fmt(ci[key][0])} – {fmt(ci[key][1])}"]
                for label, key, value in named
                if key in ci
            ]
            out.append(table(["figure", "measured", "95 % interval"], rows))
        by_snr = sim.get("response_latency_by_snr")
        if by_snr:
            out.append("\n### Response latency by the call's lower leg SNR\n")
            rows = [
                [
                    f"{b['snr_db'][0]:.0f}-{b['snr_db'][1]:.0f} dB",
                    b["n_truth"],
                    fmt(b["fraction_found"]),
                    fmt(b["offset_mae_s"]),
                    fmt(b["offset_median_abs_err_s"]),
                    fmt(b["offset_mean_signed_err_s"]),
                ]
                for b in by_snr
            ]
            out.append(
                table(
                    ["SNR", "transfers", "found", "MAE (s)", "median abs (s)", "mean signed (s)"],
                    rows,
                )
            )
        pv = sim.get("perfect_vad")
        if pv:
            out.append(
                "\n### The same event rules on the truth's own speech activity (a perfect VAD)\n\n"
                "Separates voice-activity errors from the event logic: scores below 1.0 here "
                "would mean the scripted scenarios and the documented definitions disagree.\n"
            )
            pl = pv["response_latency"]
            rows = [[k, d["precision"], d["recall"], d["f1"]] for k, d in pv["events"].items()]
            rows.append(
                [
                    "response latency: found / offset MAE (s)",
                    fmt(pl["fraction_found"]),
                    fmt(pl["offset_mae_s"]),
                    "",
                ]
            )
            out.append(table(["event", "P", "R", "F1"], rows))
        fed = sim.get("turn_taking_on_each_vad")
        if fed:
            out.append(
                "\n### The same event rules on each system's frame labels\n\n"
                "`empathysignals.turn_taking` fed each VAD's labels of both legs, with the truth's "
                "hold spans blanked on the agent leg for every system alike (so the table "
                "compares how each VAD hears talk, noise and echo, not music), and floor "
                "transfers within 1 s of a hold left out of the latency (without hold logic "
                "they become 10-40 s gaps). The first row can therefore differ a little from the "
                "Analyzer's own events above.\n"
            )
            rows = []
            for name, d in fed.items():
                lat_d = d["response_latency"]
                rows.append(
                    [
                        name,
                        d["events"]["interruption"]["f1"],
                        d["events"]["backchannel"]["f1"],
                        fmt(lat_d["fraction_found"]),
                        fmt(lat_d["offset_mae_s"]),
                        fmt(lat_d["offset_median_abs_err_s"]),
                    ]
                )
            out.append(
                table(
                    [
                        "VAD",
                        "interruption F1",
                        "backchannel F1",
                        "transfers found",
                        "latency MAE (s)",
                        "median abs (s)",
                    ],
                    rows,
                )
            )
    ami = res.get("ami")
    if ami:
        systems = ami["systems"]
        micro_f1 = {n: v["micro"]["f1"] for n, v in systems.items()}
        best = best_webrtc(micro_f1)
        ratios = {
            n: (f / micro_f1[best] if f is not None and micro_f1[best] else None)
            for n, f in micro_f1.items()
        }
        res.setdefault("ratios_vs_best_webrtcvad", {})["ami_micro_f1"] = {"best": best, **ratios}
        out.append(
            f"\n## (b) AMI excerpts: {ami['n_files']} files, {ami['total_scored_s'] / 60:.1f} min, "
            f"mono {ami['sample_rates']} Hz, speech = union of RTTM speakers\n"
        )
        rows = [
            [
                n,
                v["macro_f1"],
                v["micro"]["precision"],
                v["micro"]["recall"],
                v["micro"]["f1"],
                ratios[n],
            ]
            for n, v in systems.items()
        ]
        out.append(
            table(
                [
                    "system",
                    "F1 (macro over files)",
                    "P (micro)",
                    "R (micro)",
                    "F1 (micro)",
                    f"F1 / {best}",
                ],
                rows,
            )
        )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--calls", type=int, default=20, help="number of simulated test calls")
    ap.add_argument(
        "--first-seed",
        type=int,
        default=None,
        help="first seed (default: 1000 for test, 0 for tune; a tune call and a test call of "
        "one seed share their levels, SNR, echo and most of their script, so tune below 1000)",
    )
    ap.add_argument(
        "--split",
        choices=("test", "tune"),
        default="test",
        help="material split; 'tune' is for choosing thresholds, never for reporting",
    )
    ap.add_argument("--ami-dir", type=Path, default=DEFAULT_AMI)
    ap.add_argument("--no-silero", action="store_true")
    ap.add_argument("--skip-sim", action="store_true")
    ap.add_argument("--skip-ami", action="store_true")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "accuracy.json")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    res: dict[str, Any] = {
        "benchmark": "accuracy",
        "empathysignals_version": es.__version__,
        "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "silero": {"onnx": str(peers.SILERO_ONNX), "threshold": 0.5}
        if not args.no_silero
        else None,
    }
    with_silero = not args.no_silero
    if not args.skip_sim:
        first = (
            args.first_seed
            if args.first_seed is not None
            else (0 if args.split == "tune" else 1000)
        )
        seeds = list(range(first, first + args.calls))
        print(f"simulating and scoring {len(seeds)} {args.split} calls ...", file=sys.stderr)
        res["simulated"] = bench_simulated(seeds, with_silero, args.split)
    if not args.skip_ami and args.ami_dir.exists():
        print("scoring AMI excerpts ...", file=sys.stderr)
        res["ami"] = bench_ami(args.ami_dir, with_silero)
    text = report(res)
    res["wall_s"] = time.perf_counter() - t0
    print(text)
    print(f"\n(total {res['wall_s']:.0f} s)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, indent=2, default=float) + "\n")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
