"""Give every column its type: infer from a sample, verify over all rows, write the files.

A reader hands over a DuckDB relation ``src`` whose columns hold, per table column, the raw
text cells (``t<i>``, VARCHAR) and for spreadsheets and JSON the natively typed cells
(``n<i>``). For each column with text cells:

1. infer an interpretation (:func:`sandbox.interpret.infer_columns`) from a sample of up to
   ``SAMPLE_ROWS`` rows spread over the whole file (a reservoir sample, not the head);
2. verify it over ALL rows: one aggregate query counts, for every column at once, the values
   that are present but do not fit (:func:`sandbox.interpret.invalid_sql`);
3. a column with misfits is inferred again with (up to ``MISFIT_EXAMPLES``) misfit values
   added to its sample, at most ``RETRIES`` times; if values still do not fit it stays text.

Natively typed cells keep their type (``source="native"``); text cells in the same column are
read like CSV text and merged in (Excel exports hold "248.561,77" strings beside numbers).

Storage (see :mod:`sandbox.ingest.retype`): ``data.parquet`` holds the typed columns, the
file recipes read. ``raw.parquet`` holds, row for row, the raw text of every column whose
stored values are not its raw text verbatim (typed text columns, text columns whose null
tokens became NULL), under the same column names, so ``retype`` can read a column another way
without the upload. A text column stored verbatim needs no copy: it is its own raw text.
Measured on the 1M-row benchmark file (three typed text columns, 25 MB data.parquet): the
raw copy adds 8 MB and about 0.15 s; rebuilding raw text by formatting the typed values
instead is not exact ("1.50" -> 1.5, " 12" -> 12, "3/4/24" -> 2024-04-03), and a wrong
reading (the case re-typing is for) is exactly when it loses what the user needs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import duckdb

from ..interpret import Interpretation, cast_sql, infer_columns, invalid_sql, stored_type
from ..sql import ident, literal

SAMPLE_ROWS = 20_000
RETRIES = 3
MISFIT_EXAMPLES = 200
_NUMBERS = ("integer", "decimal")
_MOMENTS = ("date", "datetime")


@dataclass
class Part:
    """One table column as the reader found it."""

    name: str
    text: str | None = None  # column of src with the raw text cells
    native: str | None = None  # column of src with natively typed cells
    native_type: str | None = None  # their user type (integer, decimal, date, ...)


@dataclass
class Typed:
    """The decision for one column: how it is stored and where its raw text lives."""

    part: Part
    interp: Interpretation
    expr: str  # SQL over src giving the stored value
    shadow: bool  # raw.parquet keeps the raw text of this column


def infer_and_verify(
    con: duckdb.DuckDBPyConnection,
    parts: list[Part],
    *,
    today: date | None = None,
    forced: dict[str, Interpretation] | None = None,
) -> list[Typed]:
    """Choose every column's interpretation (``forced`` ones are taken as given)."""
    today = today or date.today()
    forced = forced or {}
    sample = _sample(con, [p for p in parts if p.text])
    interps: dict[str, Interpretation] = {}
    todo = {p.name: p for p in parts if p.text and p.name not in forced}
    extra: dict[str, list[str]] = {}
    for attempt in range(RETRIES + 1):
        if todo:
            values = {n: sample[n] + extra.get(n, []) for n in todo}
            found = infer_columns(values, today=today)
            interps.update({n: found[n] for n in todo})
        misfits = _misfits(con, [(todo[n], interps[n]) for n in todo])
        if not misfits:
            break
        todo = {n: todo[n] for n in misfits}
        if attempt == RETRIES:
            for name, examples in misfits.items():
                interps[name] = _as_text(interps[name], examples)
            break
        for name, examples in misfits.items():
            extra[name] = extra.get(name, []) + examples
    decided = []
    for p in parts:
        interp = forced.get(p.name) or interps.get(p.name) or _native(p)
        decided.append(decide(p, interp))
    return decided


def verify(con: duckdb.DuckDBPyConnection, part: Part, interp: Interpretation) -> list[str]:
    """Misfit examples of ``interp`` over all rows of ``part`` (empty: every value fits)."""
    return _misfits(con, [(part, interp)]).get(part.name, [])


