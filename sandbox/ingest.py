"""Turn a prospect's file into a typed Parquet dataset in the store.

Every failure raises :class:`IngestError` with a plain message and a short code, and the
staging directory is removed, so a rejected upload leaves nothing on disk.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import math
import os
import re
import shutil
import unicodedata
import zipfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import duckdb

from .errors import IngestError
from .limits import Limits, human_bytes
from .sql import ident, literal
from .store import Column, DatasetInfo, DatasetStore, new_id, utcnow, write_json_atomic

if TYPE_CHECKING:
    import pyarrow as pa

SAMPLE_ROWS = 20
_CHUNK = 1024 * 1024
_HEAD = 64 * 1024

_EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".tab": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".json": "json",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
    ".parquet": "parquet",
    ".pq": "parquet",
}

_MAGIC = [
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"BM", "a bitmap image"),
    (b"%PDF", "a PDF document"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
]

# DuckDB type -> (type shown to users, DuckDB type stored in Parquet)
_INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER"}


def ingest(
    store: DatasetStore,
    owner_key: str,
    source: str | os.PathLike[str] | BinaryIO,
    filename: str,
    limits: Limits | None = None,
    sheet: str | None = None,
) -> DatasetInfo:
    """Read an uploaded file, infer column types and save it as a dataset of ``owner_key``.

    ``source`` is a path or a binary file object; ``filename`` is only used for display and
    to guess the format. Raises :class:`IngestError` for anything that is not a usable table.
    """
    limits = limits or Limits()
    display_name = clean_filename(filename)
    staging = store.staging_dir()
    try:
        path = _stage_source(source, staging, limits)
        info = _ingest_staged(path, staging, owner_key, display_name, limits, sheet)
        final = store.dataset_dir(owner_key, info.id)
        final.parent.mkdir(parents=True, exist_ok=True)
        keep = staging / "keep"
        keep.mkdir()
        os.replace(staging / "data.parquet", keep / "data.parquet")
        write_json_atomic(keep / "meta.json", info.to_dict())
        os.replace(keep, final)
        return info
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def clean_filename(filename: str) -> str:
    """Return a display-safe name, or refuse names that try to be paths."""
    name = filename or ""
    if "\x00" in name or "/" in name or "\\" in name or name.strip() in ("", ".", ".."):
        raise IngestError(
            "The file name looks like a folder path. Rename the file (for example "
            "'deals.csv') and upload it again.",
            "bad_filename",
        )
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return name[:200] or "upload"


def _stage_source(source: Any, staging: Path, limits: Limits) -> Path:
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if path.stat().st_size > limits.max_file_bytes:
            raise _too_large(limits)
        return path
    target = staging / "upload"
    total = 0
    with open(target, "wb") as out:
        while chunk := source.read(_CHUNK):
            total += len(chunk)
            if total > limits.max_file_bytes:
                raise _too_large(limits)
            out.write(chunk)
    return target


def _too_large(limits: Limits) -> IngestError:
    return IngestError(
        f"The file is larger than {human_bytes(limits.max_file_bytes)}. Upload a smaller "
        "extract (for example the last 12 months) or split it.",
        "too_large",
    )


def _ingest_staged(
    path: Path, staging: Path, owner_key: str, display_name: str, limits: Limits, sheet: str | None
) -> DatasetInfo:
    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(_HEAD)
    if not head.strip():
        raise IngestError("The file is empty. Choose a file that contains a table.", "empty")
    fmt = detect_format(head, display_name)
    con = _connect(staging, limits)
    try:
        warnings: list[str] = []
        out = staging / "data.parquet"
        if fmt == "csv":
            _csv_to_parquet(con, path, head, staging, out, limits, warnings)
        elif fmt == "parquet":
            _parquet_to_parquet(con, path, out, limits)
        else:
            if fmt == "xlsx":
                table = _read_xlsx(path, limits, sheet, warnings)
            else:
                table = _read_json(path, fmt, limits)
            _arrow_to_parquet(con, table, out)
        rows, columns, sample = _describe(con, out)
    finally:
        con.close()
    if rows == 0:
        raise IngestError(
            "The file has column names but no rows of data. Add some rows and upload it again.",
            "empty",
        )
    if rows > limits.max_rows:
        raise IngestError(
            f"The file has more than {limits.max_rows:,} rows. Upload a smaller extract.",
            "too_many_rows",
        )
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
        created_at=now,
        expires_at=now + timedelta(hours=limits.ttl_hours),
    )


def detect_format(head: bytes, filename: str) -> str:
    """Guess the format from the first bytes, falling back to the extension."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise IngestError(
                f"This file is {what}, not a table. Upload a CSV, Excel (.xlsx), JSON or "
                "Parquet file.",
                "not_tabular",
            )
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise IngestError(
            "This is an old Excel (.xls) file. Open it in Excel and save it as .xlsx or CSV.",
            "not_tabular",
        )
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"PAR1"):
        return "parquet"
    ext = _EXTENSIONS.get(Path(filename).suffix.lower())
    text_start = _decode_head(head).lstrip("\ufeff \t\r\n")
    if ext in ("json", "ndjson") or (ext is None and text_start[:1] in "[{"):
        if text_start.startswith("["):
            return "json"
        if text_start.startswith("{"):
            return "ndjson"
        raise IngestError(
            'This JSON file is not a list of records. Use a list like [{"name": "Ada"}, ...] '
            "or one record per line.",
            "not_tabular",
        )
    if ext in ("xlsx", "parquet"):
        raise IngestError(
            f"The file is named .{ext} but its content is not a valid {ext} file. "
            "Export it again or upload a CSV.",
            "not_tabular",
        )
    return "csv"


