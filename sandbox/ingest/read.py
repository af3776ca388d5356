"""Read a staged file into ``data.parquet`` and describe it: the part of ingest that parses
untrusted bytes. It runs inside the sandbox child (:mod:`.job`), never in the web process.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from ..errors import IngestError
from ..limits import Limits
from ..sql import literal
from ..store import DatasetInfo, new_id, utcnow
from . import typed
from .csv import NotUtf8, read_csv_source
from .describe import describe
from .retype import connect, finish, misfit_warnings, parse_overrides
from .sniff import HEAD, detect_format, too_many_rows


def read_source(con, fmt, path, head, staging, limits, sheet, warnings, notes, encoding):
    """Create ``src`` and ``sample`` for the file's format; return (parts, check, sheets, sheet)."""
    if fmt == "csv":
        parts, check = read_csv_source(con, path, head, staging, limits, warnings, notes, encoding)
        return parts, check, [], None
    sheets: list[dict] = []
    sheet_read = None
    if fmt == "parquet":
        from .parquet import read_parquet_source

        parts = read_parquet_source(con, path, limits)
    elif fmt == "xlsx":
        from .xlsx import read_xlsx_source

        parts, sheets, sheet_read = read_xlsx_source(con, path, limits, sheet, warnings, notes)
    else:
        from .json import read_json_source

        parts = read_json_source(con, path, fmt, limits)
    con.execute(
        "CREATE OR REPLACE TABLE sample AS SELECT * FROM src "
        f"USING SAMPLE reservoir({typed.SAMPLE_ROWS} ROWS) REPEATABLE (7)"
    )
    return parts, lambda: None, sheets, sheet_read


def ingest_staged(
    path: Path,
    staging: Path,
    owner_key: str,
    display_name: str,
    limits: Limits,
    sheet: str | None,
    types: dict[str, str] | None,
) -> DatasetInfo:
    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(HEAD)
    if not head.strip():
        raise IngestError("The file is empty. Choose a file that contains a table.", "empty")
    fmt = detect_format(head, display_name)
    try:
        info = _build(path, fmt, head, staging, limits, sheet, types, None)
    except NotUtf8:
        info = _build(path, fmt, head, staging, limits, sheet, types, "cp1252")
    now = utcnow()
    return replace(
        info,
        id=new_id("ds"),
        owner_key=owner_key,
        filename=display_name,
        format=fmt,
        size_bytes=size,
        created_at=now,
        expires_at=now + timedelta(hours=limits.ttl_hours),
    )


def _build(path, fmt, head, staging, limits, sheet, types, encoding) -> DatasetInfo:
    """Read, type, write and describe; the identity fields are filled in by the caller."""
    warnings: list[str] = []
    notes: list[dict] = []
    con = connect(staging, limits)
    try:
        parts, check, sheets, sheet_read = read_source(
            con, fmt, path, head, staging, limits, sheet, warnings, notes, encoding
        )
        forced = parse_overrides([p.name for p in parts], types or {})
        decided = typed.type_columns(con, parts, staging, forced=forced, between=check)
        data = staging / "data.parquet"
        rows = con.execute(f"SELECT count(*) FROM read_parquet({literal(str(data))})")
        rows = rows.fetchone()[0]
        if rows == 0:
            raise IngestError(
                "The file has column names but no rows of data. Add some rows and upload it again.",
                "empty",
            )
        if rows > limits.max_rows:
            raise too_many_rows(limits)
        warnings += misfit_warnings(con, decided, data, forced)
        rows, columns, sample = describe(con, str(data), typed.typed_sample(con, parts, decided))
    finally:
        con.close()
    finish(decided, columns)
    return DatasetInfo(
        id="", owner_key="", filename="", format=fmt, rows=rows, columns=columns,
        sample_rows=sample, warnings=warnings, notes=notes, sheets=sheets, sheet=sheet_read,
    )  # fmt: skip
