"""Speed and memory benchmark of empathysignals, with webrtcvad and silero-vad for scale.

Single-threaded: the script sets ``NUMBA_NUM_THREADS=1`` and ``OMP_NUM_THREADS=1`` (and the
BLAS equivalents) before importing anything, so "x real time" is per core.

Measures, in one run:

1. Throughput on 1 h of 8 kHz stereo call audio (simulated *test* calls, tiled):
   the turn-taking pipeline (``Analyzer(prosody=False)``: resampler, VAD, turn-taking,
   summary; issue 2's subject), the default Analyzer with per-turn prosody (pitch on both
   legs, voice quality),
   webrtcvad (best mode from ``results/accuracy.json`` if present, else mode 3; both legs,
   10 ms frames) and silero-vad via onnxruntime (both legs, 8 kHz, 256-sample windows).
   silero runs on a 5-minute slice by default and its rate is extrapolated to the hour
   (``--silero-full`` runs the whole hour). Median of ``--repeats`` runs (default 3).
2. Streaming: per-push time of 20 ms chunks over 2 minutes (median / p99 in ms), and RSS of
   a fresh subprocess fed 4 h in 1 s chunks, sampled every 10 min of stream (flat = no
   growth with call length).
3. ``import empathysignals`` time in a fresh interpreter (median of 5).
4. First-call JIT time: fresh interpreter with ``NUMBA_CACHE_DIR`` set to a new empty
   directory (cold compile) and again with the same directory (cached), on 10 s of stereo
   noise at 8 kHz.

    python benchmarks/bench_speed.py               # writes results/speed.json
    python benchmarks/bench_speed.py --quick       # smaller, for a smoke test
"""

from __future__ import annotations

import _single_thread  # noqa: F401 - sets one thread before numeric imports

# isort: split

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _report import fmt, table  # noqa: E402

SR = 8000


# --------------------------------------------------------------------------- helpers
def _stats(xs: list[float]) -> dict[str, float]:
    a = np.asarray(xs, dtype=float)
    return {
        "median": float(np.median(a)),
        "min": float(a.min()),
        "max": float(a.max()),
        "n": len(a),
    }


def _timed(fn: Any) -> tuple[float, float]:
    """(wall s, process CPU s) of one call."""
    c0, w0 = time.process_time(), time.perf_counter()
    fn()
    return time.perf_counter() - w0, time.process_time() - c0


def _fmt(v: Any, nd: int = 1) -> str:
    return fmt(v, nd, thousands=True)


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    return table(headers, rows, digits=1, thousands=True)