def _decode_head(head: bytes) -> str:
    encodings = ["utf-16"] if head.startswith((b"\xff\xfe", b"\xfe\xff")) else []
    for enc in [*encodings, "utf-8", "latin-1"]:
        try:
            return codecs.getincrementaldecoder(enc)().decode(head, final=False)
        except UnicodeError:
            continue
    return ""


def _connect(staging: Path, limits: Limits) -> duckdb.DuckDBPyConnection:
    spill = staging / "spill"
    spill.mkdir(exist_ok=True)
    return duckdb.connect(
        config={
            "memory_limit": f"{limits.duckdb_memory_bytes // (1024 * 1024)}MB",
            "threads": limits.threads,
            "temp_directory": str(spill),
        }
    )


# ---------------------------------------------------------------------------- CSV


def _text_encoding(head: bytes) -> str:
    """Pick the encoding of a text file from its first bytes, or refuse it."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    even, odd = head[0::2], head[1::2]
    if len(head) >= 4 and odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if len(head) >= 4 and even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    if b"\x00" in head or controls > 0.02 * len(head):
        raise IngestError(
            "This file does not look like text or a spreadsheet. Upload a CSV, Excel (.xlsx), "
            "JSON or Parquet file.",
            "not_tabular",
        )
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        head.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        raise _encoding_error() from None


def _encoding_error() -> IngestError:
    return IngestError(
        "We could not read the text in this file: it is not UTF-8, UTF-16 or Windows-1252 "
        "(Latin-1). Save it as 'CSV UTF-8' and upload it again.",
        "encoding",
    )


def _transcode(path: Path, encoding: str, target: Path) -> Path:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with open(path, "rb") as src, open(target, "w", encoding="utf-8", newline="") as out:
            while chunk := src.read(_CHUNK):
                out.write(decoder.decode(chunk))
            out.write(decoder.decode(b"", final=True))
    except UnicodeDecodeError:
        raise _encoding_error() from None
    return target


def _csv_to_parquet(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    head: bytes,
    staging: Path,
    out: Path,
    limits: Limits,
    warnings: list[str],
) -> None:
    encoding = _text_encoding(head)
    if encoding not in ("utf-8", "utf-8-sig"):
        path = _transcode(path, encoding, staging / "utf8.csv")
    forced_text: dict[str, str] = {}
    for _attempt in range(4):
        schema = _csv_schema(con, path, forced_text)
        if len(schema) > limits.max_columns:
            raise _too_many_columns(len(schema), limits)
        names = _clean_names([name for name, _ in schema])
        if all(re.fullmatch(r"column\d+", n) for n, _ in schema) and len(schema) > 0:
            warnings.append("No header row was found, so the columns are named column_1, ...")
            names = [f"column_{i + 1}" for i in range(len(schema))]
        select = _normalised_select(schema, names)
        con.execute("DROP TABLE IF EXISTS reject_errors")
        con.execute("DROP TABLE IF EXISTS reject_scans")
        try:
            # No LIMIT here: it makes DuckDB read and write the file on one thread, about
            # twice as slow. The row cap is checked on the Parquet row count afterwards; the
            # file-size cap bounds the work a too-long file can cause.
            con.execute(
                f"COPY (SELECT {select} FROM {_read_csv_sql(forced_text)}) "
                "TO $out (FORMAT parquet)",
                {"path": str(path), "out": str(out)},
            )
        except duckdb.Error as exc:
            raise _csv_failure(exc) from None
        rejects = con.execute(
            "SELECT error_type, line, column_name FROM reject_errors ORDER BY line"
        ).fetchall()
        kinds = {r[0] for r in rejects}
        if "INVALID ENCODING" in kinds and encoding in ("utf-8", "utf-8-sig"):
            try:
                path.open("rb").read().decode("cp1252")
            except UnicodeDecodeError:
                raise _encoding_error() from None
            encoding = "cp1252"
            path = _transcode(path, encoding, staging / "utf8.csv")
            continue
        cast_columns = {r[2] for r in rejects if r[0] == "CAST" and r[2]}
        if cast_columns - set(forced_text):
            forced_text.update({c: "VARCHAR" for c in cast_columns})
            continue
        good = con.execute("SELECT count(*) FROM read_parquet($out)", {"out": str(out)})
        _check_ragged(rejects, good.fetchone()[0], warnings)
        return
    raise IngestError(
        "We could not work out the column types of this file. Save it as 'CSV UTF-8' and "
        "upload it again.",
        "not_tabular",
    )


def _read_csv_sql(forced_text: dict[str, str]) -> str:
    types = ""
    if forced_text:
        pairs = ", ".join(f"{literal(k)}: 'VARCHAR'" for k in forced_text)
        types = f", types = {{{pairs}}}"
    return f"read_csv($path, store_rejects = true{types})"


def _csv_schema(con: duckdb.DuckDBPyConnection, path: Path, forced: dict[str, str]):
    try:
        rows = con.execute(
            f"DESCRIBE SELECT * FROM {_read_csv_sql(forced)}", {"path": str(path)}
        ).fetchall()
    except duckdb.Error as exc:
        raise _csv_failure(exc) from None
    return [(r[0], r[1]) for r in rows]


def _csv_failure(exc: Exception) -> IngestError:
    text = str(exc)
    if "unicode" in text.lower() or "encoding" in text.lower():
        return _encoding_error()
    line = re.search(r"Line: (\d+)", text)
    where = f" near line {line.group(1)}" if line else ""
    return IngestError(
        f"We could not read this file as a table{where}. Check that it is a CSV with one row "
        "per line and the same number of values in every row.",
        "not_tabular",
    )


def _check_ragged(rejects: list[tuple], good_rows: int, warnings: list[str]) -> None:
    if not rejects:
        return
    lines = sorted({int(r[1]) for r in rejects})
    shown = ", ".join(str(n) for n in lines[:10]) + (" ..." if len(lines) > 10 else "")
    too_many = len(lines) > 100 or len(lines) > 0.05 * (good_rows + len(lines))
    if too_many:
        raise IngestError(
            f"{len(lines):,} rows do not have the same number of values as the header "
            f"(lines {shown}). Fix those rows or export the file again.",
            "ragged",
        )
    warnings.append(
        f"Skipped {len(lines)} row{'s' if len(lines) > 1 else ''} with the wrong number of "
        f"values (line{'s' if len(lines) > 1 else ''} {shown})."
    )


def _too_many_columns(count: int, limits: Limits) -> IngestError:
    return IngestError(
        f"The file has {count:,} columns; the demo accepts up to {limits.max_columns:,}. "
        "Remove the columns you do not need and upload it again.",
        "too_many_columns",
    )


# -------------------------------------------------------------------- type mapping


def _user_type(duck_type: str) -> str:
    t = duck_type.upper()
    if t in _INTEGER_TYPES:
        return "integer"
    if t in ("FLOAT", "DOUBLE", "UBIGINT", "HUGEINT", "UHUGEINT") or t.startswith("DECIMAL"):
        return "decimal"
    if t == "DATE":
        return "date"
    if t.startswith("TIMESTAMP"):
        return "datetime"
    if t == "BOOLEAN":
        return "boolean"
    return "text"


_STORED = {
    "integer": "BIGINT",
    "decimal": "DOUBLE",
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "boolean": "BOOLEAN",
    "text": "VARCHAR",
}


def _normalised_select(schema: list[tuple[str, str]], names: list[str]) -> str:
    parts = []
    for (src, duck_type), name in zip(schema, names, strict=True):
        target = _STORED[_user_type(duck_type)]
        expr = ident(src)
        if duck_type.upper() != target:
            expr = f"CAST({expr} AS {target})"
        parts.append(f"{expr} AS {ident(name)}")
    return ", ".join(parts) if parts else "*"


def _clean_names(raw: list[str]) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    for i, name in enumerate(raw):
        base = " ".join(str(name or "").split())[:100] or f"column_{i + 1}"
        candidate, n = base, 2
        while candidate.lower() in seen:
            candidate, n = f"{base}_{n}", n + 1
        seen.add(candidate.lower())
        names.append(candidate)
    return names


# -------------------------------------------------------------------- Parquet


def _parquet_to_parquet(
    con: duckdb.DuckDBPyConnection, path: Path, out: Path, limits: Limits
) -> None:
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(path).metadata
    except Exception:
        raise IngestError(
            "This Parquet file is damaged or incomplete. Export it again.", "not_tabular"
        ) from None
    if meta.num_columns > limits.max_columns:
        raise _too_many_columns(meta.num_columns, limits)
    if meta.num_rows > limits.max_rows:
        raise IngestError(
            f"The file has more than {limits.max_rows:,} rows. Upload a smaller extract.",
            "too_many_rows",
        )
    try:
        schema = con.execute("DESCRIBE SELECT * FROM read_parquet($p)", {"p": str(path)}).fetchall()
        schema = [(r[0], r[1]) for r in schema]
        select = _normalised_select(schema, _clean_names([n for n, _ in schema]))
        con.execute(
            f"COPY (SELECT {select} FROM read_parquet($p)) TO $out (FORMAT parquet)",
            {"p": str(path), "out": str(out)},
        )
    except duckdb.Error:
        raise IngestError(
            "This Parquet file is damaged or uses features we cannot read. Export it again.",
            "not_tabular",
        ) from None


# -------------------------------------------------------------------- XLSX


def _check_zip(path: Path, limits: Limits) -> None:
    """Refuse zip bombs before any decompression.

    zipfile never yields more than a member's declared ``file_size`` (it stops and checks the
    CRC there), so capping the declared sizes caps what reading can produce.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise IngestError(
            "This Excel file is damaged. Open it in Excel, save it again and re-upload.",
            "bad_xlsx",
        ) from None
    total = sum(i.file_size for i in infos)
    worst = max((i.file_size / max(i.compress_size, 1) for i in infos), default=0)
    if total > limits.xlsx_max_uncompressed_bytes or worst > limits.xlsx_max_ratio:
        raise IngestError(
            "This Excel file expands to far more data than it contains (a 'zip bomb'), so we "
            "did not open it. Export the data as CSV instead.",
            "zip_bomb",
        )
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        raise IngestError(
            "This is a ZIP archive, not an Excel workbook. Upload the CSV or .xlsx inside it.",
            "not_tabular",
        )


