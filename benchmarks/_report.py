"""Markdown tables shared by the benchmark scripts."""

from __future__ import annotations

from typing import Any


def fmt(value: Any, digits: int = 3, *, thousands: bool = False) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}" if thousands else f"{value:.{digits}f}"
    return str(value)


def table(headers: list[str], rows: list[list[Any]], **fmt_args: Any) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(fmt(c, **fmt_args) for c in row) + " |" for row in rows]
    return "\n".join(lines)
