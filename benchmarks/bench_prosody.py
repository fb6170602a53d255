"""Per-turn prosody benchmark: speaking rate against EmoDB syllable labels, arousal on acted
emotional speech beside openSMILE eGeMAPS, and Analyzer speed beside openSMILE.

    python benchmarks/bench_prosody.py            # writes results/prosody.json
    python benchmarks/bench_prosody.py --quick    # fewer files and repeats

1. Speaking rate: every EmoDB file whose speech is complete (``truncated_at_2s = 0``):
   our syllable count (the Analyzer's turn ``syllables``, via ``utterance_prosody``) against
   the number of labelled syllables in the ``.silb`` file (pause marks excluded), and our
   speech rate (the turn's ``speech_rate_syl_s``: syllables per second from the first to
   the last detected speech frame) against labelled syllables per second of labelled speech
   (end minus start), and our articulation rate (per second of detected speech frames)
   against labelled syllables per second of phonation (labelled span minus the labelled
   pauses). Pearson r and MAE, per EmoDB speaker group:
   speakers 03 and 08 are the tune split (the threshold under
   the running peak, 35 dB, was chosen there from a 2 x 2 grid around de Jong & Wempe's
   2 dB dip / 25 dB), 09, 10, 11 the test split. "all files" adds the files cut at 2.0 s
   (178 of 243), each cut again at the onset of its last labelled syllable before the end,
   so the reference is exactly the syllables before the cut: four times the data.
   The same files go through de Jong & Wempe's own method in Praat (``peer_syllables.py``,
   parselmouth), the reference the issue names.
2. Arousal: high (anger, happiness, fear) against low (sadness, neutral, boredom; RAVDESS:
   sad, neutral, calm) utterances. Per speaker, every feature is z-normalized over that
   speaker's utterances ("per-speaker normalized"); ROC AUC is pooled over speakers.
   * ours, rule: the Analyzer's arousal rule (mean of the signed z-scores of F0 mean, F0
     spread, loudness, articulation rate, alpha ratio and Hammarberg index), no training;
   * ours, stream: the Analyzer itself, utterances of a speaker fed as one stream in a fixed
     random order, each turn's ``arousal`` against the running baseline (no look-ahead);
   * eGeMAPS (openSMILE v02 functionals, 88 features) and ours (the 13 prosodic measures of
     a turn in ``NUMERIC``: all but the near-duplicates ``f0_mean_hz`` and
     ``loudness_lufs`` and the counts), each
     with a logistic regression trained leave-one-speaker-out (L2, C=1): the same
     normalization and the same classifier for both. The comparison is repeated at each
     regularization strength of ``C_GRID``, and with C chosen inside each training fold
     by an inner leave-one-speaker-out (nested), since one fixed C can favour the smaller
     or the larger feature set.
3. Perceptual loudness: per utterance, our ``loudness_lufs`` (and plain ``loudness_db``)
   against openSMILE's loudness functional (``loudness_sma3_amean``, in 10 log10 sone).
4. Speed: the whole Analyzer (turn-taking + prosody) on simulated 8 kHz stereo test calls
   against openSMILE eGeMAPS functionals (the usual per-utterance extraction) on the same
   legs, one thread, median of repeats.
"""

from __future__ import annotations

import _single_thread  # noqa: F401 - sets one thread before numeric imports

# isort: split

import argparse
import csv
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent))
import empathysignals as es
from _report import table
from bench_voice import emodb_reference, silb_labels
from empathysignals.prosody.turns import AROUSAL_FEATURES, utterance_prosody
from empathysignals.simulate import find_data_dir, simulate_call

RESULTS = Path(__file__).resolve().parent / "results"
HIGH = {"anger", "happiness", "fear", "angry", "happy", "fearful"}
LOW = {"sadness", "neutral", "boredom", "sad", "calm"}
TUNE_SPEAKERS = {"03", "08"}