def _read_xlsx(path: Path, limits: Limits, sheet: str | None, warnings: list[str]) -> pa.Table:
    import openpyxl

    _check_zip(path, limits)
    with open(path, "rb") as fh:  # a file object: openpyxl refuses paths without .xlsx
        try:
            wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
        except Exception:
            raise _bad_xlsx() from None
        rows = _xlsx_sheet_rows(wb, sheet, limits)
    if not rows:
        raise IngestError("The sheet is empty. Choose a sheet that contains a table.", "empty")
    width = max(len(r) for r in rows)
    rows = [list(r) + [None] * (width - len(r)) for r in rows]
    first = rows[0]
    if all(isinstance(v, str) or v is None for v in first) and any(first):
        names, body = [str(v) if v is not None else "" for v in first], rows[1:]
    else:
        warnings.append("No header row was found, so the columns are named column_1, ...")
        names, body = [f"column_{i + 1}" for i in range(width)], rows
    columns = [[r[i] for r in body] for i in range(width)]
    return _columns_to_arrow(_clean_names(names), columns)


def _xlsx_sheet_rows(wb: Any, sheet: str | None, limits: Limits) -> list[tuple]:
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise IngestError(
                f"The workbook has no sheet named '{sheet}'. Its sheets are: "
                f"{', '.join(wb.sheetnames)}.",
                "no_sheet",
            )
        ws = wb[sheet] if sheet is not None else wb.worksheets[0]
        return _xlsx_rows(ws, limits)
    except IngestError:
        raise
    except Exception:
        raise _bad_xlsx() from None
    finally:
        wb.close()


