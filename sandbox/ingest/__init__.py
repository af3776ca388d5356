"""Turn a prospect's file into a typed Parquet dataset in the store.

Every failure raises :class:`IngestError` with a plain message and a short code, and the
staging directory is removed, so a rejected upload leaves nothing on disk.

The web process only checks the upload's size and saves it; everything that parses it runs
in the sandbox child (:mod:`.job`) under the same limits as a run. There, readers per format
(:mod:`.csv`, :mod:`.xlsx`, :mod:`.json`, :mod:`.parquet`) find the table (:mod:`.tables`)
and put its cells into a DuckDB relation ``src``; :mod:`.typed` infers and verifies every
column's interpretation and writes ``data.parquet``; :mod:`.describe` profiles the result;
:mod:`.retype` re-reads columns on request.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import IngestError
from ..limits import Limits, human_bytes
from ..store import DatasetInfo, DatasetStore, get_dataset, write_json_atomic
from .describe import json_safe, sample_cell
from .job import DATA, UPLOAD
from .sniff import CHUNK, clean_filename, detect_format, too_large

__all__ = [
    "IngestError",
    "clean_filename",
    "detect_format",
    "ingest",
    "json_safe",
    "choose_sheet",
    "retype",
    "sample_cell",
]

# A workbook with several sheets keeps its upload beside the data, so another sheet can be
# read later without uploading again. It counts in the dataset's size like the data does.
SOURCE_NAME = "source.xlsx"
UNREADABLE = (
    "We could not read this file as a table. Save it as CSV (UTF-8) or Excel (.xlsx) and "
    "upload it again."
)


def ingest(
    store: DatasetStore,
    owner_key: str,
    source: str | os.PathLike[str] | BinaryIO,
    filename: str,
    limits: Limits | None = None,
    sheet: str | None = None,
    types: dict[str, str] | None = None,
    *,
    warm: bool = False,
) -> DatasetInfo:
    """Read an uploaded file, infer column types and save it as a dataset of ``owner_key``.

    ``source`` is a path or a binary file object; ``filename`` is only used for display and
    to guess the format; ``types`` maps column names to override specs (``"date:%d-%m-%y"``).
    The file is parsed in a sandbox child (with ``warm``, one started ahead by
    :func:`sandbox.runner.prestart` when one waits). ``size_bytes`` is what the dataset stores on
    disk. Raises :class:`IngestError` for anything that is not a usable table.
    """
    limits = limits or Limits()
    display_name = clean_filename(filename)
    staging = store.staging_dir()
    try:
        _stage_source(source, staging / UPLOAD, limits)
        job = {"op": "read", "owner_key": owner_key, "filename": display_name}
        info = _in_child({**job, "sheet": sheet, "types": types}, staging, limits, warm=warm)
        final = store.dataset_dir(owner_key, info.id)
        final.parent.mkdir(parents=True, exist_ok=True)
        keep = staging / "keep"
        keep.mkdir()
        os.replace(staging / DATA, keep / DATA)
        if info.format == "xlsx" and len(info.sheets) > 1:
            os.replace(staging / UPLOAD, keep / SOURCE_NAME)
        info = replace(info, size_bytes=stored_bytes(keep))
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
        _link_or_copy(source, staging / UPLOAD)
        job = {"op": "read", "owner_key": owner_key, "filename": old.filename, "sheet": sheet}
        read = _in_child(job, staging, limits)
        os.replace(staging / DATA, folder / DATA)
        info = replace(
            read,
            id=old.id,
            size_bytes=stored_bytes(folder),
            created_at=old.created_at,
            expires_at=old.expires_at,
        )
        write_json_atomic(folder / "meta.json", info.to_dict())
        return info
    finally:
        shutil.rmtree(staging, ignore_errors=True)


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
    folder = store.dataset_dir(owner_key, dataset_id)
    staging = store.staging_dir()
    try:
        _link_or_copy(folder / DATA, staging / DATA)
        job = {"op": "retype", "info": info.to_dict(), "overrides": dict(overrides)}
        new = _in_child(job, staging, limits)
        os.replace(staging / DATA, folder / DATA)
        new = replace(new, size_bytes=stored_bytes(folder))
        write_json_atomic(folder / "meta.json", new.to_dict())
        return new
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def stored_bytes(folder: Path) -> int:
    """What a dataset takes on disk (its data and any workbook kept), for the quota."""
    return sum(p.stat().st_size for p in (folder / DATA, folder / SOURCE_NAME) if p.is_file())


def _in_child(
    job: dict[str, Any], staging: Path, limits: Limits, *, warm: bool = False
) -> DatasetInfo:
    """Run an ingest job in a sandbox child; its refusal becomes an :class:`IngestError`."""
    from ..runner import run_child

    outcome = run_child({"kind": "ingest", **job}, limits, staging, warm=warm)
    if outcome.ok:
        return DatasetInfo.from_dict(outcome.result)
    raise _refusal(outcome.category, outcome.code, outcome.message, limits)


def _refusal(category: str, code: str, message: str, limits: Limits) -> IngestError:
    if category == "bad_data":
        return IngestError(message, code or "not_tabular")
    if category == "timeout":
        return IngestError(
            f"Reading this file took longer than we allow ({limits.wall_seconds} s of time, "
            f"{limits.cpu_seconds} s of processor time), so we stopped. Upload a smaller file, "
            "or save it as CSV and try again.",
            "timeout",
        )
    if category == "memory":
        return IngestError(
            f"Reading this file needed more than {human_bytes(limits.memory_bytes)} of memory, "
            "the most we allow, so we stopped. Upload a smaller file (fewer rows, or no very "
            "long cells).",
            "too_big",
        )
    if category == "disk":
        return IngestError(
            f"This file expands to more than {human_bytes(limits.write_bytes)} once read, the "
            "most we store, so we stopped. Upload a smaller file.",
            "too_big",
        )
    return IngestError(UNREADABLE, "unreadable")


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _stage_source(source: Any, target: Path, limits: Limits) -> None:
    """Save the upload as ``target``, refusing it past the size limit (nothing is parsed)."""
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if path.stat().st_size > limits.max_file_bytes:
            raise too_large(limits)
        _link_or_copy(path, target)
        return
    total = 0
    with open(target, "wb") as out:
        while chunk := source.read(CHUNK):
            total += len(chunk)
            if total > limits.max_file_bytes:
                raise too_large(limits)
            out.write(chunk)
