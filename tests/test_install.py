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
