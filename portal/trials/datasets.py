"""Trial datasets: find and list an owner's files, upload one (within the quotas) or the
recipe's sample, delete one.

Every function takes the owner key (see ``portal.journey.owners``) and, where journey events
are recorded, the consenting ``Actor`` (None = nothing is recorded). They raise ``TrialError``
subclasses and only ``flush()``.
"""

from __future__ import annotations

import contextlib
import io
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, BinaryIO

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.sql import Select

import sandbox
from portal.extensions import db
from portal.journey.owners import user_id_of
from portal.journey.services import Actor, record_event
from portal.models import Product, TrialDataset, TrialRun
from portal.trials.errors import QuotaExceeded, TrialError, TrialNotFound
from portal.trials.formatting import filesize
from portal.trials.sandbox_gateway import (
    get_store,
    sandbox_limits,
    upload_counter,
    uploads_per_hour,
)

if TYPE_CHECKING:
    from sandbox.recipes import Recipe

log = logging.getLogger(__name__)

FILES_GONE = "The files of that dataset are gone (it expired or was deleted). Upload it again."


def now() -> datetime:
    return datetime.now(UTC)


def recipe_for(product: Product) -> Recipe:
    """The demo recipe of a product; ``TrialNotFound`` when it has none."""
    try:
        return sandbox.get_recipe(product.recipe or "")
    except sandbox.NotFound:
        raise TrialNotFound(f"{product.name} has no demo to try yet.") from None


def owned(model: type[TrialDataset | TrialRun], owner_key: str | None, sandbox_id: str):
    """The owner's dataset or run with this sandbox id, or None (also for no owner)."""
    if not owner_key:
        return None
    return db.session.scalar(
        select(model).where(model.sandbox_id == sandbox_id, model.owner_key == owner_key)
    )


def find_dataset(owner_key: str | None, sandbox_id: str) -> TrialDataset:
    """One of the owner's datasets; anyone else's (or an expired one) is not found."""
    dataset = owned(TrialDataset, owner_key, sandbox_id)
    if dataset is None or dataset.expires_at <= now():
        raise TrialNotFound("We could not find that dataset. It may have expired or been deleted.")
    return dataset


def datasets_of(owner_key: str, product: Product | None = None) -> Select:
    """The owner's live datasets, newest first (a select, so views can paginate)."""
    query = select(TrialDataset).where(
        TrialDataset.owner_key == owner_key, TrialDataset.expires_at > now()
    )
    if product is not None:
        query = query.where(TrialDataset.product_id == product.id)
    return query.order_by(TrialDataset.created_at.desc(), TrialDataset.id.desc())


def dataset_info(dataset: TrialDataset) -> sandbox.DatasetInfo:
    """What the engine knows about the file: columns with types, first rows (long cells cut,
    also for datasets stored before the engine cut them), warnings."""
    try:
        info = sandbox.get_dataset(get_store(), dataset.owner_key, dataset.sandbox_id)
    except sandbox.NotFound:
        raise TrialNotFound(FILES_GONE) from None
    info.sample_rows = [[sandbox.sample_cell(v) for v in row] for row in info.sample_rows]
    return info


def usage(owner_key: str) -> dict[str, int]:
    """Bytes stored and runs going for an owner, with the configured maxima."""
    config = current_app.config
    used = db.session.scalar(
        select(func.coalesce(func.sum(TrialDataset.size_bytes), 0)).where(
            TrialDataset.owner_key == owner_key, TrialDataset.expires_at > now()
        )
    )
    return {
        "bytes": int(used or 0),
        "max_bytes": config["TRIAL_MAX_BYTES_PER_OWNER"],
        "max_runs": config["TRIAL_CONCURRENT_RUNS"],
        "uploads_per_hour": config["TRIAL_UPLOADS_PER_HOUR"],
    }


