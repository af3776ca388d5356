"""CSV and other delimited text: find the table, read every cell as raw text into ``src``.

The file is read once by DuckDB as VARCHAR (no type guessing: :mod:`.typed` decides types
from the text). Before that, Python looks at the first lines to choose the delimiter and find
the header below any title rows, and scans the rest of the file for blank lines (a byte
search, no parsing) to find a second table pasted below the first.
"""

from __future__ import annotations

import csv as pycsv
import io
import mmap
import re
from collections.abc import Callable
from pathlib import Path

import duckdb

from ..errors import IngestError
from ..limits import Limits
from ..sql import literal
from . import tables
from .sniff import (
    clean_names,
    encoding_error,
    text_encoding,
    too_many_columns,
    transcode,
)
from .typed import SAMPLE_ROWS, Part

HEAD_BYTES = 256 * 1024
HEAD_LINES = 400
SMALL_FILE = 4 * 1024 * 1024  # sampled whole; bigger files from CHUNKS places
CHUNKS = 20
CHUNK_BYTES = 512 * 1024
SCAN_ALL = 16 * 1024 * 1024
SCAN_EDGE = 4 * 1024 * 1024
_DELIMITERS = (",", ";", "\t", "|")
_BLANK_CHECKS = 200  # blank lines inspected for a second table before we stop looking


def read_csv_source(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    head: bytes,
    staging: Path,
    limits: Limits,
    warnings: list[str],
    notes: list[dict],
    encoding: str | None = None,
) -> tuple[list[Part], Callable[[], None]]:
    """View ``src`` and table ``sample`` (columns ``t0``, ``t1``, ... as VARCHAR).

    Returns the columns and the check to run once ``data.parquet`` is written (rows with the
    wrong number of values). That check raises :class:`NotUtf8` when bytes after the head
    are not UTF-8: read the file again with ``encoding="cp1252"``."""
    encoding = encoding or text_encoding(head)
    if encoding not in ("utf-8", "utf-8-sig"):
        if encoding == "cp1252":
            try:
                path.read_bytes().decode("cp1252")
            except UnicodeDecodeError:
                raise encoding_error() from None
        path = transcode(path, encoding, staging / f"utf8-{encoding}.csv")
    return _read(con, path, staging, limits, warnings, notes)


class NotUtf8(Exception):
    """The head was UTF-8 but later bytes are not: read the file as Windows-1252."""


def _head_rows(path: Path) -> tuple[str, list[list[str]], list[int], bool]:
    """Delimiter, the first rows, their line numbers, and whether that was the whole file."""
    with open(path, "rb") as fh:
        raw = fh.read(HEAD_BYTES + 1)
    whole = len(raw) <= HEAD_BYTES
    text = raw[:HEAD_BYTES].decode("utf-8", "replace").lstrip("\ufeff")
    if not whole:
        text = text[: text.rfind("\n") + 1] or text
    best: tuple[int, str, list, list] | None = None
    for delim in _DELIMITERS:
        rows, lines = _parse(text, delim)
        widths = [len(r) for r in rows if not tables.is_blank(r)]
        if not widths:
            continue
        common = max(set(widths), key=widths.count)
        score = widths.count(common) if common > 1 else 0
        if best is None or score > best[0]:
            best = (score, delim, rows, lines)
    if best is None:
        return ",", [], [], whole
    return best[1], best[2], best[3], whole


def _parse(text: str, delim: str, limit: int = HEAD_LINES) -> tuple[list[list[str]], list[int]]:
    reader = pycsv.reader(io.StringIO(text, newline=""), delimiter=delim, quotechar='"')
    rows, lines, line = [], [], 1
    try:
        for row in reader:
            rows.append(row)
            lines.append(line)
            line = reader.line_num + 1
            if len(rows) >= limit:
                break
    except pycsv.Error:
        pass
    return rows, lines