def _xlsx_rows(ws: Any, limits: Limits) -> list[tuple]:
    rows: list[tuple] = []
    for values in ws.iter_rows(values_only=True):
        last = max((i for i, v in enumerate(values) if v not in (None, "")), default=-1)
        if last < 0:
            if rows:
                rows.append(())
            continue
        if last + 1 > limits.max_columns:
            raise _too_many_columns(last + 1, limits)
        rows.append(tuple(values[: last + 1]))
        if len(rows) > limits.max_rows + 1:
            raise IngestError(
                f"The sheet has more than {limits.max_rows:,} rows. Upload a smaller extract.",
                "too_many_rows",
            )
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _bad_xlsx() -> IngestError:
    return IngestError(
        "This Excel file is damaged or not a real .xlsx workbook. Open it in Excel, save it "
        "again (or export it as CSV) and upload it again.",
        "bad_xlsx",
    )


# -------------------------------------------------------------------- JSON


def _read_json(path: Path, fmt: str, limits: Limits) -> pa.Table:
    raw = path.read_bytes()
    records: list[Any]
    try:
        if fmt == "json":
            records = json.loads(raw)
        else:
            text = raw.decode("utf-8-sig")
            records = []
            for n, line in enumerate(text.splitlines(), start=1):
                if line.strip():
                    try:
                        records.append(json.loads(line))
                    except json.JSONDecodeError:
                        raise IngestError(
                            f"Line {n} is not valid JSON. Each line must hold one record like "
                            '{"name": "Ada"}.',
                            "bad_json",
                        ) from None
    except RecursionError:
        raise IngestError(
            "This JSON is nested far too deeply to be a table. Upload a flat list of records.",
            "too_deep",
        ) from None
    except UnicodeDecodeError:
        raise _encoding_error() from None
    except json.JSONDecodeError as exc:
        raise IngestError(
            f"This file is not valid JSON (problem at line {exc.lineno}, column {exc.colno}). "
            "Export it again.",
            "bad_json",
        ) from None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise IngestError(
            'The JSON must be a list of records like [{"name": "Ada", "amount": 3}, ...].',
            "not_tabular",
        )
    if not records:
        raise IngestError("The JSON list is empty. Upload a file with some records.", "empty")
    if len(records) > limits.max_rows:
        raise IngestError(
            f"The file has more than {limits.max_rows:,} rows. Upload a smaller extract.",
            "too_many_rows",
        )
    keys: dict[str, None] = {}
    for rec in records:
        for k in rec:
            keys.setdefault(k, None)
            if len(keys) > limits.max_columns:
                raise _too_many_columns(len(keys), limits)
    names = list(keys)
    columns = [[_flatten(r.get(k)) for r in records] for k in names]
    return _columns_to_arrow(_clean_names(names), columns)


