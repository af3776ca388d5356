"""Builds the ``data`` view a recipe reads: one typed column per field, values checked.

A text column mapped to a number or date field is cast through a reading of its text
(:mod:`sandbox.interpret`): the column's own interpretation when it is a number/date one, else
the readings ingest found nearly fitting (``alternatives``) and, for dates, one inferred from
a sample of the column; the reading with the fewest misfits over all rows wins, so European
numbers ("1.234,50") and day-first dates work and null tokens ("n/a") are empty. Datasets
stored before interpretations existed keep the old pattern-based conversion.
"""

from __future__ import annotations

from typing import Any

import duckdb

from .errors import DataProblem, IngestError
from .ingest.fast import fast_cast, fast_invalid
from .interpret import Interpretation, infer_columns, parse_override
from .recipes.base import Recipe
from .recipes.data_doctor import date_parse_sql
from .sql import ident

_SQL_TYPE = {"number": "DOUBLE", "date": "DATE", "text": "VARCHAR"}
_KINDS = {"number": ("integer", "decimal"), "date": ("date", "datetime")}
_NUMBER_GUESSES = (
    Interpretation(type="decimal", decimal=".", thousands=","),
    Interpretation(type="decimal", decimal=",", thousands="."),
)


def build_data_view(
    con: duckdb.DuckDBPyConnection,
    column_types: dict[str, str],
    recipe: Recipe,
    mapping: dict[str, str],
    columns: list[dict[str, Any]] | None = None,
) -> None:
    """Create ``data`` from ``raw``; raise ``DataProblem`` naming bad rows.

    ``raw`` reads the stored Parquet file. A recipe with fields runs many queries over the
    few typed columns it mapped, so ``data`` is a table of just those, read and converted
    once; a recipe without fields reads ``raw`` itself and ``data`` is a plain view.
    ``columns`` (the dataset's column dicts) carry the interpretations."""
    by_name = {c["name"]: c for c in columns or []}
    parts = []
    for f in recipe.fields:
        column = mapping.get(f.name)
        if column is None:
            parts.append(f"CAST(NULL AS {_SQL_TYPE[f.type]}) AS {ident(f.name)}")
            continue
        kind, qc = column_types[column], ident(column)
        if f.type in _KINDS and kind == "text":
            expr = _text_cast(con, column, f.type, by_name.get(column, {}).get("interpretation"))
        elif f.type == "number":
            expr = f"CAST({qc} AS DOUBLE)"
        elif f.type == "date":
            expr = f"CAST({qc} AS DATE)"
        else:
            expr = f"CAST({qc} AS VARCHAR)"
        parts.append(f"{expr} AS {ident(f.name)}")
    if parts:
        con.execute(f"CREATE TABLE data AS SELECT {', '.join(parts)} FROM raw")
    else:
        con.execute("CREATE VIEW data AS SELECT * FROM raw")


def _text_cast(con, column: str, field_type: str, interpretation: dict | None) -> str:
    qc = ident(column)
    what = "has text in {n} rows" if field_type == "number" else "has {n} values that are not dates"
    if interpretation is None:  # a dataset stored before interpretations existed
        if field_type == "number":
            expr = f"TRY_CAST(regexp_replace(trim({qc}), '[\\s$€£¥,]', '', 'g') AS DOUBLE)"
        else:
            expr = date_parse_sql(f"trim({qc})")
        _check(con, column, f"nullif(trim({qc}), '') IS NOT NULL AND ({expr}) IS NULL", what)
        return expr
    readings = _readings(con, column, field_type, Interpretation.from_dict(interpretation))
    if not readings:  # nothing fits; an all-empty column passes the check and stays empty
        _check(con, column, f"nullif(trim({qc}), '') IS NOT NULL", what)
        return f"CAST(NULL AS {_SQL_TYPE[field_type]})"
    counts = con.execute(
        "SELECT " + ", ".join(f"count_if({fast_invalid(qc, r)})" for r in readings) + " FROM raw"
    ).fetchone()
    best = readings[min(range(len(readings)), key=lambda i: counts[i])]
    cast = fast_cast(qc, best)
    _check(con, column, fast_invalid(qc, best), what)
    return f"CAST({cast} AS {_SQL_TYPE[field_type]})"


def _readings(con, column: str, field_type: str, own: Interpretation) -> list[Interpretation]:
    kinds = _KINDS[field_type]
    found = [own] if own.type in kinds else []
    for spec in own.alternatives:
        try:
            alt = parse_override(spec)
        except IngestError:
            continue
        if alt.type in kinds:
            found.append(_with_nulls(alt, own))
    values = [
        r[0]
        for r in con.execute(
            f"SELECT {ident(column)} FROM raw USING SAMPLE reservoir(5000 ROWS) REPEATABLE (7)"
        ).fetchall()
    ]
    guess = infer_columns({column: values}, today=_today())[column]
    if guess.type in kinds:
        found.append(guess)
    if field_type == "number":
        found += [_with_nulls(g, own) for g in _NUMBER_GUESSES]
    return found


def _with_nulls(interp: Interpretation, own: Interpretation) -> Interpretation:
    from dataclasses import replace

    return replace(interp, nulls=tuple(dict.fromkeys(interp.nulls + own.nulls)))


def _today():
    from datetime import date

    return date.today()


def _check(con: duckdb.DuckDBPyConnection, column: str, bad: str, what: str) -> None:
    qc = ident(column)
    n, row, example = con.execute(
        f"SELECT count(*), min(row_number), arg_min({qc}, row_number) FROM raw_numbered WHERE {bad}"
    ).fetchone()
    if n:
        raise DataProblem(
            f"Column '{column}' {what.format(n=f'{n:,}')}, for example row {row}: "
            f"{_show(example)}. Map another column or fix the file."
        )


def _show(value: Any) -> str:
    text = str(value)
    return repr(text[:40] + ("..." if len(text) > 40 else ""))
