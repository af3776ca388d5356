"""Columns of Python cell values (Excel, JSON) -> a DuckDB relation ``src`` of parts.

Each column is split into its text cells (``t<i>``, read like CSV text by :mod:`.typed`) and
its natively typed cells (``n<i>``: numbers, dates, booleans as the file stored them).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import duckdb

from .typed import Part


def native_kind(values: list[Any]) -> str | None:
    """The user type shared by all non-text cells, "mixed" if they disagree, None if none."""
    kinds = set()
    for v in values:
        if v is None or isinstance(v, str):
            continue
        if isinstance(v, bool):
            kinds.add("boolean")
        elif isinstance(v, int):
            kinds.add("integer")
        elif isinstance(v, float | Decimal):
            kinds.add("decimal")
        elif isinstance(v, dt.datetime):
            kinds.add("date" if v.time() == dt.time(0) else "datetime")
        elif isinstance(v, dt.date):
            kinds.add("date")
        else:
            kinds.add("mixed")
    if not kinds:
        return None
    if kinds <= {"integer", "decimal"}:
        return "decimal" if "decimal" in kinds else "integer"
    if kinds <= {"date", "datetime"}:
        return "datetime" if "datetime" in kinds else "date"
    return kinds.pop() if len(kinds) == 1 else "mixed"


def as_text(value: Any) -> str:
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def register_columns(
    con: duckdb.DuckDBPyConnection, names: list[str], columns: list[list[Any]]
) -> list[Part]:
    """Register ``src`` built from ``columns`` (lists of cell values); return the parts."""
    import pyarrow as pa

    arrays, fields, parts = [], [], []
    for i, (name, values) in enumerate(zip(names, columns, strict=True)):
        kind = native_kind(values)
        if kind == "integer" and any(
            isinstance(v, int) and not -(2**63) <= v < 2**63 for v in values
        ):
            kind = "decimal"
        if kind == "mixed":
            kind = None  # cells of several kinds: read them all as text
        text = [
            None
            if v is None or v == ""
            else (v if isinstance(v, str) else as_text(v))
            if kind is None or isinstance(v, str)
            else None
            for v in values
        ]
        part = Part(name=name)
        if any(v is not None for v in text) or kind is None:
            arrays.append(pa.array(text, pa.string()))
            fields.append(f"t{i}")
            part.text = f"t{i}"
        if kind is not None:
            native = [None if isinstance(v, str) else v for v in values]
            arrays.append(_native_array(native, kind))
            fields.append(f"n{i}")
            part.native, part.native_type = f"n{i}", kind
        parts.append(part)
    table = pa.Table.from_arrays(arrays, names=fields) if arrays else pa.table({})
    con.register("src_arrow", table)
    con.execute("CREATE OR REPLACE TABLE src AS SELECT * FROM src_arrow")
    con.unregister("src_arrow")
    return parts


def _native_array(values: list[Any], kind: str):
    import pyarrow as pa

    if kind == "integer":
        return pa.array(values, pa.int64())
    if kind == "decimal":
        return pa.array([None if v is None else float(v) for v in values], pa.float64())
    if kind == "boolean":
        return pa.array(values, pa.bool_())
    if kind == "date":
        return pa.array(
            [v.date() if isinstance(v, dt.datetime) else v for v in values], pa.date32()
        )
    return pa.array(
        [v.replace(tzinfo=None) if isinstance(v, dt.datetime) else v for v in values],
        pa.timestamp("us"),
    )