def _read(con, path, staging, limits, warnings, notes) -> tuple[list[Part], Callable]:
    delim, rows, lines, whole = _head_rows(path)
    if not rows or all(tables.is_blank(r) for r in rows):
        raise IngestError("The file is empty. Choose a file that contains a table.", "empty")
    layout = tables.locate(rows)
    width = max(layout.width, 1)
    if width > limits.max_columns:
        raise too_many_columns(width, limits)
    header_row = rows[layout.header] if layout.header is not None else None
    if header_row is not None:
        names = clean_names((header_row + [""] * width)[:width])
        first_data_line = lines[layout.header] + 1
    else:
        warnings.append("No header row was found, so the columns are named column_1, ...")
        names = [f"column_{i + 1}" for i in range(width)]
        first_data_line = lines[layout.start] if layout.start < len(lines) else 1
    if layout.titles:
        texts = [next(c for c in rows[i] if c.strip()) for i in layout.titles]
        notes.append(tables.title_note(texts, [lines[i] for i in layout.titles]))
    # cut: how many lines the first table keeps; second: where the next table starts
    cut, second = None, None
    if layout.second is not None:
        last = layout.footer if layout.footer is not None else layout.end - 1
        cut, second = lines[last], lines[layout.second]  # _footer drops the footer below
    elif not whole:
        cut, second = _second_table_line(path, delim, width, header_row) or (None, None)
    if cut is not None:
        notes.append(tables.second_table_note(second, _count_lines(path), cut))
        warnings.append(notes[-1]["message"])
    footer = _footer(path, delim, cut)
    if footer is not None:
        notes.append(tables.footer_note(*footer))
        cut = footer[1] - 1
    source = _prefix(path, cut, staging / "first-table.csv") if cut is not None else path
    reader = _reader_sql(source, delim, first_data_line - 1, width)
    con.execute(f"CREATE OR REPLACE VIEW src AS {reader}")
    _sample_table(con, source, delim, first_data_line, width, staging, reader)
    return [Part(name=n, text=f"t{i}") for i, n in enumerate(names)], (
        lambda: _check_rejects(con, staging / "data.parquet", source, warnings, notes)
    )


def _reader_sql(path: Path, delim: str, skip: int, width: int, header: bool = False) -> str:
    cols = ", ".join(f"'t{i}': 'VARCHAR'" for i in range(width))
    present = " OR ".join(f"t{i} IS NOT NULL" for i in range(width))
    # No LIMIT: it makes DuckDB read on one thread. The row cap is checked afterwards; the
    # file-size cap bounds the work a too-long file can cause.
    return (
        f"SELECT * FROM read_csv({literal(str(path))}, delim = {literal(delim)}, quote = '\"', "
        f"escape = '\"', header = false, skip = {skip}, auto_detect = false, "
        f"columns = {{{cols}}}, store_rejects = true, max_line_size = 4000000) "
        f"WHERE {present}"
    )


def _sample_table(
    con, path: Path, delim: str, first_line: int, width: int, staging: Path, reader: str
) -> None:
    """Table ``sample``: the whole table for small files, else rows from spread-out chunks."""
    size = path.stat().st_size
    if size <= SMALL_FILE:
        _run(con, f"CREATE OR REPLACE TABLE sample AS {reader}")
    else:
        rows = _chunk_rows(path, delim, first_line, width, size)
        target = staging / "sample.csv"
        with open(target, "w", encoding="utf-8", newline="") as out:
            pycsv.writer(out, delimiter=delim, quotechar='"').writerows(rows)
        _run(con, f"CREATE OR REPLACE TABLE sample AS {_reader_sql(target, delim, 0, width)}")
    con.execute("DROP TABLE IF EXISTS reject_errors")
    con.execute("DROP TABLE IF EXISTS reject_scans")


