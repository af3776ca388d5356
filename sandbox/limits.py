"""Resource caps for ingest and for runs, all configurable."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

MB = 1024 * 1024
GB = 1024 * MB


@dataclass(frozen=True)
class Limits:
    """Caps applied while ingesting a file and while running a recipe.

    ``memory_bytes`` is the address-space limit of the run's child process;
    DuckDB itself gets ``duckdb_memory_bytes`` and spills to disk beyond it.
    """

    max_file_bytes: int = 200 * MB
    max_columns: int = 500
    max_rows: int = 10_000_000
    xlsx_max_uncompressed_bytes: int = 1 * GB
    xlsx_max_ratio: int = 200
    json_max_depth: int = 64
    memory_bytes: int = 3 * GB
    duckdb_memory_bytes: int = 1 * GB
    cpu_seconds: int = 120
    wall_seconds: int = 60
    write_bytes: int = 1 * GB
    open_files: int = 256
    threads: int = 2
    ttl_hours: int = 72

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Limits:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def human_bytes(n: int) -> str:
    """``1073741824`` -> ``"1 GB"``; used in user-facing messages."""
    for unit, size in (("GB", GB), ("MB", MB), ("KB", 1024)):
        if n >= size:
            value = n / size
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{n} bytes"
