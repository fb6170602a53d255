"""A live loop: play a call in real time (20 ms packets, paced by the clock) and print the
coaching alerts and each turn's state as an agent desktop would show them.

    python examples/live_alerts.py examples/data/call.wav            # real time
    python examples/live_alerts.py examples/data/call.wav --fast     # no pacing
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import empathysignals as es


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "call", nargs="?", default=str(Path(__file__).resolve().parent / "data" / "call.wav")
    )
    parser.add_argument("--fast", action="store_true", help="do not wait for the clock")
    args = parser.parse_args()
    audio = es.load_audio(args.call)
    # A short hold_long_s so that the 68 s example (one 34 s hold) raises its alert; the
    # example has no customer wait of 2 s, so long_wait_s=2 shows only on your own calls.
    alerts = es.AlertConfig(long_wait_s=2.0, hold_long_s=20.0)
    analyzer = es.Analyzer(roles=("customer", "agent"), sample_rate=audio.sample_rate,
                           alerts=alerts)  # fmt: skip
    call = analyzer.stream()
    packet = audio.sample_rate // 50  # 20 ms
    started = time.monotonic()
    for k, start in enumerate(range(0, len(audio.samples), packet)):
        if not args.fast:  # wait until this packet would have arrived
            time.sleep(max(0.0, started + k * 0.02 - time.monotonic()))
        for event in call.push(audio.samples[start : start + packet]):
            show(event)
    for event in call.finish():
        show(event)


def show(event: es.Event) -> None:
    at = f"[{event.emitted_at:6.2f}s]"
    if isinstance(event, es.AlertEvent):
        print(f"{at} ALERT {event.kind}: {event.message}")
    elif isinstance(event, es.TurnEvent) and event.state is not None:
        s = event.state
        print(f"{at} {event.speaker:>8} turn {event.start:.1f}-{event.end:.1f}s: {s['label']} "
              f"(valence {s['valence']:+.2f}, arousal {s['arousal']:+.2f})")  # fmt: skip
    elif isinstance(event, es.SummaryEvent):
        for m in event.coachable_moments:
            print(f"  coachable at {m['time']:.1f}s: {m['kind']} ({m['detail']}): {m['why']}")


if __name__ == "__main__":
    main()
