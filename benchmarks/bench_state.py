"""Fused per-turn state against its inputs (issue 5's checks).

    python benchmarks/bench_state.py        # writes results/state.json

1. Arousal on acted speech (EmoDB developer speakers, RAVDESS actors 01-12): each speaker's
   utterances fed to the Analyzer as one stream (6 s apart: a turn each, fixed random
   order); ROC AUC of high (anger, happiness, fear) vs low (sadness, neutral, boredom, calm)
   for the turn's prosodic ``arousal`` and for the fused ``state.arousal``.
2. Valence sign on GoEmotions test texts whose gold labels fall in one sentiment group only
   (positive or negative): each text as a one-message chat turn; agreement of the sign of
   the fused ``state.valence`` with the gold group (texts with |valence| < 0.05 count as
   disagreeing).
3. Coachable moments on the 20 simulated test-split calls (seeds 1000-1019): the share of
   ground-truth agent interruptions, holds and long waits (customer waiting 2-4 s) found
   among the summary's moments within 1 s.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import empathysignals as es
from _report import table
from bench_prosody import HIGH, LOW, auc, load_corpus
from empathysignals.simulate import find_data_dir
from empathysignals.text import GOEMOTIONS_LABELS, SENTIMENT

RESULTS = Path(__file__).resolve().parent / "results"


def arousal_streams(rows: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    import soundfile as sf

    rng = np.random.default_rng(0)
    prosodic, fused, labels = [], [], []
    by_speaker: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in rows:
        if r["emotion"] in HIGH | LOW:
            by_speaker.setdefault((r["corpus"], r["speaker"]), []).append(r)
    for group in by_speaker.values():
        order = [group[i] for i in rng.permutation(len(group))]
        audio_parts, spans, t = [], [], 0
        rate = 0
        for r in order:
            x, rate = sf.read(r["path"], dtype="float32")
            gap = np.zeros(int(6.0 * rate), dtype=np.float32)
            spans.append((r, t / rate, (t + len(x)) / rate))
            audio_parts += [x, gap]
            t += len(x) + len(gap)
        audio = np.concatenate(audio_parts)
        audio += np.random.default_rng(1).standard_normal(len(audio)).astype(np.float32) * 1e-4
        events = es.analyze(audio, rate, roles=("speaker",), emotion_model=None)
        turns = [e for e in events if isinstance(e, es.TurnEvent) and e.prosody and e.state]
        for r, a, b in spans:
            inside = [e for e in turns if e.start < b and (e.end or 0) > a]
            scored = [e for e in inside if e.prosody["arousal"] is not None]  # type: ignore[index]
            if scored:
                prosodic.append(np.mean([e.prosody["arousal"] for e in scored]))  # type: ignore[index]
                fused.append(np.mean([e.state["arousal"] for e in scored]))  # type: ignore[index]
                labels.append(r["emotion"] in HIGH)
    return np.array(prosodic), np.array(fused), np.array(labels)


def valence_sign(data: Path) -> dict[str, Any]:
    index = {label: i for i, label in enumerate(GOEMOTIONS_LABELS)}
    pos, neg = {index[x] for x in SENTIMENT["positive"]}, {index[x] for x in SENTIMENT["negative"]}
    texts, gold = [], []
    for line in (data / "goemotions" / "test.tsv").read_text(encoding="utf-8").splitlines():
        text, ids, _ = line.split("\t")
        labels = {int(i) for i in ids.split(",")}
        if labels <= pos:
            texts.append(text), gold.append(1)
        elif labels <= neg:
            texts.append(text), gold.append(-1)
    analyzer = es.Analyzer(roles=("customer", "agent"))
    fused = []
    for k, text in enumerate(texts):
        call = analyzer.stream(audio=False)
        events = call.push_transcript([("customer", float(k), text)]) + call.finish()
        turn = next(e for e in events if isinstance(e, es.TurnEvent))
        fused.append(turn.state["valence"])  # type: ignore[index]
    v, g = np.array(fused), np.array(gold)
    agree = np.where(np.abs(v) < 0.05, False, np.sign(v) == g)
    return {
        "n": len(g),
        "n_positive": int((g == 1).sum()),
        "n_negative": int((g == -1).sum()),
        "agreement": float(agree.mean()),
        "agreement_positive": float(agree[g == 1].mean()),
        "agreement_negative": float(agree[g == -1].mean()),
    }


def coachable_recall(seeds: range) -> dict[str, Any]:
    """Ground-truth agent interruptions, holds and long waits of simulated test-split calls
    against the summary's coachable moments of the same kind: matched one to one, nearest
    first, within 1 s. Recall is the truth found; precision, the moments that match a truth
    (a long wait the script did not place, say a normal answer that happened to come late,
    counts against it)."""
    from empathysignals.simulate import simulate_call

    counts = {k: [0, 0, 0] for k in ("interruption", "hold", "long_wait")}  # tp, truth, said
    for seed in seeds:
        sim = simulate_call(seed, split="test")
        summary = es.analyze(sim.audio, sim.sample_rate, emotion_model=None)[-1]
        moments = summary.coachable_moments  # type: ignore[attr-defined]
        truth = {
            "interruption": [
                e.start for e in sim.truth.events_of("interruption") if e.attrs["by"] == "agent"
            ],
            "hold": [e.start for e in sim.truth.events_of("hold")],
            "long_wait": [
                e.start for e in sim.truth.events_of("gap")
                if e.attrs.get("scenario") == "long_wait" and e.attrs["from"] == "customer"
            ],
        }  # fmt: skip
        for kind, times in truth.items():
            said = [m["time"] for m in moments if m["kind"] == kind]
            pairs = sorted(
                (abs(s - w), i, j) for i, s in enumerate(said) for j, w in enumerate(times)
                if abs(s - w) <= 1.0
            )  # fmt: skip
            used_s: set[int] = set()
            used_t: set[int] = set()
            for _, i, j in pairs:
                if i not in used_s and j not in used_t:
                    used_s.add(i)
                    used_t.add(j)
            counts[kind][0] += len(used_t)
            counts[kind][1] += len(times)
            counts[kind][2] += len(said)
    return {
        k: {
            "found": tp, "total": n, "recall": tp / n if n else None,
            "moments": said, "precision": tp / said if said else None,
        }
        for k, (tp, n, said) in counts.items()
    }  # fmt: skip


def main() -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    root = find_data_dir()
    rows = load_corpus(root, "emodb", False) + load_corpus(root, "ravdess", False)
    prosodic, fused, y = arousal_streams(rows)
    res: dict[str, Any] = {
        "command": " ".join(["python", *sys.argv]),
        "arousal": {
            "n": len(y),
            "prosodic_auc": auc(prosodic, y),
            "fused_auc": auc(fused, y),
        },
        "valence_sign": valence_sign(root),
        "coachable_recall": coachable_recall(range(1000, 1020)),
    }
    a, v = res["arousal"], res["valence_sign"]
    print(table(["arousal (acted speech, stream)", "n", "AUC"], [
        ["prosody.arousal", a["n"], a["prosodic_auc"]],
        ["state.arousal (fused)", a["n"], a["fused_auc"]],
    ]))  # fmt: skip
    print()
    print(table(["valence sign vs gold sentiment (GoEmotions test)", "n", "agreement"], [
        ["all one-sided texts", v["n"], v["agreement"]],
        ["positive", v["n_positive"], v["agreement_positive"]],
        ["negative", v["n_negative"], v["agreement_negative"]],
    ]))  # fmt: skip
    print()
    print(table(["coachable moment (truth, test calls 1000-1019)", "found", "of", "recall",
                 "moments said", "precision"], [
        [k, v["found"], v["total"], v["recall"], v["moments"], v["precision"]]
        for k, v in res["coachable_recall"].items()
    ]))  # fmt: skip
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "state.json").write_text(json.dumps(res, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
