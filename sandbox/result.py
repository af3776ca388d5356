"""Result JSON: the versioned schema every recipe returns, and a formula-safe CSV export.

Schema (``schema_version`` 1), all values plain JSON::

    {
      "schema_version": 1,
      "recipe": "pipeline_lens",          # recipe name
      "title": "Pipeline Lens",           # recipe title
      "rows": 1234,                       # input rows analysed
      "generated_at": "2024-05-01T12:00:00+00:00",
      "kpis":   [{"label": str, "value": number|str|null, "unit": str, "explanation": str,
                  "format": "year"|"id"}],          # "format" only when given
      "tables": [{"title": str, "columns": [str, ...], "rows": [[value, ...], ...],
                  "formats": {column: "year"|"id"}}],  # "formats" only when given
      "charts": [{"title": str, "type": "bar"|"line"|"doughnut"|"pie",
                  "labels": [str, ...],
                  "datasets": [{"label": str, "data": [number|null, ...]}]}],
      "notes":  [str, ...]                # caveats in plain words
    }

``unit`` is one of "" (plain number), "%", "days", "currency", "rows", "score" or a free
word. A chart maps one-to-one to a Chart.js config: ``{type, data: {labels, datasets}}``.

``format`` (a KPI) and ``formats`` (a table's columns) say that a number is a label, not a
quantity: "year" (2016) or "id" (an order number, a postcode). Show such a value as written,
``str(int(value))``, without thousands separators or decimals, and do not total it. A value
that is already a string (Data Doctor's profile gives the minimum, maximum and quartiles of
a year or id column as "2016") is shown as it is.
"""

from __future__ import annotations

import csv
import io
import math
from datetime import UTC, datetime
from typing import Any

from .ingest import json_safe

SCHEMA_VERSION = 1
CHART_TYPES = ("bar", "line", "doughnut", "pie")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def clean(value: Any, digits: int = 4) -> Any:
    """JSON-safe value; floats rounded so results stay readable and stable."""
    value = json_safe(value)
    if isinstance(value, float):
        return round(value, digits) if math.isfinite(value) else None
    return value


LABEL_FORMATS = ("year", "id")


def _label_format(name: str) -> str:
    if name not in LABEL_FORMATS:
        raise ValueError(f"unknown format {name!r}")
    return name


class ResultBuilder:
    """Collects KPIs, tables, charts and notes, then emits the schema above."""

    def __init__(self, recipe: str, title: str, rows: int) -> None:
        self.recipe, self.title, self.rows = recipe, title, rows
        self.kpis: list[dict[str, Any]] = []
        self.tables: list[dict[str, Any]] = []
        self.charts: list[dict[str, Any]] = []
        self.notes: list[str] = []

    def kpi(
        self,
        label: str,
        value: Any,
        unit: str = "",
        explanation: str = "",
        format: str | None = None,
    ) -> None:
        entry = {"label": label, "value": clean(value), "unit": unit, "explanation": explanation}
        if format:
            entry["format"] = _label_format(format)
        self.kpis.append(entry)

    def table(
        self,
        title: str,
        columns: list[str],
        rows: list[list[Any]] | list[tuple],
        formats: dict[str, str] | None = None,
    ) -> None:
        entry: dict[str, Any] = {
            "title": title,
            "columns": list(columns),
            "rows": [[clean(v) for v in row] for row in rows],
        }
        if formats:
            unknown = set(formats) - set(entry["columns"])
            if unknown:
                raise ValueError(f"formats for unknown columns {sorted(unknown)}")
            entry["formats"] = {c: _label_format(f) for c, f in formats.items()}
        self.tables.append(entry)

    def chart(
        self, title: str, type: str, labels: list[Any], datasets: list[tuple[str, list[Any]]]
    ) -> None:
        if type not in CHART_TYPES:
            raise ValueError(f"unknown chart type {type!r}")
        self.charts.append(
            {
                "title": title,
                "type": type,
                "labels": [str(clean(label)) for label in labels],
                "datasets": [
                    {"label": name, "data": [clean(v) for v in data]} for name, data in datasets
                ],
            }
        )

    def note(self, text: str) -> None:
        self.notes.append(text)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "recipe": self.recipe,
            "title": self.title,
            "rows": self.rows,
            "generated_at": datetime.now(UTC).isoformat(),
            "kpis": self.kpis,
            "tables": self.tables,
            "charts": self.charts,
            "notes": self.notes,
        }


def neutralise(value: Any) -> str:
    """Text for a CSV cell that a spreadsheet will not run as a formula."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # a negative number is data, not a formula
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def write_result_csv(result: dict[str, Any], table: int | None = None) -> str:
    """Export a result as CSV text: the KPIs, then every table (or only table number ``table``).

    Cells that start like a formula (= + - @ tab CR) get a leading apostrophe.
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    tables = result.get("tables", [])
    if table is None:
        writer.writerow(["KPI", "Value", "Unit", "Explanation"])
        for k in result.get("kpis", []):
            writer.writerow([neutralise(k[f]) for f in ("label", "value", "unit", "explanation")])
    else:
        tables = [tables[table]]
    for t in tables:
        if table is None:
            writer.writerow([])
            writer.writerow([neutralise(t["title"])])
        writer.writerow([neutralise(c) for c in t["columns"]])
        for row in t["rows"]:
            writer.writerow([neutralise(v) for v in row])
    return buf.getvalue()
