"""Do silence-suppressed (DTX) agent legs give false silent holds?

    python benchmarks/study_dtx.py                    # tune calls 0-99, ~1 min
    python benchmarks/study_dtx.py --seeds 1000 1040 --split test

A VoIP leg with discontinuous transmission sends nothing while its talker is quiet, and a
recorder without comfort noise writes digital zeros there: a listening agent looks like
a muted line, i.e. a silent hold. ``silent_holds="auto"`` (``detectors/line_gate.py``)
allows a silent hold only on a line that has shown 1 s of its own noise with no talk, and
stops allowing them once the line has shown 3 short muted runs each within 0.5 s of the
talker's own talk on both sides. Each call's agent leg is gated three ways, outside its
music holds (the switch plays those), and the silent holds reported on it are counted
(every one is false: a gated line's own silent holds are gone with the rest of its
silence):

* ``talker``: open from 50 ms before to 200 ms after each of the agent's truth speech
  segments (the construction of ``tests/test_line_gate.py``);
* ``codec VAD +6 dB`` / ``+3 dB``: open on frames where the noisy leg stands 6 (3) dB
  over its background noise's level, from 50 ms before to 200 ms after (a codec's own
  voice-activity decision, which loud noise opens too).

The last row counts the truth's silent holds found on the calls as simulated (open
lines), for reference.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import empathysignals as es
from _report import table
from empathysignals.simulate import SimulatedCall, simulate_call

HOP_S = 0.01
PRE_S, HANG_S = 0.05, 0.2


def _open_frames(call: SimulatedCall, how: str) -> np.ndarray:
    """Per 10 ms frame of the agent leg: does the gate pass it?"""
    sr = call.sample_rate
    hop = round(HOP_S * sr)
    leg = call.truth.roles.index("agent")
    n = len(call.audio) // hop
    sound = np.zeros(n, dtype=bool)
    if how == "talker":
        for seg in call.truth.speech["agent"]:
            sound[round(seg.start / HOP_S) : round(seg.end / HOP_S) + 1] = True
    else:
        over_db = float(how)
        x = call.audio[: n * hop, leg].astype(np.float64).reshape(n, hop)
        level = 10 * np.log10(np.mean(x**2, axis=1) + 1e-20)
        noise_db = float(call.params["noise"]["agent"]["level_dbfs"])  # type: ignore[index]
        sound = level > noise_db + over_db
    gate = np.zeros(n, dtype=bool)
    pre, hang = round(PRE_S / HOP_S), round(HANG_S / HOP_S)
    for i in np.flatnonzero(sound):
        gate[max(0, i - pre) : i + hang + 1] = True
    for hold in call.truth.events_of("hold"):
        if hold.attrs["kind"] == "music":
            gate[round(hold.start / HOP_S) : round(hold.end / HOP_S) + 1] = True
    return gate


def gated(call: SimulatedCall, how: str) -> np.ndarray:
    """The call with its agent leg silence-suppressed by gate ``how``."""
    hop = round(HOP_S * call.sample_rate)
    gate = np.repeat(_open_frames(call, how), hop)
    gate = np.concatenate([gate, np.zeros(len(call.audio) - len(gate), dtype=bool)])
    x = call.audio.copy()
    leg = call.truth.roles.index("agent")
    x[:, leg] = np.where(gate, x[:, leg], 0.0)
    return x


def silent_holds(call: SimulatedCall, x: np.ndarray) -> int:
    events = es.analyze(x, call.sample_rate, roles=call.truth.roles, emotion_model=None)
    return sum(1 for e in events if e.type == "hold" and e.end is not None and e.kind == "silence")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--seeds", type=int, nargs=2, default=(0, 100), metavar=("FIRST", "STOP"))
    ap.add_argument("--split", choices=("tune", "test"), default="tune")
    args = ap.parse_args(argv)
    gates = {"talker": "talker", "codec VAD +6 dB": "6", "codec VAD +3 dB": "3"}
    counts = {name: [0, 0] for name in gates}  # false silent holds, calls with any
    truth_found = [0, 0]
    for seed in range(*args.seeds):
        call = simulate_call(seed, split=args.split)
        for name, how in gates.items():
            k = silent_holds(call, gated(call, how))
            counts[name][0] += k
            counts[name][1] += k > 0
        truth = [h for h in call.truth.events_of("hold") if h.attrs["kind"] == "silence"]
        truth_found[0] += min(len(truth), silent_holds(call, call.audio))
        truth_found[1] += len(truth)
        print(f"  seed {seed}", file=sys.stderr, flush=True)
    n_calls = args.seeds[1] - args.seeds[0]
    rows: list[list[object]] = [
        [f"agent leg gated: {name}", c[0], c[1]] for name, c in counts.items()
    ]
    rows.append(["open lines (as simulated): truth silent holds found", truth_found[0], "–"])
    print(f"{n_calls} {args.split} calls, seeds {args.seeds[0]}..{args.seeds[1] - 1}; "
          f"{truth_found[1]} truth silent holds\n")  # fmt: skip
    print(table(["condition", "silent holds reported", "calls with any"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
