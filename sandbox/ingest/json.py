"""JSON arrays of records and NDJSON (one record per line) -> ``src``.

Both are read one record at a time: the file is never parsed whole, the row and column
limits are checked as records arrive, and only the columns' values are kept.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb

from ..errors import IngestError
from ..limits import Limits
from .pyvalues import register_columns
from .sniff import clean_names, encoding_error, too_many_columns, too_many_rows
from .typed import Part

READ_CHARS = 1 << 20
BATCH_MIN = 4096  # characters of records worth parsing in one go
BATCH_BACKOFF = 256  # records read one by one after a batch that did not parse
# A JSON document that is not an array is parsed whole only when it is this small (to say
# what is wrong with it); a big one is refused as not a list of records.
WHOLE_MAX_BYTES = 8 << 20


def not_records() -> IngestError:
    return IngestError(
        'The JSON must be a list of records like [{"name": "Ada", "amount": 3}, ...].',
        "not_tabular",
    )


def read_json_source(
    con: duckdb.DuckDBPyConnection, path: Path, fmt: str, limits: Limits
) -> list[Part]:
    columns: dict[str, list[Any]] = {}
    rows = 0
    try:
        for rec in _array(path) if fmt == "json" else _lines(path):
            if not isinstance(rec, dict):
                raise not_records()
            for k in rec:
                if k not in columns:
                    if len(columns) >= limits.max_columns:
                        raise too_many_columns(len(columns) + 1, limits)
                    columns[k] = [None] * rows
            for k, values in columns.items():
                values.append(_flatten(rec.get(k)))
            rows += 1
            if rows > limits.max_rows:
                raise too_many_rows(limits)
    except RecursionError:
        raise IngestError(
            "This JSON is nested far too deeply to be a table. Upload a flat list of records.",
            "too_deep",
        ) from None
    except UnicodeDecodeError:
        raise encoding_error() from None
    if not rows:
        raise IngestError("The JSON list is empty. Upload a file with some records.", "empty")
    if not columns:
        raise IngestError(
            "The JSON records have no fields, so there is no table to read. Upload records "
            'like [{"name": "Ada", "amount": 3}, ...].',
            "not_tabular",
        )
    return register_columns(con, clean_names(list(columns)), list(columns.values()))


def _lines(path: Path) -> Iterator[Any]:
    with open(path, encoding="utf-8-sig") as fh:
        for n, line in enumerate(fh, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    raise IngestError(
                        f"Line {n} is not valid JSON. Each line must hold one record like "
                        '{"name": "Ada"}.',
                        "bad_json",
                    ) from None


def _invalid(line: int, col: int) -> IngestError:
    return IngestError(
        f"This file is not valid JSON (problem at line {line}, column {col}). Export it again.",
        "bad_json",
    )


class _Reader:
    """A window on the file's text: ``buf[pos:]`` is what is not consumed yet."""

    def __init__(self, fh) -> None:
        self.fh = fh
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.line = 1  # the line ``buf[0]`` is on

    def more(self) -> bool:
        """Read more text (at least as much again as is pending); False at the end."""
        if self.eof:
            return False
        chunk = self.fh.read(max(READ_CHARS, len(self.buf) - self.pos))
        if not chunk:
            self.eof = True
            return False
        self.line += self.buf.count("\n", 0, self.pos)
        self.buf = self.buf[self.pos :] + chunk
        self.pos = 0
        return True

    def peek(self) -> str:
        """The next character that is not white space ("" at the end), not consumed."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.buf) or not self.more():
                return self.buf[self.pos : self.pos + 1]

    def where(self, pos: int | None = None) -> tuple[int, int]:
        pos = self.pos if pos is None else pos
        line = self.line + self.buf.count("\n", 0, pos)
        return line, pos - (self.buf.rfind("\n", 0, pos) + 1) + 1


def _array(path: Path) -> Iterator[Any]:
    decoder = json.JSONDecoder()
    with open(path, encoding="utf-8-sig") as fh:
        r = _Reader(fh)
        if r.peek() != "[":
            yield _whole(path)
            return
        r.pos += 1
        if r.peek() == "]":
            r.pos += 1
        else:
            single = 0  # records to read one by one before trying a batch again
            while True:
                r.peek()
                batch = _batch(r) if single <= 0 else None
                if batch is not None:
                    yield from batch
                else:
                    single -= 1
                    if single < 0:
                        single = BATCH_BACKOFF
                    yield _one(decoder, r)
                sep = r.peek()
                if sep == "]":
                    r.pos += 1
                    break
                if sep != ",":
                    raise _invalid(*r.where())
                r.pos += 1
        if r.peek() != "":
            raise _invalid(*r.where())


def _one(decoder: json.JSONDecoder, r: _Reader) -> Any:
    """The one record at ``r.pos``, reading on as long as it is cut off."""
    while True:
        try:
            value, end = decoder.raw_decode(r.buf, r.pos)
            r.pos = end
            return value
        except json.JSONDecodeError as exc:
            # Cut off at the end of what was read, or really invalid: read on (as much again
            # each time) until the end says which.
            if not r.more():
                raise _invalid(*r.where(exc.pos)) from None


def _batch(r: _Reader) -> list[Any] | None:
    """All whole records from ``r.pos`` up to the last ``},`` read, parsed in one go; None
    when that is too little or not a record boundary (then records are read one by one).

    Wrapped in ``[...]``, the text parses only if the cut is between top-level records: a
    cut inside a string leaves it open, a cut inside nested values leaves brackets open."""
    buf, start = r.buf, r.pos
    cut = buf.rfind("}", start)
    while cut - start >= BATCH_MIN:
        after = cut + 1
        while after < len(buf) and buf[after] in " \t\r\n":
            after += 1
        if after < len(buf) and buf[after] == ",":
            try:
                values = json.loads("[" + buf[start : cut + 1] + "]")
            except json.JSONDecodeError:
                return None
            r.pos = cut + 1
            return values
        cut = buf.rfind("}", start, cut)
    return None


def _whole(path: Path) -> Any:
    """A JSON document that does not start as an array: never a list of records."""
    if path.stat().st_size > WHOLE_MAX_BYTES:
        raise not_records()
    try:
        json.loads(path.read_bytes())
    except json.JSONDecodeError as exc:
        raise _invalid(exc.lineno, exc.colno) from None
    raise not_records()


def _flatten(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value
