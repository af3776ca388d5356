"""Builds the ``data`` view a recipe reads: one typed column per field, values checked."""

from __future__ import annotations

from typing import Any

import duckdb

from .errors import DataProblem
from .recipes.base import Recipe
from .recipes.data_doctor import date_parse_sql
from .sql import ident

_SQL_TYPE = {"number": "DOUBLE", "date": "DATE", "text": "VARCHAR"}


def build_data_view(
    con: duckdb.DuckDBPyConnection,
    column_types: dict[str, str],
    recipe: Recipe,
    mapping: dict[str, str],
) -> None:
    """Create ``data`` from ``raw``; raise ``DataProblem`` naming bad rows.

    ``raw`` reads the stored Parquet file. A recipe with fields runs many queries over the
    few typed columns it mapped, so ``data`` is a table of just those, read and converted
    once; a recipe without fields reads ``raw`` itself and ``data`` is a plain view."""
    parts = []
    for f in recipe.fields:
        column = mapping.get(f.name)
        if column is None:
            parts.append(f"CAST(NULL AS {_SQL_TYPE[f.type]}) AS {ident(f.name)}")
            continue
        kind, qc = column_types[column], ident(column)
        if f.type == "number" and kind == "text":
            expr = f"TRY_CAST(regexp_replace(trim({qc}), '[\\s$€£¥,]', '', 'g') AS DOUBLE)"
            _check(con, column, expr, "has text in {n} rows")
        elif f.type == "number":
            expr = f"CAST({qc} AS DOUBLE)"
        elif f.type == "date" and kind == "text":
            expr = date_parse_sql(f"trim({qc})")
            _check(con, column, expr, "has {n} values that are not dates")
        elif f.type == "date":
            expr = f"CAST({qc} AS DATE)"
        else:
            expr = f"CAST({qc} AS VARCHAR)"
        parts.append(f"{expr} AS {ident(f.name)}")
    if parts:
        con.execute(f"CREATE TABLE data AS SELECT {', '.join(parts)} FROM raw")
    else:
        con.execute("CREATE VIEW data AS SELECT * FROM raw")


def _check(con: duckdb.DuckDBPyConnection, column: str, expr: str, what: str) -> None:
    qc = ident(column)
    n, row, example = con.execute(
        f"SELECT count(*), min(row_number), arg_min({qc}, row_number) FROM raw_numbered "
        f"WHERE nullif(trim({qc}), '') IS NOT NULL AND ({expr}) IS NULL"
    ).fetchone()
    if n:
        raise DataProblem(
            f"Column '{column}' {what.format(n=f'{n:,}')}, for example row {row}: "
            f"{_show(example)}. Map another column or fix the file."
        )


def _show(value: Any) -> str:
    text = str(value)
    return repr(text[:40] + ("..." if len(text) > 40 else ""))
