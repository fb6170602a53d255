"""Do the Analyzer's events, its summary and its alerts agree with one another?

    python benchmarks/check_consistency.py                          # tune calls 0-39
    python benchmarks/check_consistency.py --split test --seeds 1000 1040

Each simulated call is fed as a live stream (200 ms pushes) with a transcript that gives
every speech stretch over 1 s a GoEmotions dev text (seeded), so turns carry text emotion
and the summary's emotion part is exercised, and with alert thresholds low enough that
every rule fires (``hold_long_s`` 8 s, ``agitation_arousal`` 0.05, one turn). Then
``empathysignals.testing``'s three checks run on the events:

* ``event_contradictions``: pauses inside their speaker's turn, gaps joining turn ends to
  turn starts, no overlapping turns of one speaker, no backchannel inside its speaker's turn;
* ``summary_contradictions``: the summary recomputed from the events the plain way;
* ``alert_contradictions``: every alert against its rule (docs/alerts.md).

Prints each call with a finding, then the counts. A nightly job runs it over many seeds
beside the deep property tests (``EMPATHYSIGNALS_TEST_DEPTH``, README). Two processes by
default (``--jobs``); ~2 s per call and process.
"""

from __future__ import annotations

import argparse
import csv
import random
from multiprocessing import Pool

import empathysignals as es
from empathysignals.simulate import find_data_dir, simulate_call
from empathysignals.testing import (
    alert_contradictions,
    event_contradictions,
    summary_contradictions,
)

EAGER_ALERTS = es.AlertConfig(hold_long_s=8.0, agitation_arousal=0.05, agitation_turns=1)
CHUNK_S = 0.2


def _texts() -> list[str]:
    with open(find_data_dir() / "goemotions" / "dev.tsv", newline="", encoding="utf-8") as f:
        return [row[0] for row in csv.reader(f, delimiter="\t")]


def check_call(args: tuple[int, str]) -> tuple[int, list[str], list[str], list[str], int]:
    seed, split = args
    sim = simulate_call(seed, split=split)
    rng = random.Random(seed)
    texts = _texts()
    transcript = sorted(
        (
            {"speaker": role, "start": s.start, "end": s.end, "text": rng.choice(texts)}
            for role, segments in sim.truth.speech.items()
            for s in segments
            if s.duration > 1.0
        ),
        key=lambda row: float(row["start"]),  # type: ignore[arg-type]
    )
    stream = es.Analyzer(sample_rate=sim.sample_rate, alerts=EAGER_ALERTS).stream()
    events = stream.push_transcript(transcript, complete=True)
    step = round(CHUNK_S * sim.sample_rate)
    for at in range(0, len(sim.audio), step):
        events += stream.push(sim.audio[at : at + step])
    events += stream.finish()
    n_alerts = sum(1 for e in events if isinstance(e, es.AlertEvent))
    return (
        seed,
        event_contradictions(events),
        summary_contradictions(events),
        alert_contradictions(events, alerts=EAGER_ALERTS),
        n_alerts,
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--seeds", type=int, nargs=2, default=(0, 40), metavar=("FIRST", "STOP"))
    ap.add_argument("--split", choices=("tune", "test"), default="tune")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    found = {"event": 0, "summary": 0, "alert": 0}
    calls = alerts = 0
    work = [(seed, args.split) for seed in range(*args.seeds)]
    with Pool(args.jobs) as pool:
        for seed, ev, summ, al, n_alerts in pool.imap(check_call, work):
            calls += 1
            alerts += n_alerts
            for name, lines in (("event", ev), ("summary", summ), ("alert", al)):
                found[name] += len(lines)
                for line in lines:
                    print(f"call {seed}: {name}: {line}", flush=True)
    print(
        f"{calls} {args.split} calls ({alerts} alerts): {found['event']} event, "
        f"{found['summary']} summary and {found['alert']} alert contradictions"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