def _chunk_rows(path: Path, delim: str, first_line: int, width: int, size: int) -> list:
    """Up to SAMPLE_ROWS rows of the right width from CHUNKS places spread over the file."""
    per_chunk = SAMPLE_ROWS // CHUNKS
    rows: list[list[str]] = []
    with open(path, "rb") as fh:
        for _ in range(first_line - 1):
            fh.readline()
        start = fh.tell()
        for k in range(CHUNKS):
            fh.seek(start + (size - start) * k // CHUNKS)
            if k:
                fh.readline()  # the rest of a line cut by the seek
            block = fh.read(CHUNK_BYTES)
            text = block[: block.rfind(b"\n") + 1].decode("utf-8", "replace")
            got = [r for r in _parse(text, delim, per_chunk)[0] if len(r) == width]
            rows += got[:per_chunk]
    return rows


def _run(con, sql: str) -> None:
    try:
        con.execute(sql)
    except duckdb.Error as exc:
        raise _csv_failure(exc) from None


def _footer(path: Path, delim: str, cut: int | None) -> tuple[str, int] | None:
    """(text, line) of a "Total" row ending the first table, or None."""
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        end = len(mm)
        if cut is not None:
            end = 0
            for _ in range(cut):
                end = mm.find(b"\n", end) + 1
        tail_start = max(0, end - 64 * 1024)
        tail = mm[tail_start:end]
    text = tail.decode("utf-8", "replace")
    found = [(i, line) for i, line in enumerate(text.split("\n")) if line.strip(" \t\r" + delim)]
    if len(found) < 2 or tail_start and len(found) < 3:
        return None
    index, line = found[-1]
    row = next(pycsv.reader([line], delimiter=delim, quotechar='"'), [])
    if not tables.is_total_row(row):
        return None
    shown = " ".join(c for c in row if c.strip())
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        before = _newlines(mm, tail_start)
    return shown, before + index + 1


def _second_table_line(path: Path, delim: str, width: int, header) -> tuple[int, int] | None:
    """(lines before a blank line after which another table starts, its first line) or None.

    A byte search, no parsing: the whole file up to SCAN_ALL bytes, else its first and last
    SCAN_EDGE bytes (a second table is pasted at the end). Inside bigger files a second table
    of another width still shows as a block of rejected rows."""
    needles = [b"\n\n", b"\n\r\n"]
    if width > 1:
        filler = delim.encode() * (width - 1)
        needles += [b"\n" + filler + b"\n", b"\n" + filler + b"\r\n"]
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        size = len(mm)
        windows = [(HEAD_BYTES // 2, size)]
        if size > SCAN_ALL:
            windows = [(HEAD_BYTES // 2, SCAN_EDGE), (size - SCAN_EDGE, size)]
        checked = 0
        for lo, hi in windows:
            start = lo
            while checked < _BLANK_CHECKS:
                hits = [p for p in (mm.find(n, start, hi) for n in needles) if p >= 0]
                if not hits:
                    break
                checked += 1
                pos = min(hits) + 1  # start of the blank line
                end = mm.find(b"\n", pos) + 1
                after = mm[end : end + 64 * 1024].decode("utf-8", "replace")
                rows, _ = _parse(after[: after.rfind("\n") + 1] or after, delim, 40)
                if tables.new_table_at(rows, width, header):
                    blank = _newlines(mm, pos) + 1
                    skipped = next((k for k, r in enumerate(rows) if not tables.is_blank(r)), 0)
                    return blank - 1, blank + 1 + skipped
                start = end
    return None


def _newlines(mm: mmap.mmap, end: int) -> int:
    """Newlines before ``end``, counted in slices (no copy of the whole file)."""
    n, step = 0, 8 * 1024 * 1024
    for lo in range(0, end, step):
        n += mm[lo : min(lo + step, end)].count(b"\n")
    return n


def _count_lines(path: Path) -> int:
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        n = _newlines(mm, len(mm))
        return n + (1 if len(mm) and mm[-1:] != b"\n" else 0)


def _prefix(path: Path, lines: int, target: Path) -> Path:
    with open(path, "rb") as src, open(target, "wb") as out:
        for _ in range(lines):
            line = src.readline()
            if not line:
                break
            out.write(line)
    return target


def _csv_failure(exc: Exception) -> IngestError:
    text = str(exc)
    if "unicode" in text.lower() or "encoding" in text.lower():
        return encoding_error()
    line = re.search(r"Line: (\d+)", text)
    where = f" near line {line.group(1)}" if line else ""
    return IngestError(
        f"We could not read this file as a table{where}. Check that it is a CSV with one row "
        "per line and the same number of values in every row.",
        "not_tabular",
    )


def _final_run(lines: list[int], last_line: int) -> list[int]:
    """Rejected lines that run (gaps of a blank line allowed) to the end of the file: rows of
    another table, of another width, below the first."""
    if not lines or last_line - lines[-1] > 2:
        return []
    i = len(lines) - 1
    while i > 0 and lines[i] - lines[i - 1] <= 2:
        i -= 1
    run = lines[i:]
    return run if len(run) >= 3 else []


def _check_rejects(con, data: Path, source: Path, warnings: list[str], notes: list[dict]) -> None:
    rejects = con.execute(
        "SELECT error_type, line, any_value(csv_line) FROM reject_errors GROUP BY ALL ORDER BY line"
    ).fetchall()
    if not rejects:
        return
    if any(kind == "INVALID ENCODING" for kind, _, _ in rejects):
        raise NotUtf8()
    lines = sorted({int(line) for _, line, _ in rejects})
    run = _final_run(lines, _count_lines(source))
    if run:
        notes.append(tables.second_table_note(run[0], run[-1], run[0] - 1))
        warnings.append(notes[-1]["message"])
        lines = lines[: len(lines) - len(run)]
        if not lines:
            return
    good = con.execute(f"SELECT count(*) FROM read_parquet({literal(str(data))})").fetchone()[0]
    if len(lines) >= good:
        raise IngestError(
            f"{len(lines):,} rows do not have the same number of values as the header "
            f"({tables.lines_text(lines)}). Fix those rows or export the file again.",
            "ragged",
        )
    notes.append(tables.ragged_note(lines))
    warnings.append(notes[-1]["message"])
