"""Small display helpers for trial pages (registered as template filters by the blueprint)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def human_bytes(n: int | None) -> str:
    """``1536`` -> ``"1.5 KB"``."""
    n = int(n or 0)
    for unit, size in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= size:
            value = n / size
            return (
                f"{value:.0f} {unit}"
                if value >= 100 or value == int(value)
                else f"{value:.1f} {unit}"
            )
    return f"{n} bytes"


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


def kpi_value(kpi: dict[str, Any]) -> str:
    """A KPI's value with its unit, in plain words: "35.06 %", "48 days", "81 / 100"."""
    value, unit = kpi.get("value"), kpi.get("unit") or ""
    if value is None:
        return "—"
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


def expires_in(moment: datetime | None) -> str:
    """'in 3 days', 'in 5 hours', 'in 12 minutes' or 'now'."""
    if moment is None:
        return "never"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    seconds = int((moment - datetime.now(UTC)).total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = seconds // size
            return f"in {n} {unit}{'s' if n != 1 else ''}"
    return "now"
