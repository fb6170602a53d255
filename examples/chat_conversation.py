"""A text-only conversation (chat, messaging): turns, response times and emotion.

    python examples/chat_conversation.py [examples/data/chat.jsonl]

The messages in ``examples/data/chat.jsonl`` were written for this example.
"""

from __future__ import annotations

import sys
from pathlib import Path

import empathysignals as es


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "data/chat.jsonl"
    analyzer = es.Analyzer(roles=("customer", "agent"))
    chat = analyzer.stream(audio=False)
    events: list[es.Event] = []
    # Messages arrive one at a time, as in a live chat; events come out as soon as decided.
    for message in es.read_transcript(path):
        events += chat.push_transcript([message])
    events += chat.finish()
    for ev in events:
        if isinstance(ev, es.TurnEvent) and ev.emotion is not None:
            top = ", ".join(f"{label} {p:.2f}" for label, p in ev.emotion["top"])
            print(f"{ev.start:6.0f}s {ev.speaker:>8}: valence {ev.emotion['valence']:+.2f} ({top})")
            print(f"{'':17}{ev.text}")
        elif isinstance(ev, es.GapEvent):
            print(f"{ev.emitted_at:6.0f}s {ev.to:>8} answered {ev.from_} after {ev.offset:.0f} s")
        elif isinstance(ev, es.SummaryEvent):
            print("response times:", {k: v["median"] for k, v in ev.response_latency_s.items()})


if __name__ == "__main__":
    main()
