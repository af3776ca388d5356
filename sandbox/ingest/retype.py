"""Read columns of a stored dataset another way, without the original upload.

``data.parquet`` holds the typed values and, hidden, the raw text of every column whose
stored form is not its raw text (see :mod:`.typed`). A text column without a raw copy is its
own raw text; a natively typed column (Excel numbers, Parquet dates) is re-read from its
values' text. Only the overridden columns are recomputed; the others are copied as they are.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import duckdb

from ..errors import IngestError
from ..interpret import Interpretation, parse_override
from ..limits import Limits
from ..sql import literal
from ..store import DatasetInfo
from . import typed
from .describe import describe


def parse_overrides(names: list[str], overrides: dict[str, str]) -> dict[str, Interpretation]:
    """Override specs by column name -> interpretations (``source="user"``)."""
    known = {n.lower(): n for n in names}
    out = {}
    for column, spec in (overrides or {}).items():
        name = known.get(str(column).strip().lower())
        if name is None:
            raise IngestError(
                f"There is no column named '{column}'. The columns are: {', '.join(names[:30])}.",
                "bad_override",
            )
        out[name] = replace(parse_override(spec), source="user")
    return out


def misfit_warnings(con, decided: list[typed.Typed], data: Path, forced) -> list[str]:
    """A plain sentence for every overridden column whose values do not all fit."""
    found = typed.written_misfits(con, decided, data, only=set(forced))
    out = []
    for d in decided:
        if d.part.name in found:
            example = str(found[d.part.name][0])[:40]
            out.append(
                f"In '{d.part.name}', some values do not fit {d.interp.spec()} (for example "
                f"{example!r}); they are left empty."
            )
    return out


def connect(staging: Path, limits: Limits) -> duckdb.DuckDBPyConnection:
    spill = staging / "spill"
    spill.mkdir(exist_ok=True)
    con = duckdb.connect(
        config={
            "memory_limit": f"{limits.duckdb_memory_bytes // (1024 * 1024)}MB",
            "threads": limits.threads,
            "temp_directory": str(spill),
        }
    )
    con.execute("SET enable_progress_bar = false")
    return con


def finish(decided: list[typed.Typed], columns) -> None:
    """Put each column's interpretation (with its counted nulls) into its ``Column``."""
    for col, d in zip(columns, decided, strict=True):
        nulls = int((col.profile or {}).get("nulls", 0))
        col.interpretation = replace(d.interp, null_count=nulls).to_dict()


def retype_data(
    info: DatasetInfo, overrides: dict[str, str], data: Path, staging: Path, limits: Limits
) -> DatasetInfo:
    """Re-type the columns named in ``overrides`` (column -> spec) of ``data`` in place;
    return the new info. Runs in the sandbox child (see :mod:`.job`)."""
    forced = parse_overrides([c.name for c in info.columns], overrides)
    con = connect(staging, limits)
    try:
        decided = typed.rewrite(con, _stored(con, info, data), forced, data, staging)
        warnings = misfit_warnings(con, decided, data, forced)
        rows, columns, preview = describe(con, str(data))
    finally:
        con.close()
    finish(decided, columns)
    old = [w for w in info.warnings if not any(w.startswith(f"In '{n}',") for n in forced)]
    return replace(info, columns=columns, sample_rows=preview, warnings=old + warnings)


def _stored(con, info: DatasetInfo, data: Path) -> list[typed.Typed]:
    """The dataset's columns as decisions: what is stored where."""
    rel = f"read_parquet({literal(str(data))})"
    names = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {rel}").fetchall()}
    compact = {n[len(typed.SAME) :] for n in names if n.startswith(typed.SAME)}
    shadowed = {n[len(typed.RAW) :] for n in names if n.startswith(typed.RAW)} | compact
    natives = _with_natives(con, info, data, shadowed, compact)
    out = []
    for c in info.columns:
        interp = Interpretation.from_dict(c.interpretation or {"type": c.type})
        typed_native = c.name not in shadowed and c.type != "text"
        native = "native" if c.name in natives or typed_native else None
        part = typed.Part(c.name, "text" if c.name in shadowed else None, native, c.type)
        out.append(typed.Typed(part, interp, "", c.name in shadowed, c.name in compact))
    return out


def _with_natives(
    con, info: DatasetInfo, data: Path, shadowed: set[str], compact: set[str]
) -> set[str]:
    """Shadowed columns with cells that have a value but no raw text (Excel numbers)."""
    names = [c.name for c in info.columns if c.name in shadowed]
    if not names:
        return set()
    decided = [
        typed.Typed(
            typed.Part(c.name),
            Interpretation.from_dict(c.interpretation or {"type": c.type}),
            "",
            c.name in shadowed,
            c.name in compact,
        )
        for c in info.columns
    ]
    index = {c.name: i for i, c in enumerate(info.columns)}
    exprs = [f"count_if(r{index[n]} IS NULL AND d{index[n]} IS NOT NULL)" for n in names]
    counts = con.execute(
        f"SELECT {', '.join(exprs)} FROM {typed.files_relation(data, decided)}"
    ).fetchone()
    return {n for n, k in zip(names, counts, strict=True) if k}
