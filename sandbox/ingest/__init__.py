"""Turn a prospect's file into a typed Parquet dataset in the store.

Every failure raises :class:`IngestError` with a plain message and a short code, and the
staging directory is removed, so a rejected upload leaves nothing on disk.

Readers per format (:mod:`.csv`, :mod:`.xlsx`, :mod:`.json`, :mod:`.parquet`) find the table
(:mod:`.tables`) and put its cells into a DuckDB relation ``src``; :mod:`.typed` infers and
verifies every column's interpretation and writes ``data.parquet``;
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
from ..sql import literal
from ..store import DatasetInfo, DatasetStore, new_id, utcnow, write_json_atomic
from . import typed
from .csv import NotUtf8, read_csv_source
from .describe import describe, json_safe
from .retype import connect, finish, misfit_warnings, parse_overrides, retype
from .sniff import CHUNK, HEAD, clean_filename, detect_format, too_large, too_many_rows

__all__ = [
    "IngestError",
    "clean_filename",
    "detect_format",
    "ingest",
    "json_safe",
    "choose_sheet",
    "retype",
]

# A workbook with several sheets keeps its upload beside the data, so another sheet can be
# read later without uploading again. It counts in the dataset's size like the upload did.
SOURCE_NAME = "source.xlsx"


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
        os.replace(staging / "data.parquet", keep / "data.parquet")
        if info.format == "xlsx" and len(info.sheets) > 1:
            shutil.copyfile(path, keep / SOURCE_NAME)
        write_json_atomic(keep / "meta.json", info.to_dict())
        os.replace(keep, final)
        return info
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def choose_sheet(
    store: DatasetStore,
    owner_key: str,
    dataset_id: str,
    sheet: str,
    limits: Limits | None = None,
) -> DatasetInfo:
    """Read another sheet of a stored workbook into the same dataset; return its new info.

    Raises ``NotFound`` for another owner's dataset and ``IngestError`` ("no_sheet") when the
    dataset is not a workbook with several sheets or has no sheet of that name.
    """
    from ..store import get_dataset

    limits = limits or Limits()
    old = get_dataset(store, owner_key, dataset_id)
    folder = store.dataset_dir(owner_key, dataset_id)
    source = folder / SOURCE_NAME
    if not source.is_file():
        raise IngestError("This file has only one table to read.", "no_sheet")
    if sheet not in {s["name"] for s in old.sheets}:
        raise IngestError(
            f"The workbook has no sheet named '{sheet}'. Its sheets are: "
            f"{', '.join(s['name'] for s in old.sheets)}.",
            "no_sheet",
        )
    staging = store.staging_dir()
    try:
        read = _ingest_staged(source, staging, owner_key, old.filename, limits, sheet, None)
        info = replace(
            read,
            id=old.id,
            size_bytes=old.size_bytes,
            created_at=old.created_at,
            expires_at=old.expires_at,
        )
        os.replace(staging / "data.parquet", folder / "data.parquet")
        write_json_atomic(folder / "meta.json", info.to_dict())
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


def _read_source(con, fmt, path, head, staging, limits, sheet, warnings, notes, encoding):
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
        parts, check, sheets, sheet_read = _read_source(
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
