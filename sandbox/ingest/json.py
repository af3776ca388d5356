"""JSON arrays of records and NDJSON (one record per line) -> ``src``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb

from ..errors import IngestError
from ..limits import Limits
from .pyvalues import register_columns
from .sniff import clean_names, encoding_error, too_many_columns, too_many_rows
from .typed import Part


def read_json_source(
    con: duckdb.DuckDBPyConnection, path: Path, fmt: str, limits: Limits
) -> list[Part]:
    records = _records(path, fmt)
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise IngestError(
            'The JSON must be a list of records like [{"name": "Ada", "amount": 3}, ...].',
            "not_tabular",
        )
    if not records:
        raise IngestError("The JSON list is empty. Upload a file with some records.", "empty")
    if len(records) > limits.max_rows:
        raise too_many_rows(limits)
    keys: dict[str, None] = {}
    for rec in records:
        for k in rec:
            keys.setdefault(k, None)
            if len(keys) > limits.max_columns:
                raise too_many_columns(len(keys), limits)
    names = list(keys)
    columns = [[_flatten(r.get(k)) for r in records] for k in names]
    return register_columns(con, clean_names(names), columns)


def _records(path: Path, fmt: str) -> Any:
    raw = path.read_bytes()
    try:
        if fmt == "json":
            return json.loads(raw)
        records = []
        for n, line in enumerate(raw.decode("utf-8-sig").splitlines(), start=1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError:
                    raise IngestError(
                        f"Line {n} is not valid JSON. Each line must hold one record like "
                        '{"name": "Ada"}.',
                        "bad_json",
                    ) from None
        return records
    except RecursionError:
        raise IngestError(
            "This JSON is nested far too deeply to be a table. Upload a flat list of records.",
            "too_deep",
        ) from None
    except UnicodeDecodeError:
        raise encoding_error() from None
    except json.JSONDecodeError as exc:
        raise IngestError(
            f"This file is not valid JSON (problem at line {exc.lineno}, column {exc.colno}). "
            "Export it again.",
            "bad_json",
        ) from None


def _flatten(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value
