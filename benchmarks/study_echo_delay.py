"""How a long echo delay (a round trip to a far handset) affects the detectors.

    python benchmarks/study_echo_delay.py             # tune calls 0-7, ~2 min
    python benchmarks/study_echo_delay.py --seeds 1000 1020 --split test

The simulated calls carry each party's voice leaking into the other leg (``bleed_db``),
delayed 5-30 ms as at an echo path near the recorder. Recorded at a contact center, the
customer leg's echo of the agent comes back after the round trip to the customer's
handset: 100-300 ms on mobile and VoIP networks. The voice-activity detector's echo test
looks at the other leg's last 30 ms (``ECHO_LAG``), so an echo later than that is judged
on its level alone. Each row re-simulates the same calls (same speech, noise and events)
with the leak at -25 dB and one fixed delay, and scores frames and events against the
truth (echo is not speech). It also shows what the detector's echo-delay estimate
(``_kernels.vad``, ``ECHO_*``) made of each leg at the end of the call: how many legs it
placed at the delay (within one 10 ms frame; on the default row, how many it placed beyond
the near window, which would be false), and how far the strongest lag of the evidence
stands over every lag 4 or more frames away (the rule asks for ECHO_MIN_RATIO).
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
from empathysignals._kernels import vad as k
from empathysignals.detectors.frames import FrameBlock
from empathysignals.detectors.voice_activity import VoiceActivityStream
from empathysignals.simulate import simulate_call

DELAYS_S = (None, 0.06, 0.15, 0.3)
KINDS = ("interruption", "backchannel")


def echo_peaks(stream: VoiceActivityStream) -> list[tuple[int, float]]:
    """Per leg: the delay (frames) the stream settled on (-1: none), and the ratio of the
    evidence's strongest lag to the strongest lag 4 or more frames from it."""
    n_lags = k.ECHO_MAX_LAG + 1
    out = []
    for leg in range(2):
        sums, counts = stream._echo[leg, :n_lags], stream._echo[leg, n_lags : 2 * n_lags]
        means = np.where(counts > 0, sums / np.maximum(counts, 1.0), -np.inf)
        best = int(np.argmax(means))
        far = np.abs(np.arange(n_lags) - best) >= 4
        rival = float(means[far].max())
        ratio = float(means[best] / rival) if rival > 0 else float("inf")
        out.append((int(stream._legs[leg, k.S_ECHO_LAG]) - 1, ratio))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--seeds", type=int, nargs=2, default=(0, 8), metavar=("FIRST", "STOP"))
    ap.add_argument("--split", choices=("tune", "test"), default="tune")
    ap.add_argument("--bleed-db", type=float, default=-25.0)
    args = ap.parse_args(argv)
    rows = []
    for delay in DELAYS_S:
        frames = scoring.PRF()
        events = {kind: scoring.PRF() for kind in KINDS}
        placed, ratios = 0, []
        for seed in range(*args.seeds):
            call = simulate_call(
                seed, split=args.split, bleed_db=args.bleed_db, bleed_delay_s=delay
            )
            roles = tuple(call.truth.roles)
            labels = call.truth.frame_labels(hop_s=0.01)
            stream = VoiceActivityStream(roles, call.sample_rate)
            va = FrameBlock.concat([stream.push(call.audio), stream.finish()]).active
            for leg, role in enumerate(roles):
                frames += scoring.frame_counts(va[:, leg], labels[role])
            for lag, ratio in echo_peaks(stream):
                ratios.append(ratio)
                if delay is None:
                    placed += lag > k.ECHO_NEAR
                else:
                    placed += abs(lag - round(delay * 100)) <= 1
            found = es.analyze(call.audio, call.sample_rate, roles=roles, emotion_model=None)
            det = [scoring.from_detected(e) for e in scoring.closed_events(found)]
            tru = [scoring.from_truth(e) for e in call.truth.events]
            for kind in KINDS:
                events[kind] += scoring.score_events(det, tru, kind)[0]
        row: list[object] = ["5-30 ms (default)" if delay is None else f"{delay * 1000:.0f} ms"]
        row += [f"{frames.f1:.3f}", f"{frames.precision:.3f}"]
        for kind in KINDS:
            row += [f"{events[kind].f1:.3f}", f"{events[kind].precision:.3f}"]
        row += [f"{placed} / {len(ratios)}", f"{min(ratios):.1f}-{max(ratios):.1f}"]
        rows.append(row)
    header = ["echo delay", "frame F1", "P"]
    for kind in KINDS:
        header += [f"{kind} F1", "P"]
    header += ["legs placed", "peak ratio"]
    n = args.seeds[1] - args.seeds[0]
    print(f"{n} {args.split} calls, seeds {args.seeds[0]}..{args.seeds[1] - 1}, "
          f"leak at {args.bleed_db:g} dB\n")  # fmt: skip
    print(table(header, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