def load_corpus(root: Path, name: str, quick: bool) -> list[dict[str, Any]]:
    folder = root / "emotional_speech" / name
    with (folder / "manifest.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    out = []
    for row in rows:
        speaker = row.get("speaker") or row["actor"]
        out.append({**row, "speaker": speaker, "path": folder / row["file"], "corpus": name})
    return out[::4] if quick else out


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """ROC AUC by the rank-sum (Mann-Whitney) formula, ties counted half."""
    pos, neg = scores[labels], scores[~labels]
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))


def zscore_by_speaker(x: np.ndarray, speakers: np.ndarray) -> np.ndarray:
    out = np.zeros_like(x, dtype=np.float64)
    for s in np.unique(speakers):
        sel = speakers == s
        mu = np.nanmean(x[sel], axis=0)
        sd = np.nanstd(x[sel], axis=0)
        out[sel] = (x[sel] - mu) / np.where(sd > 0, sd, 1.0)
    return np.nan_to_num(out)


def fit_logistic(x: np.ndarray, y: np.ndarray, c: float = 1.0) -> tuple[np.ndarray, float]:
    """L2 logistic regression (inverse strength ``c``, intercept unpenalized), L-BFGS."""
    from scipy.optimize import minimize

    x1 = np.hstack([x, np.ones((len(x), 1))])
    t = y.astype(float)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = x1 @ w
        p = 1 / (1 + np.exp(-z))
        grad = x1.T @ (p - t)
        grad[:-1] += w[:-1] / c
        return float(np.sum(np.logaddexp(0, z) - t * z) + 0.5 * w[:-1] @ w[:-1] / c), grad

    w = minimize(loss, np.zeros(x.shape[1] + 1), jac=True, method="L-BFGS-B").x
    return w[:-1], float(w[-1])


def logistic_loso(x: np.ndarray, y: np.ndarray, speakers: np.ndarray, c: float = 1.0) -> np.ndarray:
    """Leave-one-speaker-out scores of :func:`fit_logistic`."""
    scores = np.zeros(len(y))
    for s in np.unique(speakers):
        test = speakers == s
        w, b = fit_logistic(x[~test], y[~test], c)
        scores[test] = x[test] @ w + b
    return scores


C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)


def logistic_nested_loso(
    x: np.ndarray, y: np.ndarray, speakers: np.ndarray
) -> tuple[np.ndarray, list[float]]:
    """Leave-one-speaker-out scores with C chosen per outer fold, from ``C_GRID``, by the
    AUC of an inner leave-one-speaker-out on that fold's training speakers only."""
    scores = np.zeros(len(y))
    chosen = []
    for s in np.unique(speakers):
        test = speakers == s
        xt, yt, st = x[~test], y[~test], speakers[~test]
        inner = [auc(logistic_loso(xt, yt, st, c), yt) for c in C_GRID]
        c = C_GRID[int(np.argmax(inner))]
        chosen.append(c)
        w, b = fit_logistic(xt, yt, c)
        scores[test] = x[test] @ w + b
    return scores, chosen


def paired_auc_bootstrap(
    a: np.ndarray,
    b: np.ndarray,
    y: np.ndarray,
    speakers: np.ndarray,
    *,
    n_boot: int = 2000,
    seed: int = 0,
) -> dict[str, float]:
    """AUC(a) - AUC(b) on the same utterances, with a 95 % interval from resampling
    speakers with replacement (utterances of a speaker stay together: they are not
    independent), and the share of resamples in which ``a`` scores at least as high."""
    rng = np.random.default_rng(seed)
    ids = np.unique(speakers)
    members = [np.flatnonzero(speakers == s) for s in ids]
    diffs = []
    for _ in range(n_boot):
        idx = np.concatenate([members[k] for k in rng.integers(len(ids), size=len(ids))])
        if y[idx].all() or not y[idx].any():
            continue
        diffs.append(auc(a[idx], y[idx]) - auc(b[idx], y[idx]))
    d = np.array(diffs)
    return {
        "difference": auc(a, y) - auc(b, y),
        "ci95_low": float(np.percentile(d, 2.5)),
        "ci95_high": float(np.percentile(d, 97.5)),
        "share_a_at_least_b": float(np.mean(d >= 0.0)),
        "n_boot": len(d),
    }


