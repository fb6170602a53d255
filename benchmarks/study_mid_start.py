"""How the voice-activity detector does when a stream starts in the middle of speech.

    python benchmarks/study_mid_start.py                  # test split, 10 calls, ~1 min
    python benchmarks/study_mid_start.py --split tune
    python benchmarks/study_mid_start.py --startup-s 0     # the start-up off (as before)

A media stream may join a call that is already under way (a transfer, a recorder started
late, a server that restarted), and many recordings open on the agent's greeting. The
detector's noise statistics start from the first frames, so a stream that opens in speech
starts with its noise estimate at the speech level and has to come down from it.

For each simulated call, the stream is cut 0.3 s after up to six speech onsets (20 s or more
into the call) and analysed from there on its own. Frame recall and false-alarm frames in
windows after the cut are compared with the same frames of the uncut call, where the
detector has the call's history. Nothing is tuned here.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import empathysignals as es
from _report import table
from empathysignals.simulate import simulate_call

WINDOWS_S = ((0, 2), (2, 5), (5, 10), (10, 20))
CUT_AFTER_ONSET = 30  # frames: mid-word
MAX_CUTS = 6


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("tune", "test"), default="test")
    ap.add_argument("--calls", type=int, default=10)
    ap.add_argument("--startup-s", type=float, default=es.VadConfig().startup_s)
    args = ap.parse_args(argv)
    config = es.VadConfig(startup_s=args.startup_s)
    first_seed = 1000 if args.split == "test" else 0
    # per window: truth frames, hits and false alarms, cut stream then uncut call
    n_true = dict.fromkeys(WINDOWS_S, 0)
    hits = {w: [0, 0] for w in WINDOWS_S}
    false = {w: [0, 0] for w in WINDOWS_S}
    n_cuts = 0
    for seed in range(first_seed, first_seed + args.calls):
        call = simulate_call(seed, split=args.split)
        roles = tuple(call.truth.roles)
        labels = call.truth.frame_labels(hop_s=0.01)
        truth = np.stack([labels[r] for r in roles], axis=1).astype(bool)
        whole = es.voice_activity(call.audio, call.sample_rate, roles=roles, config=config).active
        n = min(len(truth), len(whole))
        truth, whole = truth[:n], whole[:n]
        onsets = np.flatnonzero(np.diff(truth.any(axis=1).astype(np.int8)) == 1) + 1
        hop = call.sample_rate // 100
        cuts = [c + CUT_AFTER_ONSET for c in onsets if 2000 < c < n - 2500][:MAX_CUTS]
        for c in cuts:
            part = call.audio[c * hop :]
            cut = es.voice_activity(part, call.sample_rate, roles=roles, config=config).active
            for a, b in WINDOWS_S:
                t = truth[c + a * 100 : c + b * 100]
                for k, labels_k in enumerate((cut[a * 100 : b * 100], whole[c + a * 100 :])):
                    d = labels_k[: len(t)]
                    hits[(a, b)][k] += int((t & d).sum())
                    false[(a, b)][k] += int((~t & d).sum())
                n_true[(a, b)] += int(t.sum())
            n_cuts += 1
        print(f"  seed {seed}: {len(cuts)} cuts", file=sys.stderr, flush=True)
    rows = []
    for w in WINDOWS_S:
        nt = n_true[w] or 1
        rows.append([
            f"{w[0]}-{w[1]} s", n_true[w], hits[w][0] / nt, hits[w][1] / nt,
            false[w][0], false[w][1],
        ])  # fmt: skip
    print(
        f"{args.split} split, {args.calls} calls, {n_cuts} streams cut 0.3 s after a speech "
        f"onset (both legs pooled), startup_s={args.startup_s:g}\n"
    )
    header = [
        "after the cut", "speech frames", "recall, cut stream", "recall, whole call",
        "false-alarm frames, cut", "false-alarm frames, whole",
    ]  # fmt: skip
    print(table(header, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
