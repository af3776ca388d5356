"""Shared helpers for the interpretation tests: run the SQL in a real DuckDB."""

from __future__ import annotations

from datetime import date

import duckdb

from sandbox.interpret import Interpretation, cast_sql, invalid_sql, null_sql

TODAY = date(2026, 12, 1)


def run_sql(values: list[str | None], interp: Interpretation) -> list[tuple]:
    """(typed value, invalid?, null?) per raw value, computed by DuckDB."""
    con = duckdb.connect()
    try:
        return con.execute(
            f"SELECT {cast_sql('v', interp)}, {invalid_sql('v', interp)}, "
            f"{null_sql('v', interp)} FROM (SELECT unnest($1::VARCHAR[]) AS v, "
            "generate_subscripts($1::VARCHAR[], 1) AS i) ORDER BY i",
            [values],
        ).fetchall()
    finally:
        con.close()


def typed(values: list[str | None], interp: Interpretation) -> list:
    return [row[0] for row in run_sql(values, interp)]


def invalid(values: list[str | None], interp: Interpretation) -> list[str | None]:
    return [v for v, row in zip(values, run_sql(values, interp), strict=True) if row[1]]
