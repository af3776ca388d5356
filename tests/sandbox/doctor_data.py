"""Run Data Doctor in-process on a hand-built dataset: a Parquet file read through the same
``raw`` and ``raw_numbered`` views the sandbox child creates, with hand-written column
interpretations and ingest notes (as ``sandbox.store.Column`` / ``DatasetInfo`` carry them)."""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from sandbox.recipes.base import RunContext
from sandbox.recipes.data_doctor import DataDoctor
from sandbox.sql import literal

TODAY = date(2026, 12, 1)
_ARROW = {
    "text": pa.string(),
    "integer": pa.int64(),
    "decimal": pa.float64(),
    "date": pa.date32(),
    "datetime": pa.timestamp("us"),
    "boolean": pa.bool_(),
}


def run_doctor(
    tmp_path,
    data: dict[str, list[Any]],
    types: dict[str, str],
    *,
    interpretations: dict[str, dict] | None = None,
    notes: list[dict] | None = None,
    today: date = TODAY,
) -> dict[str, Any]:
    """``data`` maps each column to its values (None = empty), ``types`` to its type."""
    path = tmp_path / "data.parquet"
    table = pa.table({n: pa.array(v, type=_ARROW[types[n]]) for n, v in data.items()})
    pq.write_table(table, path)
    con = duckdb.connect()
    con.execute(f"CREATE VIEW raw AS SELECT * FROM read_parquet({literal(str(path))})")
    con.execute(
        "CREATE VIEW raw_numbered AS SELECT *, file_row_number + 1 AS row_number "
        f"FROM read_parquet({literal(str(path))}, file_row_number = true)"
    )
    interpretations = interpretations or {}
    columns = [
        {"name": n, "type": types[n], "interpretation": interpretations.get(n), "profile": None}
        for n in data
    ]
    rows = len(next(iter(data.values())))
    ctx = RunContext(
        con=con,
        rows=rows,
        mapping={},
        params={},
        columns=columns,
        notes=notes or [],
        extra={"today": today},
    )
    return DataDoctor().run(ctx)


def table(result: dict[str, Any], title: str) -> list[dict[str, Any]]:
    found = next(t for t in result["tables"] if t["title"] == title)
    return [dict(zip(found["columns"], row, strict=True)) for row in found["rows"]]


def findings(result: dict[str, Any], check: str | None = None) -> list[dict[str, Any]]:
    rows = table(result, "Findings")
    return [r for r in rows if check is None or r["Check"] == check]


def kpi(result: dict[str, Any], label: str) -> Any:
    return next(k["value"] for k in result["kpis"] if k["label"] == label)
