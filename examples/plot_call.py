"""Plot a call's turn-taking events over its two legs, to check them by eye.

    pip install ".[plot]"
    python examples/plot_call.py examples/data/call.wav -o call.png

With ``--truth call.truth.json`` (as written by ``empathysignals.simulate``) the ground
truth is drawn under the detections.
"""

from __future__ import annotations

import argparse
import json

import numpy as np

import empathysignals as es

COLORS = {
    "turn": "tab:blue",
    "pause": "tab:gray",
    "gap": "tab:olive",
    "dead_air": "black",
    "interruption": "tab:red",
    "backchannel": "tab:green",
    "hold": "tab:purple",
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("call")
    ap.add_argument("--truth", help="ground-truth JSON from empathysignals.simulate")
    ap.add_argument("-o", "--output", default="call.png")
    args = ap.parse_args()

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    audio = es.load_audio(args.call)
    roles = ("customer", "agent")
    events = [e for e in es.analyze(audio.samples, audio.sample_rate, roles=roles) if e.end]
    vad = es.voice_activity(audio.samples, audio.sample_rate, roles=roles)
    truth = json.load(open(args.truth)) if args.truth else None

    fig, axes = plt.subplots(3, 1, figsize=(16, 7), sharex=True)
    t = np.arange(len(audio.samples)) / audio.sample_rate
    for i, role in enumerate(roles):
        ax = axes[i]
        ax.plot(t, audio.samples[:, i], lw=0.3, color="0.4")
        for start, end in vad.segments(role):
            ax.axvspan(start, end, ymin=0.9, ymax=1.0, color="tab:orange", lw=0)
        if truth:
            for start, end in truth["speech"][role]:
                ax.axvspan(start, end, ymin=0.0, ymax=0.1, color="tab:green", lw=0)
        ax.set_ylabel(role)
    lanes = list(COLORS)
    ax = axes[2]
    for ev in events:
        if ev.type in COLORS:
            y = lanes.index(ev.type)
            ax.broken_barh([(ev.start, ev.end - ev.start)], (y + 0.5, 0.4), color=COLORS[ev.type])
    if truth:
        for ev in truth["events"]:
            if ev["type"] in COLORS:
                y = lanes.index(ev["type"])
                ax.broken_barh(
                    [(ev["start"], ev["end"] - ev["start"])], (y + 0.1, 0.35), color="0.7"
                )
    ax.set_yticks([i + 0.5 for i in range(len(lanes))], lanes)
    ax.set_xlabel("seconds (orange: detected speech; grey bars / green: ground truth)")
    fig.tight_layout()
    fig.savefig(args.output, dpi=80)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