def _flatten(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


# ------------------------------------------------------------ typed Python columns


def _infer_python(values: list[Any]) -> str:
    present = [v for v in values if v is not None and v != ""]
    if not present:
        return "text"
    if all(isinstance(v, bool) for v in present):
        return "boolean"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "integer"
    if all(isinstance(v, int | float | Decimal) and not isinstance(v, bool) for v in present):
        return "decimal"
    if all(isinstance(v, dt.datetime) for v in present):
        midnight = all(v.time() == dt.time(0) for v in present)
        return "date" if midnight else "datetime"
    if all(isinstance(v, dt.date) and not isinstance(v, dt.datetime) for v in present):
        return "date"
    return "text"


def _columns_to_arrow(names: list[str], columns: list[list[Any]]) -> pa.Table:
    import pyarrow as pa

    arrays = []
    for values in columns:
        kind = _infer_python(values)
        clean = [None if v == "" else v for v in values]
        if kind == "integer" and all(v is None or -(2**63) <= v < 2**63 for v in clean):
            arrays.append(pa.array(clean, pa.int64()))
        elif kind in ("integer", "decimal"):
            arrays.append(pa.array([None if v is None else float(v) for v in clean], pa.float64()))
        elif kind == "boolean":
            arrays.append(pa.array(clean, pa.bool_()))
        elif kind == "date":
            arrays.append(
                pa.array(
                    [v.date() if isinstance(v, dt.datetime) else v for v in clean], pa.date32()
                )
            )
        elif kind == "datetime":
            arrays.append(pa.array([v.replace(tzinfo=None) if v else v for v in clean]))
        else:
            arrays.append(pa.array([None if v is None else _text(v) for v in clean], pa.string()))
    return pa.Table.from_arrays(arrays, names=names)


def _text(value: Any) -> str:
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _arrow_to_parquet(con: duckdb.DuckDBPyConnection, table: pa.Table, out: Path) -> None:
    con.register("src", table)
    schema = [(r[0], r[1]) for r in con.execute("DESCRIBE SELECT * FROM src").fetchall()]
    refined = _refine_text_types(con, schema)
    parts = []
    for (name, duck_type), target in zip(schema, refined, strict=True):
        expr = ident(name)
        if target != duck_type:
            expr = f"TRY_CAST(trim({expr}) AS {target})"
        parts.append(f"{expr} AS {ident(name)}")
    con.execute(
        f"COPY (SELECT {', '.join(parts)} FROM src) TO $out (FORMAT parquet)", {"out": str(out)}
    )
    con.unregister("src")


def _refine_text_types(con: duckdb.DuckDBPyConnection, schema: list[tuple[str, str]]) -> list[str]:
    """Text columns whose every value parses as a number, date or boolean get that type."""
    candidates = ("BIGINT", "DOUBLE", "DATE", "TIMESTAMP", "BOOLEAN")
    text_cols = [name for name, t in schema if t == "VARCHAR"]
    if not text_cols:
        return [t for _, t in schema]
    exprs = []
    for name in text_cols:
        q = f"trim({ident(name)})"
        exprs.append(f"count(nullif({q}, ''))")
        exprs.extend(f"count(TRY_CAST(nullif({q}, '') AS {c}))" for c in candidates)
    counts = con.execute(f"SELECT {', '.join(exprs)} FROM src").fetchone()
    chosen: dict[str, str] = {}
    step = len(candidates) + 1
    for i, name in enumerate(text_cols):
        total, *per_type = counts[i * step : (i + 1) * step]
        chosen[name] = "VARCHAR"
        if total:
            for cand, n in zip(candidates, per_type, strict=True):
                if n == total:
                    chosen[name] = cand
                    break
    return [chosen.get(name, t) for name, t in schema]


# -------------------------------------------------------------------- describe


def _describe(con: duckdb.DuckDBPyConnection, out: Path):
    rel = f"read_parquet({literal(str(out))})"
    schema = con.execute(f"DESCRIBE SELECT * FROM {rel}").fetchall()
    columns = [Column(name=r[0], type=_user_type(r[1])) for r in schema]
    rows = con.execute(f"SELECT count(*) FROM {rel}").fetchone()[0]
    sample = con.execute(f"SELECT * FROM {rel} LIMIT {SAMPLE_ROWS}").fetchall()
    return rows, columns, [[json_safe(v) for v in row] for row in sample]


def json_safe(value: Any) -> Any:
    """Convert a database value to something ``json.dumps`` accepts."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value
