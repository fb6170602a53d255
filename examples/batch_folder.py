"""Analyse every call in a folder, one JSONL file of events per call, with a progress bar.

    python examples/batch_folder.py CALLS_DIR OUT_DIR [--jobs 2] [--roles customer,agent]

Each worker process loads the emotion model once and shares it across its calls (it is
used only for calls with a transcript, which this script does not pass: add
``transcript=`` for yours; ``analyze_file`` would otherwise load a model per call);
each call is its own stream. Failing files are reported and skipped, never fatal. Processes,
not threads: per-push work holds the GIL.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import empathysignals as es
from empathysignals.export import write_jsonl

AUDIO = {".wav", ".flac", ".ogg"}


@functools.cache
def emotion_model() -> es.EmotionModel:
    """This worker's model (loaded on its first text, not before)."""
    return es.load_emotion_model()


def analyse(path: Path, out_dir: Path, roles: str) -> tuple[Path, str | None]:
    try:
        events = es.analyze_file(path, roles=roles.split(","), emotion_model=emotion_model())
    except es.EmpathySignalsError as exc:
        return path, str(exc)
    write_jsonl(events, out_dir / f"{path.name}.jsonl")  # a.wav and a.flac both kept
    return path, None


def progress(done: int, total: int, started: float) -> None:
    width = 30
    filled = width * done // max(total, 1)
    rate = done / max(time.monotonic() - started, 1e-9)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} "
                     f"({rate:.1f} calls/s)")  # fmt: skip
    sys.stderr.flush()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("calls", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--roles", default="customer,agent")
    args = parser.parse_args()
    files = sorted(p for p in args.calls.iterdir() if p.suffix.lower() in AUDIO)
    args.out.mkdir(parents=True, exist_ok=True)
    started, failed = time.monotonic(), []
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(analyse, f, args.out, args.roles) for f in files]
        for done, future in enumerate(as_completed(futures), start=1):
            path, error = future.result()
            if error:
                failed.append(f"{path.name}: {error}")
            progress(done, len(files), started)
    sys.stderr.write("\n")
    for line in failed:
        print(f"skipped {line}", file=sys.stderr)
    print(f"{len(files) - len(failed)} calls analysed into {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
