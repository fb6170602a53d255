"""Import and first call behave on a read-only install (numba cannot write its cache)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import empathysignals


def _make_read_only(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def test_read_only_install_without_usable_cache_runs(tmp_path: Path) -> None:
    """A read-only copy of the package, with every numba cache location pointed at a file
    (unusable as a directory, whatever the user's permissions): the kernels must still
    compile and run, in memory."""
    src = Path(empathysignals.__file__).parent
    pkg = tmp_path / "site" / "empathysignals"
    shutil.copytree(src, pkg, ignore=shutil.ignore_patterns("__pycache__", "*.nbi", "*.nbc"))
    _make_read_only(tmp_path / "site")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_")}
    env["PYTHONPATH"] = str(tmp_path / "site")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    env["NUMBA_CACHE_DIR"] = str(blocker)
    env["HOME"] = str(blocker)
    code = (
        "import numpy as np, empathysignals as es; "
        "ev = es.analyze(np.zeros((16000, 2), np.float32), 8000); "
        "assert ev[-1].type == 'summary'; print(es.__file__)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert str(tmp_path) in out.stdout


_NO_COMPILE_AFTER_WARMUP = """
import importlib, pkgutil, sys
import numba, soundfile as sf
import empathysignals as es
from empathysignals import _kernels

def dispatchers():
    for info in pkgutil.iter_modules(_kernels.__path__):
        mod = importlib.import_module(f"empathysignals._kernels.{info.name}")
        for name, obj in vars(mod).items():
            if isinstance(obj, numba.core.registry.CPUDispatcher):
                yield f"{info.name}.{name}", obj

es.warmup()
before = {name: len(d.signatures) for name, d in dispatchers()}
x, sr = sf.read(sys.argv[1], dtype="float32")
es.analyze(x, sr, roles=("customer", "agent"))
# The bundled call has no music hold: run one through the turn-taking detector as well.
import numpy as np
from empathysignals.detectors.base import DetectorContext
from empathysignals.detectors.turn_taking import TurnTakingDetector
from empathysignals.testing import frames_from_activity
act = np.zeros((1200, 2), bool)
act[:100, 0] = act[1000:1100, 1] = True
energy = np.where(act, -20.0, -58.0)
music = np.zeros(act.shape)
energy[150:900, 1], music[150:900, 1] = -25.0, 0.9
det = TurnTakingDetector(DetectorContext(("customer", "agent"), 0))
events = det.push(frames_from_activity(act, energy_db=energy, music_prob=music)) + det.flush()
assert any(e.type == "hold" and e.end is not None for e in events), events
after = {name: len(d.signatures) for name, d in dispatchers()}
new = sorted(name for name in after if after[name] > before.get(name, 0))
print("compiled after warmup:", new)
sys.exit(1 if new else 0)
"""


def test_warmup_compiles_every_kernel_a_real_call_needs() -> None:
    """After ``warmup()``, analysing a real two-leg call (voiced speech, turns, pauses) must not
    compile or load any kernel: that would stall a live call for tens of milliseconds. Run in
    a fresh interpreter, where nothing else has compiled them first."""
    call = Path(__file__).resolve().parents[1] / "examples" / "data" / "call.wav"
    out = subprocess.run(
        [sys.executable, "-c", _NO_COMPILE_AFTER_WARMUP, str(call)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
