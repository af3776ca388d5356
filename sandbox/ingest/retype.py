"""Read columns of a stored dataset another way, without the original upload.

``data.parquet`` holds the typed values; ``raw.parquet`` (written by :mod:`.typed`) the raw
text of every column whose stored form is not its raw text, row for row, under the same
names. A text column without a raw copy is its own raw text; a natively typed column (Excel
numbers, Parquet dates) is re-read from its values' text. Only the overridden columns are
recomputed; the others are copied as they are.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

import duckdb

from ..errors import IngestError
from ..interpret import Interpretation, parse_override
from ..limits import Limits
from ..sql import ident, literal
from ..store import DatasetInfo, DatasetStore, get_dataset, write_json_atomic
from . import typed
from .describe import describe
from .sniff import too_many_columns


def parse_overrides(info_names: list[str], overrides: dict[str, str]) -> dict[str, Interpretation]:
    """Override specs by column name -> interpretations (``source="user"``)."""
    known = {n.lower(): n for n in info_names}
    out = {}
    for column, spec in (overrides or {}).items():
        name = known.get(str(column).strip().lower())
        if name is None:
            raise IngestError(
                f"There is no column named '{column}'. The columns are: "
                f"{', '.join(info_names[:30])}.",
                "bad_override",
            )
        out[name] = replace(parse_override(spec), source="user")
    return out


def misfit_warnings(con, decided: list[typed.Typed], forced: dict) -> list[str]:
    """A plain sentence for every overridden column whose values do not all fit."""
    out = []
    for d in decided:
        if d.part.name in forced and d.part.text and d.interp.type != "text":
            bad = typed.verify(con, d.part, d.interp)
            if bad:
                out.append(
                    f"In '{d.part.name}', some values do not fit {d.interp.spec()} (for example "
                    f"{str(bad[0])[:40]!r}); they are left empty."
                )
    return out


def retype(
    store: DatasetStore,
    owner_key: str,
    dataset_id: str,
    overrides: dict[str, str],
    limits: Limits | None = None,
) -> DatasetInfo:
    """Re-type the columns named in ``overrides`` (column -> spec); return the new info."""
    limits = limits or Limits()
    info = get_dataset(store, owner_key, dataset_id)
    names = [c.name for c in info.columns]
    forced = parse_overrides(names, overrides)
    if len(names) > limits.max_columns:
        raise too_many_columns(len(names), limits)
    folder = store.dataset_dir(owner_key, dataset_id)
    staging = store.staging_dir()
    try:
        con = typed_connection(staging, limits)
        try:
            decided = _rebuild(con, info, folder, forced)
            warnings = misfit_warnings(con, decided, forced)
            has_raw = typed.write(
                con, decided, str(staging / "data.parquet"), str(staging / "raw.parquet")
            )
            rows, columns, preview = describe(con, str(staging / "data.parquet"))
        finally:
            con.close()
        for col, d in zip(columns, decided, strict=True):
            col.interpretation = _with_nulls(d.interp, col.profile)
        old = [w for w in info.warnings if not any(w.startswith(f"In '{n}',") for n in forced)]
        info = replace(info, columns=columns, sample_rows=preview, warnings=old + warnings)
        os.replace(staging / "data.parquet", folder / "data.parquet")
        if has_raw:
            os.replace(staging / "raw.parquet", folder / "raw.parquet")
        else:
            (folder / "raw.parquet").unlink(missing_ok=True)
        write_json_atomic(folder / "meta.json", info.to_dict())
        return info
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def typed_connection(staging: Path, limits: Limits) -> duckdb.DuckDBPyConnection:
    spill = staging / "spill"
    spill.mkdir(exist_ok=True)
    return duckdb.connect(
        config={
            "memory_limit": f"{limits.duckdb_memory_bytes // (1024 * 1024)}MB",
            "threads": limits.threads,
            "temp_directory": str(spill),
        }
    )


def _rebuild(con, info: DatasetInfo, folder: Path, forced: dict) -> list[typed.Typed]:
    data = f"read_parquet({literal(str(folder / 'data.parquet'))})"
    raw_path = folder / "raw.parquet"
    raw_names: set[str] = set()
    if raw_path.exists():
        raw = f"read_parquet({literal(str(raw_path))})"
        raw_names = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {raw}").fetchall()}
    cols, raw_cols = [], []
    for i, c in enumerate(info.columns):
        cols.append(f"{ident(c.name)} AS d{i}")
        if c.name in raw_names:
            raw_cols.append(f"{ident(c.name)} AS r{i}")
        elif c.type != "text" and c.name in forced:
            cols.append(f"CAST({ident(c.name)} AS VARCHAR) AS r{i}")
    source = f"(SELECT {', '.join(cols)} FROM {data})"
    if raw_cols:
        source += f" POSITIONAL JOIN (SELECT {', '.join(raw_cols)} FROM {raw})"
    con.execute(f"CREATE OR REPLACE TABLE src AS SELECT * FROM {source}")
    present = {r[0] for r in con.execute("DESCRIBE src").fetchall()}
    decided = []
    for i, c in enumerate(info.columns):
        current = Interpretation.from_dict(c.interpretation or {"type": c.type})
        text = f"r{i}" if f"r{i}" in present else None
        if c.name not in forced:
            kept = typed.Part(c.name, text, f"d{i}")
            decided.append(typed.Typed(kept, current, f"d{i}", c.name in raw_names))
            continue
        if text is None:
            text = f"d{i}"  # a text column stored verbatim is its own raw text
            part = typed.Part(c.name, text)
        elif _has_native(con, text, f"d{i}"):
            part = typed.Part(c.name, text, f"d{i}", c.type)
        else:
            part = typed.Part(c.name, text)
        decided.append(typed.decide(part, forced[c.name]))
    return decided


def _has_native(con, text: str, native: str) -> bool:
    """Cells with a value but no raw text: typed by the file itself (Excel numbers)."""
    n = con.execute(f"SELECT count_if({text} IS NULL AND {native} IS NOT NULL) FROM src")
    return n.fetchone()[0] > 0


def _with_nulls(interp: Interpretation, profile: dict | None) -> dict:
    nulls = int((profile or {}).get("nulls", 0))
    return replace(interp, null_count=nulls).to_dict()