NUMERIC = [
    "f0_mean_semitones", "f0_sd_semitones", "f0_range_semitones", "f0_slope_semitones_s",
    "loudness_db", "hnr_db", "speech_rate_syl_s", "articulation_rate_syl_s", "voiced_s",
    "alpha_ratio_db", "hammarberg_db", "jitter", "shimmer_db",
]  # fmt: skip


def features(rows: list[dict[str, Any]]) -> tuple[np.ndarray, list[dict[str, Any]]]:
    feats = []
    for row in rows:
        x, sr = sf.read(row["path"], dtype="float32")
        row["audio"], row["rate"] = x, sr
        p = utterance_prosody(x, sr)
        feats.append(p)
    table_ = np.array([[np.nan if p[k] is None else p[k] for k in NUMERIC] for p in feats])
    return table_, feats


def cut_reference(row: dict[str, Any], audio: np.ndarray, rate: int) -> tuple[np.ndarray, dict]:
    """Audio and syllable reference of one EmoDB file. A complete file is used whole; a file
    cut at 2.0 s is cut again at the onset of its last labelled syllable that starts before
    the end, so the reference counts exactly the syllables before the cut."""
    root = row["path"].parents[1]
    if row["truncated_at_2s"] == "0":
        ref = emodb_reference(root, row)
        return audio, {
            "syllables": int(ref["syllables"]), "speech_s": ref["speech_s"],
            "phonation_s": ref["phonation_s"],
        }  # fmt: skip
    labels = silb_labels(root, row)
    cut = [t for t, _ in labels if t < len(audio) / rate - 0.05][-1]
    n = sum(1 for t, s in labels if t < cut and s not in ("(", "."))
    pauses = sum(
        labels[k + 1][0] - t for k, (t, s) in enumerate(labels[:-1])
        if s == "(" and labels[k + 1][0] <= cut
    )  # fmt: skip
    span = cut - float(row["speech_start_s"])
    return audio[: int(cut * rate)], {
        "syllables": n, "speech_s": span, "phonation_s": span - pauses,
    }  # fmt: skip


def _num(value: float | None) -> float:
    return np.nan if value is None else float(value)


def speaking_rate(rows: list[dict[str, Any]], feats: list[dict[str, Any]]) -> dict[str, Any]:
    """Ours and de Jong & Wempe's Praat method (``peer_syllables.py``) on the same files:
    count and rates against the labels. The peer's speech rate is per second of its own
    sounding span (first to last sounding interval) and its articulation rate per second of
    its sounding time, as their script defines them."""
    from peer_syllables import dejong_wempe

    out: dict[str, Any] = {}
    peers: dict[str, dict[str, float]] = {}  # complete files enter both file sets
    for split, speakers in (("tune", TUNE_SPEAKERS), ("test", {"09", "10", "11"})):
        for files in ("complete", "all"):
            got: dict[str, list[list[float]]] = {"ours": [[], [], []], "peer": [[], [], []]}
            ref_n, ref_rate, ref_art = [], [], []
            for row, p in zip(rows, feats, strict=True):
                if row["corpus"] != "emodb" or row["speaker"] not in speakers:
                    continue
                if files == "complete" and row["truncated_at_2s"] != "0":
                    continue
                audio, ref = cut_reference(row, row["audio"], row["rate"])
                if row["truncated_at_2s"] != "0":
                    p = utterance_prosody(audio, row["rate"])
                # (A complete file is used whole; the manifest's n_syllables also counts
                # pause marks "(", so the reference comes from the labels.)
                if not p["speech_s"]:
                    continue
                if row["file"] not in peers:
                    peers[row["file"]] = dejong_wempe(audio, row["rate"])
                peer = peers[row["file"]]
                ref_n.append(ref["syllables"])
                # Speech rate: per second of speech, pauses included (our turn spans the
                # detected speech); articulation rate: per second of phonation.
                ref_rate.append(ref["syllables"] / ref["speech_s"])
                ref_art.append(ref["syllables"] / ref["phonation_s"])
                for name, vals in (
                    ("ours", (p["syllables"], p["speech_rate_syl_s"],
                              p["articulation_rate_syl_s"])),
                    ("peer", (peer["syllables"], peer["syllables"] / peer["sounding_s"],
                              peer["syllables"] / max(peer["phonation_s"], 1e-9))),
                ):  # fmt: skip
                    for k in range(3):
                        got[name][k].append(float(vals[k]))
            b, rb, ab = np.array(ref_n, float), np.array(ref_rate), np.array(ref_art)
            for name, (n_, rate_, art_) in got.items():
                a, ra, aa = np.array(n_), np.array(rate_), np.array(art_)
                out[f"{split}, {files} files, {name}"] = {
                    "n": len(a),
                    "count_r": float(np.corrcoef(a, b)[0, 1]),
                    "count_mae": float(np.mean(np.abs(a - b))),
                    "rate_r": float(np.corrcoef(ra, rb)[0, 1]),
                    "rate_mae_syl_s": float(np.mean(np.abs(ra - rb))),
                    "articulation_r": float(np.corrcoef(aa, ab)[0, 1]),
                    "articulation_mae_syl_s": float(np.mean(np.abs(aa - ab))),
                }
    return out