def _check_upload_quota(owner_key: str) -> dict[str, int]:
    limit = uploads_per_hour()
    counter = upload_counter()
    if not counter.test(limit, "trial-upload", owner_key):
        reset = counter.get_window_stats(limit, "trial-upload", owner_key).reset_time
        minutes = max(1, round((reset - now().timestamp()) / 60))
        raise QuotaExceeded(
            f"You have uploaded {limit.amount} files in the last hour, the most we allow. "
            f"Try again in about {minutes} minute{'s' if minutes != 1 else ''}, or reuse a file "
            "you already uploaded.",
            code="uploads_per_hour",
        )
    room = usage(owner_key)
    if room["bytes"] >= room["max_bytes"]:
        raise QuotaExceeded(_bytes_message(room), code="bytes")
    return room


def _bytes_message(room: dict[str, int]) -> str:
    return (
        f"Your uploaded files take {filesize(room['bytes'])} of the "
        f"{filesize(room['max_bytes'])} you may keep here. Delete a dataset "
        "you no longer need on 'My trials', then upload again."
    )


def upload_dataset(
    owner_key: str,
    actor: Actor | None,
    product: Product,
    source: BinaryIO,
    filename: str,
    *,
    is_sample: bool = False,
) -> TrialDataset:
    """Check the quotas, ingest the file into the sandbox store and record who owns it.

    Raises ``QuotaExceeded`` (429), or ``TrialError`` with 413 for a file over the size
    limit and 422 for anything that is not a usable table.
    """
    recipe_for(product)
    room = _check_upload_quota(owner_key)
    store = get_store()
    try:
        info = sandbox.ingest(store, owner_key, source, filename, limits=sandbox_limits())
    except sandbox.IngestError as error:
        raise TrialError(
            error.message, status=413 if error.code == "too_large" else 422, code=error.code
        ) from None
    except Exception:  # an unreadable file must never become a 500
        log.exception("ingest failed for %r", filename)
        raise TrialError(
            "We could not read this file as a table. Save it as CSV (UTF-8) or Excel (.xlsx) "
            "and upload it again.",
            code="unreadable",
        ) from None
    if room["bytes"] + info.size_bytes > room["max_bytes"]:
        sandbox.delete_dataset(store, owner_key, info.id)
        raise QuotaExceeded(_bytes_message(room), code="bytes")
    upload_counter().hit(uploads_per_hour(), "trial-upload", owner_key)
    dataset = TrialDataset(
        sandbox_id=info.id,
        owner_key=owner_key,
        user_id=user_id_of(owner_key),
        product_id=product.id,
        filename=info.filename,
        format=info.format,
        rows=info.rows,
        columns=len(info.columns),
        size_bytes=info.size_bytes,
        is_sample=is_sample,
        created_at=info.created_at,
        expires_at=info.expires_at,
    )
    db.session.add(dataset)
    db.session.flush()
    record_event(
        actor,
        "demo_uploaded",
        product,
        dataset_id=info.id,
        format=info.format,
        rows=info.rows,
        columns=len(info.columns),
        sample=int(is_sample),
    )
    return dataset


def record_rejected_upload(actor: Actor | None, product: Product, reason: str) -> None:
    """Record that an upload was refused, and why (a journey event, for the seller's
    listening view). Called after the refused upload's rollback, in its own transaction."""
    record_event(actor, "upload_rejected", product, reason=reason or "unreadable")


def add_sample_dataset(owner_key: str, actor: Actor | None, product: Product) -> TrialDataset:
    """ "No data at hand? Try ours": the recipe's sample file, stored like an upload."""
    recipe = recipe_for(product)
    data = sandbox.sample_csv(recipe.name)
    filename = f"sample-{product.slug}.csv"
    return upload_dataset(owner_key, actor, product, io.BytesIO(data), filename, is_sample=True)


def delete_dataset(owner_key: str, actor: Actor | None, dataset: TrialDataset) -> int:
    """Delete a dataset now: its files, its runs' results and its rows. Returns the run count."""
    if dataset.owner_key != owner_key:
        raise TrialNotFound("We could not find that dataset.")
    with contextlib.suppress(sandbox.NotFound):  # already purged: the rows still go
        sandbox.delete_dataset(get_store(), owner_key, dataset.sandbox_id)
    runs = len(dataset.runs)
    product_id, sandbox_id = dataset.product_id, dataset.sandbox_id
    db.session.delete(dataset)
    db.session.flush()
    record_event(actor, "dataset_deleted", product_id, dataset_id=sandbox_id)
    return runs