def _sample(con: duckdb.DuckDBPyConnection, parts: list[Part]) -> dict[str, list[str | None]]:
    if not parts:
        return {}
    cols = ", ".join(ident(p.text) for p in parts)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE sample AS SELECT {cols} FROM src "
        f"USING SAMPLE reservoir({SAMPLE_ROWS} ROWS) REPEATABLE (7)"
    )
    rows = con.execute(f"SELECT {cols} FROM sample").fetchall()
    return {p.name: [r[i] for r in rows] for i, p in enumerate(parts)}


def _misfits(
    con: duckdb.DuckDBPyConnection, checks: list[tuple[Part, Interpretation]]
) -> dict[str, list[str]]:
    """One pass over all rows counting misfits of every column; examples for those that fail."""
    checks = [(p, i) for p, i in checks if i.type != "text"]
    if not checks:
        return {}
    exprs = [f"count_if({invalid_sql(ident(p.text), i)})" for p, i in checks]
    counts = con.execute(f"SELECT {', '.join(exprs)} FROM src").fetchone()
    failing: dict[str, list[str]] = {}
    for (part, interp), n in zip(checks, counts, strict=True):
        if n:
            rows = con.execute(
                f"SELECT DISTINCT {ident(part.text)} FROM src "
                f"WHERE {invalid_sql(ident(part.text), interp)} LIMIT {MISFIT_EXAMPLES}"
            ).fetchall()
            failing[part.name] = [r[0] for r in rows]
    return failing


def _as_text(interp: Interpretation, examples: list[str]) -> Interpretation:
    shown = ", ".join(repr(str(v)[:30]) for v in examples[:3])
    return Interpretation(
        type="text",
        nulls=interp.nulls,
        reason=(
            f"Some values do not fit any number or date reading (for example {shown}), "
            "so we kept the column as text."
        ),
        alternatives=(interp.spec(),) if interp.type != "text" else (),
    )


def _native(part: Part) -> Interpretation:
    kind = part.native_type or "text"
    what = {"integer": "whole numbers", "decimal": "numbers", "date": "dates"}.get(kind, kind)
    return Interpretation(
        type=kind,
        source="native",
        reason=f"The file itself stores these values as {what}.",
    )


def decide(part: Part, interp: Interpretation) -> Typed:
    """The stored SQL expression for one column (text cells and native cells merged)."""
    if part.text is None:
        target = stored_type(interp)
        return Typed(part, interp, f"CAST({ident(part.native)} AS {target})", False)
    text = ident(part.text)
    if interp.type == "text" and not interp.nulls:
        cast = text
    else:
        cast = cast_sql(text, interp)
    shadow = cast != text
    if part.native is None:
        return Typed(part, interp, cast, shadow)
    native = ident(part.native)
    kind = _merged_type(part.native_type or "text", interp.type)
    if kind == "text":
        expr = f"coalesce({text}, CAST({native} AS VARCHAR))"
        interp = replace(interp, type="text", reason=interp.reason or "Mixed values.")
        return Typed(part, interp, expr, False)
    target = stored_type(replace(interp, type=kind))
    merged = replace(interp, type=kind) if kind != interp.type else interp
    # Text first: where a row has text, its reading decides (also when it does not fit).
    expr = f"CASE WHEN {text} IS NULL THEN CAST({native} AS {target}) ELSE CAST({cast} AS {target}) END"
    return Typed(part, merged, expr, True)


def _merged_type(native: str, text: str) -> str:
    if native == text:
        return native
    if native in _NUMBERS and text in _NUMBERS:
        return "decimal"
    if native in _MOMENTS and text in _MOMENTS:
        return "datetime" if "datetime" in (native, text) else "date"
    return "text"


def write(
    con: duckdb.DuckDBPyConnection, decided: list[Typed], data_path: str, raw_path: str
) -> bool:
    """Write data.parquet (and raw.parquet when a column needs its raw text); True if raw."""
    select = ", ".join(f"{d.expr} AS {ident(d.part.name)}" for d in decided)
    con.execute(
        f"COPY (SELECT {select} FROM src) TO {literal(data_path)} (FORMAT parquet)"
    )
    shadows = [d for d in decided if d.shadow]
    if not shadows:
        return False
    raw = ", ".join(f"{ident(d.part.text)} AS {ident(d.part.name)}" for d in shadows)
    con.execute(f"COPY (SELECT {raw} FROM src) TO {literal(raw_path)} (FORMAT parquet)")
    return True
