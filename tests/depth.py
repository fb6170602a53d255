"""How hard the property tests search: ``EMPATHYSIGNALS_TEST_DEPTH`` (default 1) multiplies
every hypothesis test's example budget and every seeded random sweep's number of seeds.

A pull request runs depth 1 (with hypothesis derandomized under ``CI=true``: reproducible).
A nightly run at depth 20 or more, with random hypothesis seeds, explores far more of the
input space; session 17's last turn-taking corner was found only by such local runs::

    EMPATHYSIGNALS_TEST_DEPTH=20 python -m pytest -q tests/test_turn_taking.py
"""

from __future__ import annotations

import os


def _depth() -> int:
    raw = os.environ.get("EMPATHYSIGNALS_TEST_DEPTH", "1").strip() or "1"
    try:
        depth = int(raw)
    except ValueError:
        depth = 0
    if depth < 1:
        raise ValueError(f"EMPATHYSIGNALS_TEST_DEPTH must be a whole number >= 1, got {raw!r}")
    return depth


DEPTH = _depth()


def examples(n: int) -> int:
    """A hypothesis test's ``max_examples`` at this depth."""
    return n * DEPTH


def seeds(n: int, *, start: int = 0) -> range:
    """A seeded sweep's seeds at this depth: ``start .. start + n * DEPTH - 1``."""
    return range(start, start + n * DEPTH)