def egemaps(rows: list[dict[str, Any]]) -> tuple[np.ndarray, list[str]]:
    import opensmile

    smile = opensmile.Smile(
        feature_set=opensmile.FeatureSet.eGeMAPSv02,
        feature_level=opensmile.FeatureLevel.Functionals,
    )
    table_ = np.vstack([smile.process_signal(r["audio"], r["rate"]).to_numpy()[0] for r in rows])
    return table_, list(smile.feature_names)


def stream_arousal(rows: list[dict[str, Any]], seed: int = 0) -> dict[int, float]:
    """Each speaker's utterances as one mono stream, 6 s of silence apart (a turn each)."""
    scores: dict[int, float] = {}
    rng = np.random.default_rng(seed)
    by_speaker: dict[tuple[str, str], list[int]] = {}
    for i, r in enumerate(rows):
        by_speaker.setdefault((r["corpus"], r["speaker"]), []).append(i)
    for idx in by_speaker.values():
        idx = list(rng.permutation(idx))
        rate = rows[idx[0]]["rate"]
        gap = np.zeros(int(6.0 * rate), dtype=np.float32)  # a turn each
        pieces, spans, t = [], [], 0
        for i in idx:
            x = rows[i]["audio"].astype(np.float32)
            pieces += [x, gap]
            spans.append((i, t / rate, (t + len(x)) / rate))
            t += len(x) + len(gap)
        audio = np.concatenate(pieces)
        audio = (
            audio + np.random.default_rng(1).standard_normal(len(audio)).astype(np.float32) * 1e-4
        )
        events = es.analyze(audio, rate, roles=("speaker",), emotion_model=None)
        turns = [e for e in events if e.type == "turn" and e.prosody]
        for i, a, b in spans:
            inside = [e for e in turns if e.start < b and (e.end or 0) > a]
            values = [e.prosody["arousal"] for e in inside if e.prosody["arousal"] is not None]
            if values:
                scores[i] = float(np.mean(values))
    return scores


