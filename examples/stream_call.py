"""Stream a call file through the Analyzer in 20 ms chunks, as a live media stream would
arrive, and print the turn-taking events a desktop would show the moment they are decided
(interruptions, holds, dead air, slow answers), then the call's coachable moments from
the summary. For the live coaching alerts themselves, see ``live_alerts.py``.

    python examples/stream_call.py examples/data/call.wav
"""

from __future__ import annotations

import sys
from pathlib import Path

import empathysignals as es

BUNDLED = Path(__file__).resolve().parent / "data" / "call.wav"


def main(path: str) -> None:
    audio = es.load_audio(path)
    analyzer = es.Analyzer(roles=("customer", "agent"), sample_rate=audio.sample_rate)
    call = analyzer.stream()
    chunk = audio.sample_rate // 50  # 20 ms, the usual RTP packet
    print(f"decision latency: {analyzer.latency_s:.2f} s of stream")
    for start in range(0, len(audio.samples), chunk):
        for event in call.push(audio.samples[start : start + chunk]):
            report(event)
    for event in call.finish():
        report(event)


def report(event: es.Event) -> None:
    at = f"[{event.emitted_at:7.2f}s]"
    if isinstance(event, es.InterruptionEvent):
        state = "in progress" if event.end is None else f"ended, successful={event.successful}"
        print(f"{at} {event.by} interrupted {event.of} at {event.start:.2f}s ({state})")
    elif isinstance(event, es.DeadAirEvent) and event.end is None:
        print(f"{at} dead air since {event.start:.2f}s")
    elif isinstance(event, es.HoldEvent):
        print(f"{at} hold ({event.kind}) {'started' if event.end is None else 'ended'}")
    elif isinstance(event, es.GapEvent) and event.offset > 2.0:
        print(f"{at} {event.to} took {event.offset:.1f}s to answer {event.from_}")
    elif isinstance(event, es.SummaryEvent):
        for moment in event.coachable_moments:
            print(f"{at} coachable: {moment['time']:.2f}s {moment['kind']} ({moment['who']}): "
                  f"{moment['why']}")  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(BUNDLED))
