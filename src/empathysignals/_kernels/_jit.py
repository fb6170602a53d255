"""The one place that decides how kernels are compiled.

``cache=True`` writes compiled code next to the source; on a read-only install numba raises
at decoration time, so we fall back to an in-memory compile (set ``NUMBA_CACHE_DIR`` to a
writable directory to keep the cache). No ``fastmath``: it would let numba assume no NaN or
inf, silently breaking the finiteness checks and ``-inf`` dB of digital silence.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numba

F = TypeVar("F", bound=Callable[..., Any])


def njit(func: F) -> F:
    try:
        return numba.njit(cache=True, nogil=True)(func)  # type: ignore[return-value]
    except (RuntimeError, OSError):  # pragma: no cover - read-only install
        return numba.njit(cache=False, nogil=True)(func)  # type: ignore[return-value]
