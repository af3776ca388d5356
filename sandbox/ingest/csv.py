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
from pathlib import Path

import duckdb

from ..errors import IngestError
from ..limits import Limits
from . import tables
from .sniff import (
    clean_names,
    encoding_error,
    text_encoding,
    too_many_columns,
    transcode,
)
from .typed import Part

HEAD_BYTES = 256 * 1024
HEAD_LINES = 400
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
) -> list[Part]:
    """Create table ``src`` (columns ``t0``, ``t1``, ... as VARCHAR); return the columns."""
    encoding = text_encoding(head)
    if encoding not in ("utf-8", "utf-8-sig"):
        path = transcode(path, encoding, staging / "utf8.csv")
    for _attempt in range(2):
        try:
            return _read(con, path, staging, limits, warnings, notes)
        except _Cp1252:
            try:
                path.read_bytes().decode("cp1252")
            except UnicodeDecodeError:
                raise encoding_error() from None
            path = transcode(path, "cp1252", staging / "utf8-cp1252.csv")
            warnings.clear()
            notes.clear()
    raise encoding_error()


class _Cp1252(Exception):
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


def _parse(text: str, delim: str) -> tuple[list[list[str]], list[int]]:
    reader = pycsv.reader(io.StringIO(text, newline=""), delimiter=delim, quotechar='"')
    rows, lines, line = [], [], 1
    try:
        for row in reader:
            rows.append(row)
            lines.append(line)
            line = reader.line_num + 1
            if len(rows) >= HEAD_LINES:
                break
    except pycsv.Error:
        pass
    return rows, lines


def _read(con, path, staging, limits, warnings, notes) -> list[Part]:
    delim, rows, lines, whole = _head_rows(path)
    if not rows or all(tables.is_blank(r) for r in rows):
        raise IngestError("The file is empty. Choose a file that contains a table.", "empty")
    layout = tables.locate(rows)
    width = max(layout.width, 1)
    if width > limits.max_columns:
        raise too_many_columns(width, limits)
    if layout.header is not None:
        header = rows[layout.header] + [""] * (width - len(rows[layout.header]))
        names = clean_names(header[:width])
        first_data_line = lines[layout.header] + 1
    else:
        warnings.append("No header row was found, so the columns are named column_1, ...")
        names = [f"column_{i + 1}" for i in range(width)]
        first_data_line = lines[layout.start] if layout.start < len(lines) else 1
    if layout.titles:
        texts = [next(c for c in rows[i] if c.strip()) for i in layout.titles]
        notes.append(tables.title_note(texts, [lines[i] for i in layout.titles]))
    cut_line = lines[layout.second] - 1 if layout.second is not None else None
    if cut_line is None and not whole:
        cut_line = _second_table_line(path, delim, width, rows[layout.header] if layout.header
                                      is not None else None)
    source = path
    if cut_line is not None:
        total_lines = _count_lines(path)
        notes.append(tables.second_table_note(cut_line + 1, total_lines, cut_line))
        warnings.append(notes[-1]["message"])
        source = _prefix(path, cut_line, staging / "first-table.csv")
    _load(con, source, delim, first_data_line - 1, width)
    _check_rejects(con, source, warnings, notes)
    _drop_footer(con, width, source, notes)
    return [Part(name=n, text=f"t{i}") for i, n in enumerate(names)]


def _second_table_line(path: Path, delim: str, width: int, header) -> int | None:
    """The line number of a blank line after which another table starts, or None."""
    needles = [b"\n\n", b"\n\r\n"]
    if width > 1:
        filler = delim.encode() * (width - 1)
        needles += [b"\n" + filler + b"\n", b"\n" + filler + b"\r\n"]
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        start = HEAD_BYTES // 2
        for _ in range(_BLANK_CHECKS):
            hits = [p for p in (mm.find(n, start) for n in needles) if p >= 0]
            if not hits:
                return None
            pos = min(hits) + 1  # start of the blank line
            end = mm.find(b"\n", pos) + 1
            after = mm[end : end + 64 * 1024].decode("utf-8", "replace")
            rows, _ = _parse(after[: after.rfind("\n") + 1] or after, delim)
            if tables.new_table_at(rows[:40], width, header):
                return mm[:pos].count(b"\n")
            start = end
    return None


def _count_lines(path: Path) -> int:
    data = path.read_bytes()
    return data.rstrip(b"\r\n \t,;|").count(b"\n") + 1


def _prefix(path: Path, lines: int, target: Path) -> Path:
    with open(path, "rb") as src, open(target, "wb") as out:
        for _ in range(lines):
            line = src.readline()
            if not line:
                break
            out.write(line)
    return target


def _load(con, path: Path, delim: str, skip: int, width: int) -> None:
    cols = ", ".join(f"'t{i}': 'VARCHAR'" for i in range(width))
    present = " OR ".join(f"t{i} IS NOT NULL" for i in range(width))
    con.execute("DROP TABLE IF EXISTS reject_errors")
    con.execute("DROP TABLE IF EXISTS reject_scans")
    try:
        # No LIMIT: it makes DuckDB read on one thread. The row cap is checked afterwards;
        # the file-size cap bounds the work a too-long file can cause.
        con.execute(
            "CREATE OR REPLACE TABLE src AS SELECT * FROM read_csv($path, delim = $delim, "
            "quote = '\"', escape = '\"', header = false, skip = $skip, auto_detect = false, "
            f"columns = {{{cols}}}, store_rejects = true, max_line_size = 4000000) "
            f"WHERE {present}",
            {"path": str(path), "delim": delim, "skip": skip},
        )
    except duckdb.Error as exc:
        raise _csv_failure(exc) from None


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


def _check_rejects(con, source: Path, warnings: list[str], notes: list[dict]) -> None:
    rejects = con.execute(
        "SELECT error_type, line, any_value(csv_line) FROM reject_errors GROUP BY ALL "
        "ORDER BY line"
    ).fetchall()
    if not rejects:
        return
    if any(kind == "INVALID ENCODING" for kind, _, _ in rejects):
        raise _Cp1252()
    lines = sorted({int(line) for _, line, _ in rejects})
    last_kind, last_line, last_text = rejects[-1]
    if last_line == _last_line(source) and tables.is_total_row([last_text or ""]):
        notes.append(tables.footer_note(last_text, last_line))
        lines.remove(last_line)
        if not lines:
            return
    good = con.execute("SELECT count(*) FROM src").fetchone()[0]
    if len(lines) >= good:
        raise IngestError(
            f"{len(lines):,} rows do not have the same number of values as the header "
            f"({tables.lines_text(lines)}). Fix those rows or export the file again.",
            "ragged",
        )
    notes.append(tables.ragged_note(lines))
    warnings.append(notes[-1]["message"])


def _drop_footer(con, width: int, source: Path, notes: list[dict]) -> None:
    row = con.execute("SELECT rowid, * FROM src ORDER BY rowid DESC LIMIT 1").fetchone()
    if row is None or not tables.is_total_row(list(row[1:])):
        return
    if con.execute("SELECT count(*) FROM src").fetchone()[0] < 2:
        return
    con.execute(f"DELETE FROM src WHERE rowid = {int(row[0])}")
    text = " ".join(str(v) for v in row[1:] if v is not None)
    notes.append(tables.footer_note(text, _last_line(source)))


def _last_line(path: Path) -> int:
    """The number of the last non-blank line of a text file."""
    data = path.read_bytes()
    tail = data.rstrip(b"\r\n \t,;|")
    return tail.count(b"\n") + 1

