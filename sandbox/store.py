"""The on-disk store for datasets and runs, plus retention.

Layout (every path component is ours, never the user's)::

    ROOT/owners/<sha256(owner_key)[:32]>/datasets/<dataset_id>/{data.parquet,meta.json}
        (data.parquet also keeps hidden raw-text columns for re-typing: sandbox.ingest.typed)
    ROOT/runs/<run_id>/{state.json,result.json}
    ROOT/tmp/...   staging for ingest and spill space for runs
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .errors import NotFound

_ID_RE = re.compile(r"^(ds|run)_[0-9a-f]{24}$")


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


def _check_id(value: str, prefix: str) -> str:
    if not isinstance(value, str) or not _ID_RE.match(value) or not value.startswith(prefix):
        raise NotFound("We could not find that item. It may have expired or been deleted.")
    return value


def owner_dirname(owner_key: str) -> str:
    if not owner_key:
        raise ValueError("owner_key must not be empty")
    return hashlib.sha256(owner_key.encode("utf-8")).hexdigest()[:32]


def write_json_atomic(path: Path, data: Any) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    tmp.write_text(json.dumps(data, default=str), encoding="utf-8")
    os.replace(tmp, path)


@dataclass
class Column:
    name: str
    type: str  # integer, decimal, date, datetime, boolean, text
    # How the raw values were read: ``sandbox.interpret.Interpretation.to_dict()`` (type,
    # format, decimal mark, currency, null tokens, reason). None for older datasets.
    interpretation: dict[str, Any] | None = None
    # Cheap facts about the values, for mapping suggestions (distinct count, top values,
    # examples). None for older datasets.
    profile: dict[str, Any] | None = None


@dataclass
class DatasetInfo:
    """What the prospect uploaded, as the engine understood it."""

    id: str
    owner_key: str
    filename: str
    format: str
    rows: int
    columns: list[Column]
    sample_rows: list[list[Any]]
    warnings: list[str] = field(default_factory=list)
    size_bytes: int = 0
    # What reading the file noticed, for Data Doctor: {"kind", "message", "lines"} dicts
    # (ragged rows, a second table below the first, title rows, a footer total, ...).
    notes: list[dict[str, Any]] = field(default_factory=list)
    # Every sheet of a workbook as {"name", "rows", "columns"}; ``sheet`` is the one read.
    sheets: list[dict[str, Any]] = field(default_factory=list)
    sheet: str | None = None
    created_at: datetime = field(default_factory=utcnow)
    expires_at: datetime = field(default_factory=utcnow)

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["created_at"] = self.created_at.isoformat()
        data["expires_at"] = self.expires_at.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DatasetInfo:
        data = dict(data)
        data["columns"] = [Column(**c) for c in data["columns"]]
        data["created_at"] = datetime.fromisoformat(data["created_at"])
        data["expires_at"] = datetime.fromisoformat(data["expires_at"])
        return cls(**data)


class DatasetStore:
    """A directory holding every dataset, run and result of the sandbox."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()
        for sub in ("owners", "runs", "tmp"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)

    def __repr__(self) -> str:
        return f"DatasetStore({str(self.root)!r})"

    def owner_dir(self, owner_key: str) -> Path:
        return self.root / "owners" / owner_dirname(owner_key)

    def dataset_dir(self, owner_key: str, dataset_id: str) -> Path:
        return self.owner_dir(owner_key) / "datasets" / _check_id(dataset_id, "ds_")

    def parquet_path(self, owner_key: str, dataset_id: str) -> Path:
        return self.dataset_dir(owner_key, dataset_id) / "data.parquet"

    def run_dir(self, run_id: str) -> Path:
        return self.root / "runs" / _check_id(run_id, "run_")

    def staging_dir(self) -> Path:
        path = self.root / "tmp" / secrets.token_hex(8)
        path.mkdir(parents=True)
        return path

    def iter_dataset_dirs(self):
        yield from (self.root / "owners").glob("*/datasets/ds_*")

    def iter_run_dirs(self):
        yield from (self.root / "runs").glob("run_*")


def _read_meta(path: Path) -> DatasetInfo:
    return DatasetInfo.from_dict(json.loads((path / "meta.json").read_text(encoding="utf-8")))


