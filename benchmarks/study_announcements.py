"""Queue announcements inside music holds: is the hold still one hold?

    python benchmarks/study_announcements.py                  # tune calls 0-15, ~1 min
    python benchmarks/study_announcements.py --seeds 1000 1040 --split test

Contact centers interrupt hold music every 30-60 s with a recorded announcement ("All of
our representatives are currently busy ..."). Each simulated call whose hold is music of
at least 15 s gets Asterisk's ``queue-periodic-announce`` prompt (Allison Smith, CC BY-SA
3.0, ``../shared/data/speech/asterisk_ivr_prompts``) in the middle of its hold, at the
music's level: either the music pauses for it ("paused"), or it is spoken over the music
at -10 dB ("over"). The hold's truth is unchanged (the customer is still on hold), so a
detector that tells the switch from the agent finds one hold and no agent turn inside it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent))
import empathysignals as es
import scoring
from _report import table
from empathysignals.simulate import find_data_dir, simulate_call

PROMPT = "speech/asterisk_ivr_prompts/queue-periodic-announce.wav"


def with_announcement(audio: np.ndarray, agent: int, start_s: float, end_s: float,
                      prompt: np.ndarray, mode: str, sr: int) -> np.ndarray:  # fmt: skip
    """``audio`` with ``prompt`` in the middle of the hold on the agent leg, at the music's
    RMS level: replacing the music ("paused") or over it at -10 dB ("over")."""
    x = audio.copy()
    at = round((start_s + end_s) / 2 * sr) - len(prompt) // 2
    music = x[at : at + len(prompt), agent]
    level = float(np.sqrt(np.mean(music**2)))
    spoken = prompt * (level / float(np.sqrt(np.mean(prompt**2))))
    x[at : at + len(prompt), agent] = spoken if mode == "paused" else music * 0.316 + spoken
    return x


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--seeds", type=int, nargs=2, default=(0, 16), metavar=("FIRST", "STOP"))
    ap.add_argument("--split", choices=("tune", "test"), default="tune")
    args = ap.parse_args(argv)
    prompt, rate = sf.read(find_data_dir() / PROMPT, dtype="float32")
    rows = []
    for mode in ("none", "paused", "over"):
        holds = scoring.PRF()
        errors: list[float] = []
        inside = n_calls = 0
        for seed in range(*args.seeds):
            call = simulate_call(seed, split=args.split)
            (hold,) = call.truth.events_of("hold")
            if hold.attrs.get("kind") != "music" or hold.end - hold.start < 15.0:
                continue
            assert rate == call.sample_rate
            n_calls += 1
            roles = tuple(call.truth.roles)
            agent = roles.index("agent")
            x = call.audio
            if mode != "none":
                x = with_announcement(x, agent, hold.start, hold.end, prompt, mode, rate)
            events = es.analyze(x, call.sample_rate, roles=roles, emotion_model=None)
            det, tru = scoring.intervals(events, call.truth)
            counts, pairs = scoring.score_events(det, tru, "hold")
            holds += counts
            errors += [abs(d.start - t.start) + abs(d.end - t.end) for d, t in pairs]
            inside += sum(
                1
                for e in scoring.closed_events(events)
                if e.type == "turn" and e.speaker == "agent" and hold.start < e.start < hold.end
            )
        rows.append([mode, n_calls, f"{holds.f1:.3f}", holds.fp, f"{np.mean(errors):.2f}", inside])
    seeds = f"seeds {args.seeds[0]}..{args.seeds[1] - 1}"
    print(f"{args.split} calls, {seeds}, music holds of 15 s or more\n")
    header = ["announcement", "calls", "hold F1", "extra holds", "start+end error (s)"]
    print(table([*header, "agent turns inside the hold"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