def speed(quick: bool, repeats: int) -> dict[str, Any]:
    import opensmile

    sims = [simulate_call(1000 + k, split="test") for k in range(1 if quick else 3)]
    audio = np.concatenate([s.audio for s in sims]).astype(np.float32)
    rate = sims[0].sample_rate
    seconds = len(audio) / rate
    es.analyze(audio[: rate * 5], rate)  # JIT warm
    smile = opensmile.Smile(
        feature_set=opensmile.FeatureSet.eGeMAPSv02,
        feature_level=opensmile.FeatureLevel.Functionals,
    )
    ours, ours_tt, theirs = [], [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        es.analyze(audio, rate, emotion_model=None)
        ours.append(time.perf_counter() - t0)
        call = es.Analyzer(prosody=False).stream()
        t0 = time.perf_counter()
        call.push(audio)
        call.finish()
        ours_tt.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        for leg in range(2):
            smile.process_signal(audio[:, leg], rate)
        theirs.append(time.perf_counter() - t0)
    res = {
        "audio_s": seconds,
        "analyzer_x_rt": seconds / statistics.median(ours),
        "analyzer_no_prosody_x_rt": seconds / statistics.median(ours_tt),
        "opensmile_egemaps_x_rt": seconds / statistics.median(theirs),
    }
    res["ratio"] = res["analyzer_x_rt"] / res["opensmile_egemaps_x_rt"]
    return res


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    root = find_data_dir()
    rows = load_corpus(root, "emodb", args.quick) + load_corpus(root, "ravdess", args.quick)
    print(f"computing prosody of {len(rows)} utterances ...", flush=True)
    ours, feats = features(rows)
    results: dict[str, Any] = {"command": " ".join(["python", *sys.argv])}

    rate = speaking_rate(rows, feats)
    results["speaking_rate"] = rate
    print("\nSpeaking rate vs EmoDB syllable labels\n")
    print(table(
        ["split", "n", "count r", "count MAE", "speech rate r", "MAE (syl/s)",
         "articulation rate r", "MAE (syl/s)"],
        [[k, v["n"], v["count_r"], v["count_mae"], v["rate_r"], v["rate_mae_syl_s"],
          v["articulation_r"], v["articulation_mae_syl_s"]] for k, v in rate.items()],
    ))  # fmt: skip

    keep = [i for i, r in enumerate(rows) if r["emotion"] in HIGH | LOW]
    sub = [rows[i] for i in keep]
    y = np.array([r["emotion"] in HIGH for r in sub])
    speakers = np.array([f"{r['corpus']}:{r['speaker']}" for r in sub])
    corpora = np.array([r["corpus"] for r in sub])
    ours_z = zscore_by_speaker(ours[keep], speakers)
    rule_cols = [NUMERIC.index(k) for k in AROUSAL_FEATURES]
    signs = np.array([direction for direction, _ in AROUSAL_FEATURES.values()])
    rule = (ours_z[:, rule_cols] * signs).mean(axis=1)
    print("extracting eGeMAPS ...", flush=True)
    ege, ege_names = egemaps(sub)
    ege_z = zscore_by_speaker(ege, speakers)
    # Perceptual loudness: ours (BS.1770 K-weighted, speech frames) and plain frame energy
    # against openSMILE's loudness (Zwicker-style auditory spectrum, sone), per utterance.
    sone = ege[:, ege_names.index("loudness_sma3_amean")]
    ok = sone > 0
    lufs = np.array([_num(feats[i]["loudness_lufs"]) for i in keep])
    energy_db = np.array([_num(feats[i]["loudness_db"]) for i in keep])
    ok &= np.isfinite(lufs) & np.isfinite(energy_db)
    log_sone = 10 * np.log10(sone[ok])
    results["loudness_vs_opensmile"] = {
        "n": int(ok.sum()),
        "r_lufs": float(np.corrcoef(lufs[ok], log_sone)[0, 1]),
        "r_energy_db": float(np.corrcoef(energy_db[ok], log_sone)[0, 1]),
    }
    print("\nLoudness per utterance vs openSMILE loudness (10 log10 sone), Pearson r\n")
    print(table(["measure", "n", "r"], [
        ["ours: loudness_lufs (BS.1770, speech frames)", int(ok.sum()),
         results["loudness_vs_opensmile"]["r_lufs"]],
        ["ours: loudness_db (frame energy)", int(ok.sum()),
         results["loudness_vs_opensmile"]["r_energy_db"]],
    ]))  # fmt: skip
    stream = stream_arousal(sub)
    systems = {
        "ours: arousal rule (no training)": rule,
        "ours: logistic, LOSO": logistic_loso(ours_z, y, speakers),
        "eGeMAPS: logistic, LOSO": logistic_loso(ege_z, y, speakers),
    }
    arousal: dict[str, Any] = {}
    rows_out = []
    for name, score in systems.items():
        arousal[name] = {c: auc(score[corpora == c], y[corpora == c]) for c in ("emodb", "ravdess")}
        arousal[name]["all"] = auc(score, y)
        rows_out.append(
            [name, arousal[name]["emodb"], arousal[name]["ravdess"], arousal[name]["all"]]
        )
    have = np.array([i in stream for i in range(len(sub))])
    s_scores = np.array([stream.get(i, 0.0) for i in range(len(sub))])
    arousal["ours: Analyzer stream (running baseline)"] = {
        c: auc(s_scores[have & (corpora == c)], y[have & (corpora == c)])
        for c in ("emodb", "ravdess")
    }
    arousal["ours: Analyzer stream (running baseline)"]["all"] = auc(s_scores[have], y[have])
    v = arousal["ours: Analyzer stream (running baseline)"]
    rows_out.append(
        ["ours: Analyzer stream (running baseline)", v["emodb"], v["ravdess"], v["all"]]
    )
    results["arousal"] = arousal
    results["arousal_n"] = {
        "utterances": len(sub),
        "high": int(y.sum()),
        "stream_scored": int(have.sum()),
    }
    print(f"\nArousal ROC AUC, high vs low ({len(sub)} utterances, per-speaker z-normalized)\n")
    print(table(["system", "EmoDB", "RAVDESS", "all"], rows_out))
    paired = paired_auc_bootstrap(
        systems["ours: logistic, LOSO"], systems["eGeMAPS: logistic, LOSO"], y, speakers
    )
    results["arousal_ours_minus_egemaps"] = paired
    print(
        f"\nours - eGeMAPS (logistic, LOSO), all: {paired['difference']:+.4f}, 95 % interval "
        f"{paired['ci95_low']:+.4f} .. {paired['ci95_high']:+.4f} (speakers resampled "
        f"{paired['n_boot']} times; ours >= eGeMAPS in {paired['share_a_at_least_b']:.0%})"
    )
    by_c = {
        str(c): {
            "ours": auc(logistic_loso(ours_z, y, speakers, c), y),
            "egemaps": auc(logistic_loso(ege_z, y, speakers, c), y),
        }
        for c in C_GRID
    }
    nested_ours, c_ours = logistic_nested_loso(ours_z, y, speakers)
    nested_ege, c_ege = logistic_nested_loso(ege_z, y, speakers)
    nested = paired_auc_bootstrap(nested_ours, nested_ege, y, speakers)
    nested.update(ours=auc(nested_ours, y), egemaps=auc(nested_ege, y))
    nested.update(c_ours=c_ours, c_egemaps=c_ege)
    results["arousal_logistic_by_c"] = by_c
    results["arousal_logistic_nested"] = nested
    print("\nArousal AUC (all) of the logistic, LOSO, by regularization C\n")
    print(table(
        ["C", "ours (13)", "eGeMAPS (88)", "ours - eGeMAPS"],
        [*[[c, v["ours"], v["egemaps"], v["ours"] - v["egemaps"]] for c, v in by_c.items()],
         ["nested (C per fold)", nested["ours"], nested["egemaps"], nested["difference"]]],
        digits=4,
    ))  # fmt: skip
    print(
        f"nested, ours - eGeMAPS: 95 % interval {nested['ci95_low']:+.4f} .. "
        f"{nested['ci95_high']:+.4f}, ours >= eGeMAPS in {nested['share_a_at_least_b']:.0%}"
    )

    print("\nmeasuring speed ...", flush=True)
    results["speed"] = speed(args.quick, 2 if args.quick else args.repeats)
    s = results["speed"]
    print(table(
        ["system", "x real time (1 core)"],
        [["Analyzer (turn-taking + prosody)", s["analyzer_x_rt"]],
         ["Analyzer, prosody off", s["analyzer_no_prosody_x_rt"]],
         ["openSMILE eGeMAPS functionals, both legs", s["opensmile_egemaps_x_rt"]],
         ["ratio ours / openSMILE", s["ratio"]]],
        digits=1,
    ))  # fmt: skip
    if not args.quick:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "prosody.json").write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
