"""Small display helpers for trial pages (registered as template filters by the blueprint)."""

from __future__ import annotations

from typing import Any

from sandbox.limits import human_bytes
from sandbox.result import LABEL_FORMATS  # numbers that are labels: years, ids


def filesize(n: int | None) -> str:
    """``1536`` -> ``"1.5 KB"`` (the engine's wording, so pages and its messages agree)."""
    return human_bytes(int(n or 0))


def number(value: Any) -> str:
    """Thousands separators; at most two decimals, none for whole numbers."""
    if isinstance(value, bool) or value is None:
        return "—" if value is None else str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return f"{int(value):,}"
        return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def cell(value: Any, format: str | None = None) -> str:
    """A table cell: a year or an id as written (2016, not 2,016); other numbers as ``number``."""
    if format in LABEL_FORMATS and isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value))
    return number(value)


def kpi_value(kpi: dict[str, Any]) -> str:
    """A KPI's value with its unit, in plain words: "35.06 %", "48 days", "81 / 100"."""
    value, unit = kpi.get("value"), kpi.get("unit") or ""
    if value is None:
        return "—"
    if kpi.get("format") in LABEL_FORMATS:
        return cell(value, kpi["format"])
    shown = number(value)
    if unit == "%":
        return f"{shown} %"
    if unit == "score":
        return f"{shown} / 100"
    if unit in ("", "currency"):
        return shown
    if unit == "days" and value == 1:
        return f"{shown} day"
    return f"{shown} {unit}"
