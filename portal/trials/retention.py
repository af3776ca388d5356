"""Trial data follows the person and expires: moved from visitor or device to user, erased,
exported, and purged when its time is up. Only ``flush()``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select, update

import sandbox
from portal.extensions import db
from portal.journey.owners import user_key, visitor_key
from portal.models import TrialDataset, TrialRun, User
from portal.trials.sandbox_gateway import get_store


def move_visitor_data(visitor_id: str, user: User) -> int:
    """A visitor signed up or in: their datasets and runs become the user's."""
    return move_owner_data(visitor_key(visitor_id), user)


def move_owner_data(old: str, user: User) -> int:
    """Datasets and runs of a visitor or a device (``v…``/``d…``) become the user's.

    Returns how many datasets moved."""
    new = user_key(user.id)
    count = db.session.scalar(
        select(func.count()).select_from(TrialDataset).where(TrialDataset.owner_key == old)
    )
    if not count or old == new:
        return 0
    sandbox.reassign_owner(get_store(), old, new)
    for model in (TrialDataset, TrialRun):
        db.session.execute(
            update(model)
            .where(model.owner_key == old)
            .values(owner_key=new, user_id=user.id)
            .execution_options(synchronize_session=False)
        )
    db.session.flush()
    return count


def erase_owner_data(owner_key: str) -> int:
    """Delete every dataset, run and result of an owner, on disk and in the database."""
    store = get_store()
    removed = 0
    for info in sandbox.list_datasets(store, owner_key):
        try:
            sandbox.delete_dataset(store, owner_key, info.id)
            removed += 1
        except sandbox.NotFound:
            pass
    db.session.execute(delete(TrialRun).where(TrialRun.owner_key == owner_key))
    db.session.execute(delete(TrialDataset).where(TrialDataset.owner_key == owner_key))
    db.session.flush()
    return removed


def export_owner_data(owner_key: str) -> list[dict[str, Any]]:
    """The owner's datasets and runs as JSON-ready data (for ``/account/data``)."""
    datasets = db.session.scalars(
        select(TrialDataset)
        .where(TrialDataset.owner_key == owner_key)
        .order_by(TrialDataset.created_at)
    )
    return [
        {
            "id": d.sandbox_id,
            "filename": d.filename,
            "format": d.format,
            "rows": d.rows,
            "columns": d.columns,
            "size_bytes": d.size_bytes,
            "sample": d.is_sample,
            "product": d.product.slug if d.product else None,
            "uploaded_at": d.created_at.isoformat(),
            "expires_at": d.expires_at.isoformat(),
            "runs": [
                {
                    "id": r.sandbox_id,
                    "recipe": r.recipe,
                    "state": r.state,
                    "rows": r.rows,
                    "mapping": r.mapping,
                    "params": r.params,
                    "started_at": r.created_at.isoformat(),
                    "finished_at": r.finished_at.isoformat() if r.finished_at else None,
                }
                for r in d.runs
            ],
        }
        for d in datasets
    ]


def purge_expired(now: datetime | None = None) -> dict[str, int]:
    """Remove expired datasets and results from the store, and their rows.

    Returns counts per kind (dataset, run, staging, rows).
    """
    now = now or datetime.now(UTC)
    removed = sandbox.purge(get_store(), now=now)
    counts: dict[str, int] = {"dataset": 0, "run": 0, "staging": 0}
    for item in removed:
        counts[item["kind"]] = counts.get(item["kind"], 0) + 1
    gone_runs = [item["id"] for item in removed if item["kind"] == "run"]
    gone_datasets = [item["id"] for item in removed if item["kind"] == "dataset"]
    rows = 0
    if gone_runs:
        rows += db.session.execute(
            delete(TrialRun).where(TrialRun.sandbox_id.in_(gone_runs))
        ).rowcount
    expired = select(TrialDataset.id).where(
        (TrialDataset.expires_at <= now) | TrialDataset.sandbox_id.in_(gone_datasets)
    )
    rows += db.session.execute(delete(TrialRun).where(TrialRun.dataset_id.in_(expired))).rowcount
    rows += db.session.execute(
        delete(TrialDataset).where(
            (TrialDataset.expires_at <= now) | TrialDataset.sandbox_id.in_(gone_datasets)
        )
    ).rowcount
    db.session.flush()
    counts["rows"] = rows
    return counts
