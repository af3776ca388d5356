"""Parquet uploads: typed columns stay typed; text columns are read like CSV text."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ..errors import IngestError
from ..limits import Limits
from ..sql import ident, literal
from .describe import user_type
from .sniff import clean_names, too_many_columns, too_many_rows
from .typed import Part


def read_parquet_source(con: duckdb.DuckDBPyConnection, path: Path, limits: Limits) -> list[Part]:
    try:
        count = con.execute(
            "SELECT max(num_rows) FROM parquet_file_metadata($p)", {"p": str(path)}
        ).fetchone()[0]
        schema = con.execute("DESCRIBE SELECT * FROM read_parquet($p)", {"p": str(path)})
        schema = [(r[0], r[1]) for r in schema.fetchall()]
    except duckdb.Error:
        raise IngestError(
            "This Parquet file is damaged or incomplete. Export it again.", "not_tabular"
        ) from None
    if len(schema) > limits.max_columns:
        raise too_many_columns(len(schema), limits)
    if (count or 0) > limits.max_rows:
        raise too_many_rows(limits)
    parts, select = [], []
    for i, ((src_name, duck_type), name) in enumerate(
        zip(schema, clean_names([n for n, _ in schema]), strict=True)
    ):
        kind = user_type(duck_type)
        if kind == "text":
            select.append(f"CAST({ident(src_name)} AS VARCHAR) AS t{i}")
            parts.append(Part(name=name, text=f"t{i}"))
        else:
            select.append(f"{ident(src_name)} AS n{i}")
            parts.append(Part(name=name, native=f"n{i}", native_type=kind))
    try:
        con.execute(
            f"CREATE OR REPLACE VIEW src AS SELECT {', '.join(select)} "
            f"FROM read_parquet({literal(str(path))})"
        )
        con.execute("SELECT count(*) FROM src").fetchone()
    except duckdb.Error:
        raise IngestError(
            "This Parquet file is damaged or uses features we cannot read. Export it again.",
            "not_tabular",
        ) from None
    return parts
