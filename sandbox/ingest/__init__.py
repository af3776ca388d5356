"""Turn a prospect's file into a typed Parquet dataset in the store.

Every failure raises :class:`IngestError` with a plain message and a short code, and the
staging directory is removed, so a rejected upload leaves nothing on disk.

Readers per format (:mod:`.csv`, :mod:`.xlsx`, :mod:`.json`, :mod:`.parquet`) find the table
(:mod:`.tables`) and put its cells into a DuckDB relation ``src``; :mod:`.typed` infers and
verifies every column's interpretation and writes ``data.parquet`` (+ ``raw.parquet``);
:mod:`.describe` profiles the result; :mod:`.retype` re-reads columns on request.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import IngestError
from ..limits import Limits
from ..store import DatasetInfo, DatasetStore, new_id, utcnow, write_json_atomic
from . import typed
from .describe import describe, json_safe
from .retype import misfit_warnings, parse_overrides, retype, typed_connection
from .sniff import CHUNK, HEAD, clean_filename, detect_format, too_large, too_many_rows

__all__ = [
    "IngestError",
    "clean_filename",
    "detect_format",
    "ingest",
    "json_safe",
    "retype",
]


def ingest(
    store: DatasetStore,
    owner_key: str,
    source: str | os.PathLike[str] | BinaryIO,
    filename: str,
    limits: Limits | None = None,
    sheet: str | None = None,
    types: dict[str, str] | None = None,
) -> DatasetInfo:
    """Read an uploaded file, infer column types and save it as a dataset of ``owner_key``.

    ``source`` is a path or a binary file object; ``filename`` is only used for display and
    to guess the format; ``types`` maps column names to override specs (``"date:%d-%m-%y"``).
    Raises :class:`IngestError` for anything that is not a usable table.
    """
    limits = limits or Limits()
    display_name = clean_filename(filename)
    staging = store.staging_dir()
    try:
        path = _stage_source(source, staging, limits)
        info = _ingest_staged(path, staging, owner_key, display_name, limits, sheet, types)
        final = store.dataset_dir(owner_key, info.id)
        final.parent.mkdir(parents=True, exist_ok=True)
        keep = staging / "keep"
        keep.mkdir()
        for name in ("data.parquet", "raw.parquet"):
            if (staging / name).exists():
                os.replace(staging / name, keep / name)
        write_json_atomic(keep / "meta.json", info.to_dict())
        os.replace(keep, final)
        return info
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _stage_source(source: Any, staging: Path, limits: Limits) -> Path:
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if path.stat().st_size > limits.max_file_bytes:
            raise too_large(limits)
        return path
    target = staging / "upload"
    total = 0
    with open(target, "wb") as out:
        while chunk := source.read(CHUNK):
            total += len(chunk)
            if total > limits.max_file_bytes:
                raise too_large(limits)
            out.write(chunk)
    return target


def _read_source(con, fmt, path, head, staging, limits, sheet, warnings, notes):
    """Create ``src`` for the file's format; return (parts, sheets, sheet read)."""
    if fmt == "csv":
        from .csv import read_csv_source

        return read_csv_source(con, path, head, staging, limits, warnings, notes), [], None
    if fmt == "parquet":
        from .parquet import read_parquet_source

        return read_parquet_source(con, path, limits), [], None
    if fmt == "xlsx":
        from .xlsx import read_xlsx_source

        return read_xlsx_source(con, path, limits, sheet, warnings, notes)
    from .json import read_json_source

    return read_json_source(con, path, fmt, limits), [], None


def _ingest_staged(
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
    con = typed_connection(staging, limits)
    warnings: list[str] = []
    notes: list[dict] = []
    try:
        parts, sheets, sheet_read = _read_source(
            con, fmt, path, head, staging, limits, sheet, warnings, notes
        )
        count = con.execute("SELECT count(*) FROM src").fetchone()[0]
        if count == 0:
            raise IngestError(
                "The file has column names but no rows of data. Add some rows and upload it "
                "again.",
                "empty",
            )
        if count > limits.max_rows:
            raise too_many_rows(limits)
        forced = parse_overrides([p.name for p in parts], types or {})
        decided = typed.infer_and_verify(con, parts, forced=forced)
        warnings += misfit_warnings(con, decided, forced)
        typed.write(con, decided, str(staging / "data.parquet"), str(staging / "raw.parquet"))
        rows, columns, sample = describe(con, str(staging / "data.parquet"))
    finally:
        con.close()
    for col, d in zip(columns, decided, strict=True):
        nulls = int((col.profile or {}).get("nulls", 0))
        col.interpretation = replace(d.interp, null_count=nulls).to_dict()
    now = utcnow()
    return DatasetInfo(
        id=new_id("ds"),
        owner_key=owner_key,
        filename=display_name,
        format=fmt,
        rows=rows,
        columns=columns,
        sample_rows=sample,
        warnings=warnings,
        size_bytes=size,
        notes=notes,
        sheets=sheets,
        sheet=sheet_read,
        created_at=now,
        expires_at=now + timedelta(hours=limits.ttl_hours),
    )
