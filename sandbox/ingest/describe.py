"""Describe the stored dataset: rows, column types, value profiles and the preview rows.

The profile (keys in CONTRACT.md) comes from one aggregate pass over ``data.parquet`` plus a
reservoir sample of up to ``PROFILE_SAMPLE`` rows: small files are profiled exactly from the
sample (it is the whole file); on big files ``distinct`` is DuckDB's HyperLogLog estimate, the
top values are the sample's most common ones with their exact counts from the pass, and
``repeats`` is exact (a repeat seen in the sample, a clearly lower distinct estimate, or an
exact distinct count for the columns that look unique).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from decimal import Decimal
from typing import Any

import duckdb

from ..sql import ident, literal
from ..store import Column

PREVIEW_ROWS = 20
PROFILE_SAMPLE = 20_000
TOP = 20
EXAMPLES = 50
CUT = 200

_INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER"}
STORED = {
    "integer": "BIGINT",
    "decimal": "DOUBLE",
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "boolean": "BOOLEAN",
    "text": "VARCHAR",
}


def user_type(duck_type: str) -> str:
    t = duck_type.upper()
    if t in _INTEGER_TYPES:
        return "integer"
    if t in ("FLOAT", "DOUBLE", "UBIGINT", "HUGEINT", "UHUGEINT") or t.startswith("DECIMAL"):
        return "decimal"
    if t == "DATE":
        return "date"
    if t.startswith("TIMESTAMP"):
        return "datetime"
    if t == "BOOLEAN":
        return "boolean"
    return "text"


def json_safe(value: Any) -> Any:
    """Convert a database value to something ``json.dumps`` accepts."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        text = str(value)
    elif isinstance(value, dt.datetime) and value.time() == dt.time(0):
        text = value.isoformat(sep=" ")
    elif isinstance(value, dt.date | dt.datetime | dt.time):
        text = value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    elif isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = str(value)
    return text[:CUT]


def _sql_value(value: Any, duck_type: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(float(value)) if isinstance(value, float) else str(value)
    if isinstance(value, dt.datetime):
        return f"TIMESTAMP {literal(value.isoformat(sep=' '))}"
    if isinstance(value, dt.date):
        return f"DATE {literal(value.isoformat())}"
    return f"CAST({literal(str(value))} AS {duck_type})"


def describe(
    con: duckdb.DuckDBPyConnection, data_path: str
) -> tuple[int, list[Column], list[list[Any]]]:
    """Rows, columns (type and profile; interpretations are added by the caller), preview."""
    rel = f"read_parquet({literal(data_path)})"
    schema = [(r[0], r[1]) for r in con.execute(f"DESCRIBE SELECT * FROM {rel}").fetchall()]
    rows = con.execute(f"SELECT count(*) FROM {rel}").fetchone()[0]
    preview = con.execute(f"SELECT * FROM {rel} LIMIT {PREVIEW_ROWS}").fetchall()
    columns = [Column(name=n, type=user_type(t)) for n, t in schema]
    if rows and schema:
        profiles = _profiles(con, rel, schema, rows)
        for col, prof in zip(columns, profiles, strict=True):
            col.profile = prof
    return rows, columns, [[json_safe(v) for v in row] for row in preview]


def _profiles(con, rel: str, schema: list[tuple[str, str]], rows: int) -> list[dict[str, Any]]:
    whole = rows <= PROFILE_SAMPLE
    if whole:
        sample = con.execute(f"SELECT * FROM {rel}").fetchall()
    else:
        sample = con.execute(
            f"SELECT * FROM {rel} USING SAMPLE reservoir({PROFILE_SAMPLE} ROWS) REPEATABLE (7)"
        ).fetchall()
    counters = [Counter(r[i] for r in sample if r[i] is not None) for i in range(len(schema))]
    exprs: list[str] = []
    tops: list[list[Any]] = []
    for (name, duck_type), counts in zip(schema, counters, strict=True):
        q = ident(name)
        exprs += [f"count({q})", f"approx_count_distinct({q})"]
        exprs += [f"CAST(min({q}) AS VARCHAR)", f"CAST(max({q}) AS VARCHAR)"]
        top = [v for v, n in counts.most_common(TOP) if whole or n > 1]
        tops.append(top)
        if not whole:
            exprs += [f"count_if({q} = {_sql_value(v, duck_type)})" for v in top]
    values = con.execute(f"SELECT {', '.join(exprs)} FROM {rel}").fetchone()
    out, pos, unsure = [], 0, []
    for i, counts in enumerate(counters):
        filled, approx, low, high = values[pos : pos + 4]
        pos += 4
        if whole:
            top_counts = [(v, counts[v]) for v in tops[i]]
        else:
            top_counts = list(zip(tops[i], values[pos : pos + len(tops[i])], strict=True))
            pos += len(tops[i])
            top_counts.sort(key=lambda vc: -vc[1])
        distinct = len(counts) if whole else int(approx)
        seen_repeat = any(n > 1 for n in counts.values())
        repeats = seen_repeat or (not whole and approx < 0.95 * filled)
        if not whole and not repeats and filled:
            unsure.append(i)
        out.append(
            {
                "distinct": distinct,
                "nulls": rows - filled,
                "top": [[_text(v), int(n)] for v, n in top_counts],
                "examples": [_text(v) for v in list(counts)[:EXAMPLES]],
                "min": low[:CUT] if low is not None else None,
                "max": high[:CUT] if high is not None else None,
                "repeats": bool(repeats),
            }
        )
    if unsure:
        names = [ident(schema[i][0]) for i in unsure]
        exact = con.execute(
            f"SELECT {', '.join(f'count(DISTINCT {q})' for q in names)} FROM {rel}"
        ).fetchone()
        for i, n in zip(unsure, exact, strict=True):
            out[i]["distinct"] = int(n)
            out[i]["repeats"] = n < rows - out[i]["nulls"]
    return out