def build_audio(seconds: float, first_seed: int, max_calls: int) -> tuple[np.ndarray, list[int]]:
    """``seconds`` of 8 kHz stereo float32 audio: simulated test calls back to back, tiled."""
    from empathysignals.simulate import simulate_call

    parts, seeds, total = [], [], 0
    need = round(seconds * SR)
    for seed in range(first_seed, first_seed + max_calls):
        call = simulate_call(seed, split="test")
        parts.append(call.audio.astype(np.float32))
        seeds.append(seed)
        total += len(call.audio)
        if total >= need:
            break
    base = np.concatenate(parts)
    reps = -(-need // len(base))
    out = np.tile(base, (reps, 1))[:need] if reps > 1 else base[:need]
    return np.ascontiguousarray(out), seeds


def best_webrtc_mode() -> tuple[int, str]:
    path = HERE / "results" / "accuracy.json"
    try:
        d = json.loads(path.read_text())
        best = d["ratios_vs_best_webrtcvad"]["simulated_micro_f1"]["best"]
        return int(best.rsplit("-", 1)[1]), f"best micro-F1 mode in {path.name}"
    except (OSError, KeyError, ValueError, IndexError):
        return 3, "default (no results/accuracy.json)"


# --------------------------------------------------------------------------- throughput
def bench_throughput(
    audio: np.ndarray, repeats: int, mode: int, silero_s: float | None
) -> dict[str, Any]:
    import empathysignals as es
    import peers

    dur = len(audio) / SR
    out: dict[str, Any] = {"audio_s": dur, "channels": audio.shape[1]}

    es.warmup()

    def run(prosody: bool) -> None:
        call = es.Analyzer(roles=("customer", "agent"), sample_rate=SR, prosody=prosody).stream()
        call.push(audio)
        call.finish()

    for key, prosody, what in (
        ("empathysignals", False, "turn-taking pipeline (Analyzer(prosody=False)), both legs"),
        ("empathysignals_prosody", True, "the default Analyzer: turn-taking + per-turn prosody"),
    ):
        walls, cpus = [], []
        for i in range(repeats):
            w, c = _timed(lambda prosody=prosody: run(prosody))
            walls.append(w)
            cpus.append(c)
            print(f"  {key} {dur / 3600:g} h run {i + 1}: {w:.2f} s wall", file=sys.stderr)
        out[key] = {
            "what": what,
            "audio_s": dur,
            "wall_s": _stats(walls),
            "cpu_s": _stats(cpus),
            "x_realtime": dur / float(np.median(walls)),
            "x_realtime_per_cpu_s": dur / float(np.median(cpus)),
        }

    legs16 = [peers.to_int16(audio[:, k]) for k in range(audio.shape[1])]
    walls, cpus = [], []
    for i in range(repeats):
        w, c = _timed(lambda: [peers.webrtcvad_frames(leg, SR, mode) for leg in legs16])
        walls.append(w)
        cpus.append(c)
        print(f"  webrtcvad-{mode} {dur / 3600:g} h run {i + 1}: {w:.2f} s wall", file=sys.stderr)
    out["webrtcvad"] = {
        "what": f"webrtcvad mode {mode}, both legs, 10 ms int16 frames (int16 conversion "
        "not timed)",
        "mode": mode,
        "audio_s": dur,
        "wall_s": _stats(walls),
        "cpu_s": _stats(cpus),
        "x_realtime": dur / float(np.median(walls)),
        "x_realtime_per_cpu_s": dur / float(np.median(cpus)),
    }

    vad = peers.SileroVad()
    n = len(audio) if silero_s is None else min(len(audio), int(silero_s * SR))
    sl = audio[:n]
    walls, cpus = [], []
    for i in range(repeats):
        w, c = _timed(lambda: [vad.probabilities(sl[:, k], SR) for k in range(sl.shape[1])])
        walls.append(w)
        cpus.append(c)
        print(f"  silero {n / SR:.0f} s run {i + 1}: {w:.2f} s wall", file=sys.stderr)
    xrt = (n / SR) / float(np.median(walls))
    out["silero"] = {
        "what": "silero-vad v5 ONNX (onnxruntime, 1 intra/inter-op thread), both legs, 8 kHz, "
        "256-sample windows + 32 context",
        "audio_s": n / SR,
        "extrapolated": silero_s is not None and n < len(audio),
        "wall_s": _stats(walls),
        "cpu_s": _stats(cpus),
        "x_realtime": xrt,
        "x_realtime_per_cpu_s": (n / SR) / float(np.median(cpus)),
        "est_wall_s_for_full_audio": dur / xrt,
    }
    es_x = out["empathysignals"]["x_realtime"]
    out["ratios"] = {
        "empathysignals_vs_webrtcvad": es_x / out["webrtcvad"]["x_realtime"],
        "empathysignals_vs_silero": es_x / out["silero"]["x_realtime"],
    }
    return out


# --------------------------------------------------------------------------- streaming
def bench_chunks(audio: np.ndarray, seconds: float, repeats: int) -> dict[str, Any]:
    """Per-push time of 20 ms chunks (160 samples x 2 legs)."""
    import empathysignals as es

    analyzer = es.Analyzer(roles=("customer", "agent"), sample_rate=SR)
    chunk = int(0.02 * SR)
    n_chunks = int(seconds / 0.02)
    x = audio[: n_chunks * chunk]
    all_ms: list[float] = []
    medians, p99s = [], []
    for _ in range(repeats):
        stream = analyzer.stream()
        times = np.empty(n_chunks)
        for i in range(n_chunks):
            c = x[i * chunk : (i + 1) * chunk]
            t = time.perf_counter_ns()
            stream.push(c)
            times[i] = (time.perf_counter_ns() - t) / 1e6
        stream.finish()
        medians.append(float(np.median(times)))
        p99s.append(float(np.percentile(times, 99)))
        all_ms += times.tolist()
    a = np.asarray(all_ms)
    return {
        "chunk_ms": 20,
        "stream_s_per_repeat": n_chunks * 0.02,
        "repeats": repeats,
        "pushes": len(a),
        "median_ms": float(np.median(a)),
        "p90_ms": float(np.percentile(a, 90)),
        "p99_ms": float(np.percentile(a, 99)),
        "max_ms": float(a.max()),
        "per_repeat_median_ms": medians,
        "per_repeat_p99_ms": p99s,
        "x_realtime_streaming": 20.0 / float(np.mean(a)),
    }


def _vm_hwm_mb() -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return float(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def stream_rss_worker(src: Path, hours: float, chunk_s: float, every_s: float) -> None:
    """(Subprocess) Feed ``hours`` of audio in ``chunk_s`` chunks, looping over ``src``;
    print JSON with RSS every ``every_s`` of stream time."""
    proc = psutil.Process()
    rss_start = proc.memory_info().rss / 2**20
    import empathysignals as es

    rss_import = proc.memory_info().rss / 2**20
    es.warmup()
    rss_warm = proc.memory_info().rss / 2**20
    base = np.load(src)
    analyzer = es.Analyzer(roles=("customer", "agent"), sample_rate=SR)
    stream = analyzer.stream()
    chunk = int(chunk_s * SR)
    n_chunks = round(hours * 3600 / chunk_s)
    every = round(every_s / chunk_s)
    rss = [(0.0, proc.memory_info().rss / 2**20)]
    n_events = 0
    pos = 0
    t0 = time.perf_counter()
    for i in range(1, n_chunks + 1):
        if pos + chunk > len(base):
            pos = 0
        n_events += len(stream.push(base[pos : pos + chunk]))  # events are not kept
        pos += chunk
        if i % every == 0:
            rss.append((i * chunk_s, proc.memory_info().rss / 2**20))
    n_events += len(stream.finish())
    wall = time.perf_counter() - t0
    # VmHWM is this process's own high-water mark (ru_maxrss can carry the parent's across
    # fork+exec on Linux).
    hwm_mb = _vm_hwm_mb()
    print(
        json.dumps(
            {
                "stream_s": n_chunks * chunk_s,
                "chunk_s": chunk_s,
                "source_loop_s": len(base) / SR,
                "wall_s": wall,
                "n_events": n_events,
                "rss_mb": rss,
                "peak_rss_mb": hwm_mb,
                "rss_interpreter_numpy_mb": rss_start,
                "rss_after_import_mb": rss_import,
                "rss_after_warmup_mb": rss_warm,
            }
        )
    )


def bench_stream_rss(audio: np.ndarray, hours: float, loop_s: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "loop.npy"
        np.save(src, audio[: int(loop_s * SR)])
        cmd = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--_rss-worker",
            str(src),
            "--_hours",
            str(hours),
        ]
        r = subprocess.run(cmd, capture_output=True, text=True, check=True)
    d = json.loads(r.stdout.strip().splitlines()[-1])
    mb = [m for _, m in d["rss_mb"]]
    # Growth after the first 10 minutes of stream (the first interval includes warm-up state).
    d["rss_first_mark_mb"] = mb[1] if len(mb) > 1 else mb[0]
    d["rss_last_mb"] = mb[-1]
    d["rss_growth_after_first_mark_mb"] = mb[-1] - d["rss_first_mark_mb"]
    d["x_realtime"] = d["stream_s"] / d["wall_s"]
    return d


# --------------------------------------------------------------------------- subprocesses
_IMPORT_PROBE = (
    "import time; t = time.perf_counter(); import empathysignals; print(time.perf_counter() - t)"
)

_JIT_PROBE = """
import json, time
import numpy as np
t0 = time.perf_counter()
import empathysignals as es
t1 = time.perf_counter()
x = (np.random.default_rng(0).standard_normal((10 * 8000, 2)) * 0.01).astype(np.float32)
t = time.perf_counter(); es.analyze(x, 8000); t2 = time.perf_counter()
es.analyze(x, 8000); t3 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "first_call_s": t2 - t, "second_call_s": t3 - t2}))
"""


def bench_import(n: int) -> dict[str, Any]:
    times = []
    for _ in range(n):
        r = subprocess.run(
            [sys.executable, "-c", _IMPORT_PROBE], capture_output=True, text=True, check=True
        )
        times.append(float(r.stdout.strip().splitlines()[-1]))
    return {"import_s": _stats(times), "runs": times}


def bench_jit(repeats: int) -> dict[str, Any]:
    cold, cached, warm = [], [], []
    for _ in range(repeats):
        cache = tempfile.mkdtemp(prefix="es-numba-cache-")
        try:
            env = {**os.environ, "NUMBA_CACHE_DIR": cache}
            for target in (cold, cached):
                r = subprocess.run(
                    [sys.executable, "-c", _JIT_PROBE],
                    capture_output=True,
                    text=True,
                    check=True,
                    env=env,
                )
                d = json.loads(r.stdout.strip().splitlines()[-1])
                target.append(d["first_call_s"])
                warm.append(d["second_call_s"])
        finally:
            shutil.rmtree(cache, ignore_errors=True)
    return {
        "input": "10 s of 8 kHz stereo noise, empathysignals.analyze",
        "cold_first_call_s": _stats(cold),
        "cached_first_call_s": _stats(cached),
        "warm_second_call_s": _stats(warm),
    }


# --------------------------------------------------------------------------- report
def report(res: dict[str, Any]) -> str:
    out = []
    tp = res["throughput"]
    hours = tp["audio_s"] / 3600
    out.append(
        f"## Throughput ({hours:.2f} h of 8 kHz stereo, single thread, median of "
        f"{tp['empathysignals']['wall_s']['n']} runs)\n"
    )
    rows = []
    for key, label in (
        ("empathysignals", "empathysignals turn-taking (prosody off)"),
        ("empathysignals_prosody", "empathysignals default (turn-taking + prosody)"),
        ("webrtcvad", f"webrtcvad mode {tp['webrtcvad']['mode']} (VAD only)"),
        ("silero", "silero-vad ONNX (VAD only)"),
    ):
        d = tp[key]
        note = ""
        if key == "silero" and d.get("extrapolated"):
            note = (
                f"run on first {d['audio_s'] / 60:.0f} min, extrapolated: "
                f"~{d['est_wall_s_for_full_audio']:.0f} s for {hours:.2f} h"
            )
        ratio = tp["empathysignals"]["x_realtime"] / d["x_realtime"]
        rows.append(
            [
                label,
                f"{d['audio_s']:.0f}",
                f"{d['wall_s']['median']:.2f}",
                f"{d['cpu_s']['median']:.2f}",
                f"{d['x_realtime']:,.0f}",
                f"{d['x_realtime_per_cpu_s']:,.0f}",
                f"{ratio:.2f}",
                note,
            ]
        )
    out.append(
        _table(
            [
                "system",
                "audio s",
                "wall s (median)",
                "CPU s (median)",
                "x real time",
                "x RT per CPU-s",
                "empathysignals speed / this",
                "note",
            ],
            rows,
        )
    )
    ch = res["chunks"]
    rss = res["stream_rss"]
    out.append("\n## Streaming\n")
    marks = ", ".join(f"{t / 60:.0f}m:{m:.0f}" for t, m in rss["rss_mb"])
    out.append(
        _table(
            ["metric", "value"],
            [
                [
                    f"push() of 20 ms chunks, {ch['stream_s_per_repeat']:.0f} s x {ch['repeats']}"
                    " streams: median",
                    f"{ch['median_ms']:.3f} ms",
                ],
                [
                    "  p90 / p99 / max",
                    f"{ch['p90_ms']:.3f} / {ch['p99_ms']:.3f} / {ch['max_ms']:.3f} ms",
                ],
                [
                    "  streaming x real time (20 ms / mean push)",
                    f"{ch['x_realtime_streaming']:,.0f}",
                ],
                [
                    f"{rss['stream_s'] / 3600:g} h stream in {rss['chunk_s']:g} s chunks: wall",
                    f"{rss['wall_s']:.1f} s ({rss['x_realtime']:,.0f}x RT)",
                ],
                [
                    "  RSS at 10 min -> end",
                    f"{rss['rss_first_mark_mb']:.1f} -> "
                    f"{rss['rss_last_mb']:.1f} MiB "
                    f"(growth {rss['rss_growth_after_first_mark_mb']:+.1f}"
                    " MiB)",
                ],
                [
                    "  RSS: interpreter+numpy / +import / +warmup (JIT code)",
                    f"{rss['rss_interpreter_numpy_mb']:.0f} / {rss['rss_after_import_mb']:.0f} / "
                    f"{rss['rss_after_warmup_mb']:.0f} MiB",
                ],
                [
                    "  peak RSS (VmHWM, whole process incl. "
                    f"{rss['source_loop_s'] / 60:.0f}-min source loop of "
                    f"{rss['source_loop_s'] * SR * 8 / 2**20:.0f} MiB)",
                    _fmt(rss["peak_rss_mb"]) + " MiB",
                ],
                ["  RSS every 10 min of stream (min:MiB)", marks],
            ],
        )
    )
    imp = res["import"]
    jit = res["jit"]
    out.append("\n## Start-up\n")
    out.append(
        _table(
            ["metric", "median", "min", "max", "n"],
            [
                [
                    "import empathysignals (fresh interpreter), s",
                    *[f"{imp['import_s'][k]:.3f}" for k in ("median", "min", "max")],
                    str(imp["import_s"]["n"]),
                ],
                [
                    "first analyze(), cold NUMBA_CACHE_DIR, s",
                    *[f"{jit['cold_first_call_s'][k]:.2f}" for k in ("median", "min", "max")],
                    str(jit["cold_first_call_s"]["n"]),
                ],
                [
                    "first analyze(), cached, s",
                    *[f"{jit['cached_first_call_s'][k]:.2f}" for k in ("median", "min", "max")],
                    str(jit["cached_first_call_s"]["n"]),
                ],
                [
                    "second analyze() same process (10 s audio), s",
                    *[f"{jit['warm_second_call_s'][k]:.4f}" for k in ("median", "min", "max")],
                    str(jit["warm_second_call_s"]["n"]),
                ],
            ],
        )
    )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--hours", type=float, default=1.0, help="throughput audio length")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument(
        "--silero-seconds", type=float, default=300.0, help="silero slice length (extrapolated)"
    )
    ap.add_argument("--silero-full", action="store_true", help="run silero on all the audio")
    ap.add_argument("--stream-hours", type=float, default=4.0)
    ap.add_argument(
        "--chunk-seconds",
        type=float,
        default=120.0,
        help="stream length for the 20 ms chunk timing",
    )
    ap.add_argument("--jit-repeats", type=int, default=3)
    ap.add_argument("--import-repeats", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="small sizes for a smoke test")
    ap.add_argument(
        "--chunks-only",
        action="store_true",
        help="only the 20 ms push timing, printed (for an A/B of two checkouts: run it with\n"
        "PYTHONPATH=<checkout>/src for each, alternately); writes nothing",
    )
    ap.add_argument("--out", type=Path, default=HERE / "results" / "speed.json")
    ap.add_argument("--_rss-worker", dest="rss_worker", type=Path, help=argparse.SUPPRESS)
    ap.add_argument(
        "--_hours", dest="worker_hours", type=float, default=4.0, help=argparse.SUPPRESS
    )
    args = ap.parse_args(argv)

    if args.rss_worker is not None:
        stream_rss_worker(args.rss_worker, args.worker_hours, 1.0, 600.0)
        return 0
    if args.quick:
        args.hours, args.repeats, args.silero_seconds = 0.1, 2, 60.0
        args.stream_hours, args.chunk_seconds, args.jit_repeats, args.import_repeats = (
            0.5,
            20.0,
            1,
            2,
        )

    t0 = time.perf_counter()
    import empathysignals as es

    if args.chunks_only:
        audio, _ = build_audio(args.chunk_seconds + 10.0, 1000, 40)
        es.warmup()
        ch = bench_chunks(audio, args.chunk_seconds, args.repeats)
        print(
            f"empathysignals {es.__file__}: 20 ms pushes, {ch['pushes']} of them: median "
            f"{ch['median_ms']:.3f} ms, p90 {ch['p90_ms']:.3f}, p99 {ch['p99_ms']:.3f}, max "
            f"{ch['max_ms']:.3f}; mean {20.0 / ch['x_realtime_streaming']:.3f} ms "
            f"({ch['x_realtime_streaming']:.0f}x real time)"
        )
        return 0
    mode, mode_src = best_webrtc_mode()
    print(f"building {args.hours:g} h of audio from simulated test calls ...", file=sys.stderr)
    audio, seeds = build_audio(args.hours * 3600, 1000, 40)
    res: dict[str, Any] = {
        "benchmark": "speed",
        "empathysignals_version": es.__version__,
        "python": platform.python_version(),
        "machine": {
            "cpu": platform.processor() or platform.machine(),
            "logical_cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "threads": {v: os.environ[v] for v in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS")},
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "audio": {
            "seconds": len(audio) / SR,
            "sample_rate": SR,
            "channels": 2,
            "source": f"simulated test-split calls seeds {seeds[0]}..{seeds[-1]} "
            f"({len(seeds)} calls) concatenated and tiled",
        },
        "webrtcvad_mode_source": mode_src,
    }
    print("throughput ...", file=sys.stderr)
    res["throughput"] = bench_throughput(
        audio, args.repeats, mode, None if args.silero_full else args.silero_seconds
    )
    print("20 ms chunks ...", file=sys.stderr)
    res["chunks"] = bench_chunks(audio, args.chunk_seconds, args.repeats)
    print(f"{args.stream_hours:g} h stream RSS (subprocess) ...", file=sys.stderr)
    res["stream_rss"] = bench_stream_rss(
        audio, args.stream_hours, loop_s=min(600.0, len(audio) / SR)
    )
    print("import time ...", file=sys.stderr)
    res["import"] = bench_import(args.import_repeats)
    print("JIT cold/cached ...", file=sys.stderr)
    res["jit"] = bench_jit(args.jit_repeats)
    res["wall_s"] = time.perf_counter() - t0
    text = report(res)
    print(text)
    print(f"\n(total {res['wall_s']:.0f} s)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, indent=2) + "\n")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
