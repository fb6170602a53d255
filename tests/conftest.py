"""Shared pytest fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# CI gates a landing: there the property tests run a fixed, reproducible set of examples
# (derandomized); locally they explore new random examples on every run.
_IN_CI = os.environ.get("CI", "").strip().lower() == "true"
settings.register_profile("ci", derandomize=True, print_blob=True)
if _IN_CI:
    settings.load_profile("ci")


def _require_data_dir() -> Path:
    """The shared data folder; skip the test when it is absent, but fail when ``CI=true``."""
    from empathysignals.errors import ParameterError
    from empathysignals.simulate import find_data_dir

    try:
        return find_data_dir()
    except ParameterError as exc:
        message = f"shared data folder not available ({exc})"
        if _IN_CI:
            pytest.fail(f"{message}; CI=true requires it")
        pytest.skip(f"{message}; set EMPATHYSIGNALS_DATA to run data tests")


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """Path of the shared data folder (speech/, music/, noise/), see :func:`_require_data_dir`."""
    return _require_data_dir()
