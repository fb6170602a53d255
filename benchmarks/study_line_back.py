"""Every moment a music hold's "agent line back" rule fired, against the truth.

    python benchmarks/study_line_back.py --split tune --seeds 0 200     # ~3 min on 2 cores

Wraps the hold kernel's ``line_scan`` and records each switch from "hold" to "line back":
the rule that fired (``floor``: a run at the pre-hold floor with the noise's spectral shape;
``talk``: talk with pauses at the floor and nothing from the switch; ``net``: the safety
net), the frame's level over the pre-hold floor (dB), the run's spectral-shape distance to
the pre-hold noise (dB RMS over the bands; the rule allows ``_LINE_SHAPE_MAX_DB``), and
where it lies against the truth: ``end`` (within 1.5 s of a true hold's end), ``FALSE``
(inside a true music hold, more than 1 s before its end: the hold is split there) or
``other`` (outside any true music hold: the end of a false hold, or a hold's return).
Ends with the distribution of shape distances per class (``docs/studies.md``,
session 18).
"""

from __future__ import annotations

import argparse
from multiprocessing import Pool
from typing import Any

import numpy as np

import empathysignals as es
from empathysignals._kernels import hold
from empathysignals.simulate import simulate_call

_SWITCHES: list[tuple[float, str, float, float]] = []
_line_scan = hold.line_scan


def _recording_line_scan(
    energy: np.ndarray,
    bands: np.ndarray,
    first: int,
    music: bool,
    talking: bool,
    state: np.ndarray,
    params: np.ndarray,
) -> tuple[int, np.ndarray]:
    used, st = _line_scan(energy, bands, first, music, talking, state, params)
    if st[hold.L_BACK] and not state[hold.L_BACK]:
        frame = first + used - 1
        if st[hold.L_TALK] == params[hold.P_HOLD_BACK]:
            netted = state[hold.L_TALK_NO_MUSIC] >= params[hold.P_NET_TALK]
            rule = "net" if netted else "talk"
        else:
            rule = "floor"
        shape = params[hold.P_SHAPE : hold.P_SHAPE + hold.N_BANDS].copy()
        sums = st[hold.L_SHAPE_SUM : hold.L_SHAPE_SUM + hold.N_BANDS].copy()
        known = params[hold.P_SHAPE_MAX] > 0 and st[hold.L_SHAPE_RUN] > 0
        distance = hold.shape_distance(sums, st[hold.L_SHAPE_RUN], shape) if known else np.nan
        level = float(energy[used - 1] - params[hold.P_REF])
        _SWITCHES.append((frame * 0.01, rule, level, float(distance)))
    return used, st


def study_call(args: tuple[int, str]) -> list[tuple[Any, ...]]:
    seed, split = args
    _SWITCHES.clear()
    call = simulate_call(seed, split=split)  # type: ignore[arg-type]
    es.analyze(call.audio, call.sample_rate, emotion_model=None, alerts=False)
    holds = [(e.start, e.end) for e in call.truth.events_of("hold") if e.attrs["kind"] == "music"]
    rows = []
    for t, rule, level, distance in _SWITCHES:
        if any(a < t < b - 1.0 for a, b in holds):
            where = "FALSE"
        elif any(abs(t - b) <= 1.5 for _, b in holds):
            where = "end"
        else:
            where = "other"
        rows.append((seed, round(t, 2), rule, round(level, 1), round(distance, 2), where))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", choices=["tune", "test"], default="tune")
    ap.add_argument("--seeds", type=int, nargs=2, default=[0, 200], metavar=("FIRST", "STOP"))
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    # The detector imports line_scan when it runs, so the workers (forked) record switches.
    hold.line_scan = _recording_line_scan
    with Pool(args.jobs) as pool:
        rows = [r for rs in pool.map(study_call, [(s, args.split) for s in range(*args.seeds)])
                for r in rs]  # fmt: skip
    print("| call | time (s) | rule | level over floor (dB) | shape distance (dB) | truth |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        if row[-1] != "end":
            print("| " + " | ".join(str(c) for c in row) + " |")
    print()
    for where in ("end", "FALSE", "other"):
        d = np.array([r[4] for r in rows if r[-1] == where and r[4] == r[4]])
        if d.size:
            lo, med, hi = np.percentile(d, [0, 50, 100])
            print(f"{where}: n={d.size}, shape distance min {lo:.2f}, median {med:.2f}, "
                  f"max {hi:.2f} dB")  # fmt: skip


if __name__ == "__main__":
    main()