def get_dataset(store: DatasetStore, owner_key: str, dataset_id: str) -> DatasetInfo:
    """Return one of the owner's datasets; raise ``NotFound`` for anyone else's id."""
    path = store.dataset_dir(owner_key, dataset_id)
    try:
        return _read_meta(path)
    except FileNotFoundError:
        raise NotFound(
            "We could not find that dataset. It may have expired or been deleted."
        ) from None


def list_datasets(store: DatasetStore, owner_key: str) -> list[DatasetInfo]:
    """The owner's datasets, newest first."""
    found = []
    for path in (store.owner_dir(owner_key) / "datasets").glob("ds_*"):
        with contextlib.suppress(FileNotFoundError):
            found.append(_read_meta(path))
    return sorted(found, key=lambda d: d.created_at, reverse=True)


def _read_state(run_dir: Path) -> dict[str, Any] | None:
    try:
        return json.loads((run_dir / "state.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _runs_of(store: DatasetStore, owner_hash: str, dataset_id: str | None = None):
    for run_dir in store.iter_run_dirs():
        state = _read_state(run_dir)
        if state is None or state.get("owner") != owner_hash:
            continue
        if dataset_id is None or state.get("dataset_id") == dataset_id:
            yield run_dir, state


def delete_dataset(store: DatasetStore, owner_key: str, dataset_id: str) -> list[str]:
    """Delete a dataset and all of its runs and results; return the removed ids."""
    path = store.dataset_dir(owner_key, dataset_id)
    if not path.exists():
        raise NotFound(
            "We could not find that dataset. It may have expired or been deleted."
        ) from None
    removed = []
    for run_dir, _ in list(_runs_of(store, owner_dirname(owner_key), dataset_id)):
        shutil.rmtree(run_dir, ignore_errors=True)
        removed.append(run_dir.name)
    shutil.rmtree(path)
    removed.append(dataset_id)
    return removed


def reassign_owner(store: DatasetStore, old_owner_key: str, new_owner_key: str) -> list[str]:
    """Move every dataset and run of ``old_owner_key`` to ``new_owner_key`` (visitor signs up)."""
    old_dir = store.owner_dir(old_owner_key) / "datasets"
    new_dir = store.owner_dir(new_owner_key) / "datasets"
    old_hash, new_hash = owner_dirname(old_owner_key), owner_dirname(new_owner_key)
    moved = []
    if old_dir.exists():
        new_dir.mkdir(parents=True, exist_ok=True)
        for path in old_dir.glob("ds_*"):
            info = _read_meta(path)
            info.owner_key = new_owner_key
            write_json_atomic(path / "meta.json", info.to_dict())
            os.replace(path, new_dir / path.name)
            moved.append(path.name)
    for run_dir, state in list(_runs_of(store, old_hash)):
        state["owner"] = new_hash
        write_json_atomic(run_dir / "state.json", state)
        moved.append(run_dir.name)
    shutil.rmtree(store.owner_dir(old_owner_key), ignore_errors=True)
    return moved


def purge(store: DatasetStore, now: datetime | None = None) -> list[dict[str, str]]:
    """Delete every expired dataset (with its runs), orphan run and stale staging dir.

    Returns one ``{"kind", "id"}`` entry per removed item.
    """
    now = now or utcnow()
    removed: list[dict[str, str]] = []
    live: set[str] = set()
    for path in list(store.iter_dataset_dirs()):
        try:
            info = _read_meta(path)
        except (FileNotFoundError, json.JSONDecodeError, KeyError):
            info = None
        if info is not None and info.expires_at > now:
            live.add(info.id)
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append({"kind": "dataset", "id": path.name})
    for run_dir in list(store.iter_run_dirs()):
        state = _read_state(run_dir) or {}
        expires = state.get("expires_at")
        expired = expires is None or datetime.fromisoformat(expires) <= now
        if expired or state.get("dataset_id") not in live:
            shutil.rmtree(run_dir, ignore_errors=True)
            removed.append({"kind": "run", "id": run_dir.name})
    day_ago = now.timestamp() - 86400
    for tmp in list((store.root / "tmp").iterdir()):
        if tmp.stat().st_mtime < day_ago:
            shutil.rmtree(tmp, ignore_errors=True)
            removed.append({"kind": "staging", "id": tmp.name})
    return removed
