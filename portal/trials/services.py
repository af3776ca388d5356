"""Try before you buy: upload a file, map its columns, run a product's demo, read the result.

The only place in the portal that talks to the sandbox engine (through ``engine``). Every
function takes the owner key ("u<id>" or "v<visitor id>") and, where journey events are
recorded, the consenting ``Actor`` (None = nothing is recorded). They raise ``TrialError``
subclasses with a message meant for the person and an HTTP status, and only ``flush()``.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, BinaryIO

from sqlalchemy import delete, func, select, update
from sqlalchemy.sql import Select

import sandbox
from portal.extensions import db
from portal.journey.services import Actor, record_event
from portal.models import Product, TrialDataset, TrialRun, User
from portal.trials.engine import (
    get_queue,
    get_store,
    sandbox_limits,
    upload_counter,
    uploads_per_hour,
)
from portal.trials.formatting import human_bytes

if TYPE_CHECKING:
    from sandbox.recipes import Recipe

log = logging.getLogger(__name__)

ACTIVE_STATES = ("queued", "running")
FAILURE_ADVICE = {
    "bad_data": "Map another column or fix the file, then run the demo again.",
    "timeout": "The file may be too large for a quick demo. Try a smaller extract.",
    "memory": "The file needs more memory than a demo may use. Try a smaller extract.",
    "disk": "The demo wrote more data than allowed. Try a smaller extract.",
    "worker_lost": "Please run the demo again.",
    "forbidden": "Please run the demo again; if it keeps failing, tell us.",
    "internal": "Please run the demo again; if it keeps failing, tell us.",
}


class TrialError(Exception):
    """Something the person can fix; ``message`` is shown as is, ``status`` is the HTTP code."""

    status = 422

    def __init__(self, message: str, status: int | None = None, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        if status is not None:
            self.status = status


class QuotaExceeded(TrialError):
    status = 429


class TrialNotFound(TrialError):
    status = 404


def user_id_of(owner_key: str) -> int | None:
    return int(owner_key[1:]) if owner_key.startswith("u") and owner_key[1:].isdigit() else None


def _now() -> datetime:
    return datetime.now(UTC)


# --- looking things up -------------------------------------------------------------------


def recipe_for(product: Product) -> Recipe:
    """The demo recipe of a product; ``TrialNotFound`` when it has none."""
    try:
        return sandbox.get_recipe(product.recipe or "")
    except sandbox.NotFound:
        raise TrialNotFound(f"{product.name} has no demo to try yet.") from None


def find_dataset(owner_key: str | None, sandbox_id: str) -> TrialDataset:
    """One of the owner's datasets; anyone else's (or an expired one) is not found."""
    dataset = None
    if owner_key:
        dataset = db.session.scalar(
            select(TrialDataset).where(
                TrialDataset.sandbox_id == sandbox_id, TrialDataset.owner_key == owner_key
            )
        )
    if dataset is None or dataset.expires_at <= _now():
        raise TrialNotFound("We could not find that dataset. It may have expired or been deleted.")
    return dataset


def find_run(owner_key: str | None, sandbox_id: str) -> TrialRun:
    run = None
    if owner_key:
        run = db.session.scalar(
            select(TrialRun).where(
                TrialRun.sandbox_id == sandbox_id, TrialRun.owner_key == owner_key
            )
        )
    if run is None:
        raise TrialNotFound("We could not find that demo run. It may have expired or been deleted.")
    return run


def datasets_of(owner_key: str, product: Product | None = None) -> Select:
    """The owner's live datasets, newest first (a select, so views can paginate)."""
    query = select(TrialDataset).where(
        TrialDataset.owner_key == owner_key, TrialDataset.expires_at > _now()
    )
    if product is not None:
        query = query.where(TrialDataset.product_id == product.id)
    return query.order_by(TrialDataset.created_at.desc(), TrialDataset.id.desc())


def dataset_info(dataset: TrialDataset) -> sandbox.DatasetInfo:
    """What the engine knows about the file: columns with types, first rows, warnings."""
    try:
        return sandbox.get_dataset(get_store(), dataset.owner_key, dataset.sandbox_id)
    except sandbox.NotFound:
        raise TrialNotFound(
            "The files of that dataset are gone (it expired or was deleted). Upload it again."
        ) from None


def usage(owner_key: str) -> dict[str, int]:
    """Bytes stored and runs going for an owner, with the configured maxima."""
    from flask import current_app

    config = current_app.config
    used = db.session.scalar(
        select(func.coalesce(func.sum(TrialDataset.size_bytes), 0)).where(
            TrialDataset.owner_key == owner_key, TrialDataset.expires_at > _now()
        )
    )
    return {
        "bytes": int(used or 0),
        "max_bytes": config["TRIAL_MAX_BYTES_PER_OWNER"],
        "max_runs": config["TRIAL_CONCURRENT_RUNS"],
        "uploads_per_hour": config["TRIAL_UPLOADS_PER_HOUR"],
    }


# --- uploading ---------------------------------------------------------------------------


def _check_upload_quota(owner_key: str) -> dict[str, int]:
    limit = uploads_per_hour()
    counter = upload_counter()
    if not counter.test(limit, "trial-upload", owner_key):
        reset = counter.get_window_stats(limit, "trial-upload", owner_key).reset_time
        minutes = max(1, round((reset - _now().timestamp()) / 60))
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
        f"Your uploaded files take {human_bytes(room['bytes'])} of the "
        f"{human_bytes(room['max_bytes'])} you may keep here. Delete a dataset "
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
    except Exception:  # noqa: BLE001 - an unreadable file must never become a 500
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


def add_sample_dataset(owner_key: str, actor: Actor | None, product: Product) -> TrialDataset:
    """ "No data at hand? Try ours": the recipe's sample file, stored like an upload."""
    import io

    recipe = recipe_for(product)
    data = sandbox.sample_csv(recipe.name)
    filename = f"sample-{product.slug}.csv"
    return upload_dataset(owner_key, actor, product, io.BytesIO(data), filename, is_sample=True)


# --- running -----------------------------------------------------------------------------


def suggested_mapping(info: sandbox.DatasetInfo, product: Product) -> dict[str, sandbox.Suggestion]:
    """The engine's column suggestion for each field it could match: the column, why
    ("looks like people's names; 30 distinct") and whether to preselect it."""
    return sandbox.suggest_mapping(info, recipe_for(product))


def start_run(
    owner_key: str,
    actor: Actor | None,
    dataset: TrialDataset,
    product: Product,
    mapping: dict[str, str | None],
    params: dict[str, Any],
) -> TrialRun:
    """Queue the product's demo on ``dataset`` with the chosen mapping and settings.

    Raises ``QuotaExceeded`` when the owner already has the most runs going at once and
    ``TrialError`` (422) naming the field, column or setting that does not fit.
    """
    from flask import current_app

    recipe = recipe_for(product)
    limit = current_app.config["TRIAL_CONCURRENT_RUNS"]
    active = db.session.scalars(
        select(TrialRun).where(TrialRun.owner_key == owner_key, TrialRun.state.in_(ACTIVE_STATES))
    ).all()
    going = sum(1 for run in active if not _refresh_quietly(run))
    if going >= limit:
        raise QuotaExceeded(
            f"You already have {going} demo{'s' if going != 1 else ''} running, the most at "
            "once. Wait until one has finished, then run this one.",
            code="concurrent_runs",
        )
    try:
        run_id = get_queue().submit(owner_key, dataset.sandbox_id, recipe.name, mapping, params)
    except sandbox.MappingError as error:
        raise TrialError(error.message, code="mapping") from None
    except sandbox.NotFound:
        raise TrialNotFound(
            "The files of that dataset are gone (it expired or was deleted). Upload it again."
        ) from None
    status = get_queue().status(run_id, owner_key)
    run = TrialRun(
        sandbox_id=run_id,
        dataset_id=dataset.id,
        owner_key=owner_key,
        user_id=user_id_of(owner_key),
        product_id=product.id,
        recipe=recipe.name,
        mapping={k: v for k, v in mapping.items() if v},
        params=params,
        state="queued",
        tracked=actor is not None,
        visitor_id=actor.visitor_id if actor else None,
    )
    db.session.add(run)
    db.session.flush()
    record_event(actor, "demo_started", product, run_id=run_id, recipe=recipe.name)
    if status.done:
        refresh_run(run)
    return run


def _refresh_quietly(run: TrialRun) -> bool:
    """Refresh a run's state; True when it is done (or its files are gone)."""
    try:
        refresh_run(run)
    except TrialNotFound:
        return True
    return run.done


def _actor_of(run: TrialRun) -> Actor | None:
    """Who the completion event is credited to: whoever consented when it started."""
    if not run.tracked:
        return None
    if run.user_id is not None:
        user = db.session.get(User, run.user_id)
        return Actor.for_user(user, run.visitor_id) if user else None
    return Actor(visitor_id=run.visitor_id) if run.visitor_id else None


def refresh_run(run: TrialRun) -> sandbox.RunStatus:
    """Read the run's status from the engine and mirror it on the row.

    The moment a run is seen finished (by whichever request or worker looks first) its
    ``demo_completed`` or ``demo_failed`` event is recorded, exactly once: the conditional
    UPDATE only succeeds for one caller.
    """
    queue = get_queue()
    try:
        status = queue.status(run.sandbox_id, run.owner_key)
    except sandbox.NotFound:
        raise TrialNotFound(
            "We could not find that demo run. It may have expired or been deleted."
        ) from None
    if run.done or status.state == run.state:
        return status
    values: dict[str, Any] = {"state": status.state}
    if status.done:
        values["finished_at"] = _now()
        values["error_category"] = status.error_category
        if status.state == "succeeded":
            try:
                values["rows"] = int(queue.result(run.sandbox_id, run.owner_key).get("rows") or 0)
            except (sandbox.SandboxError, OSError, ValueError):
                values["rows"] = None
    result = db.session.execute(
        update(TrialRun)
        .where(TrialRun.id == run.id, TrialRun.state.in_(ACTIVE_STATES))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(run)
    if result.rowcount == 1 and status.done:
        actor = _actor_of(run)
        if status.state == "succeeded":
            record_event(
                actor,
                "demo_completed",
                run.product_id,
                run_id=run.sandbox_id,
                recipe=run.recipe,
                rows=run.rows,
            )
        else:
            record_event(
                actor,
                "demo_failed",
                run.product_id,
                run_id=run.sandbox_id,
                recipe=run.recipe,
                reason=status.error_category or "internal",
            )
    return status


def run_result(run: TrialRun) -> dict[str, Any]:
    """The result JSON of a succeeded run (see ``sandbox.result``)."""
    try:
        return get_queue().result(run.sandbox_id, run.owner_key)
    except sandbox.ResultNotReady as error:
        raise TrialError(error.message, status=409, code="not_ready") from None
    except sandbox.NotFound:
        raise TrialNotFound("The result of that demo is gone. Run it again.") from None


def result_csv(run: TrialRun) -> str:
    """The result as CSV text; formula-like cells are neutralised by the engine."""
    return sandbox.write_result_csv(run_result(run))


def record_download(actor: Actor | None, run: TrialRun, fmt: str) -> None:
    record_event(actor, "demo_result_downloaded", run.product_id, run_id=run.sandbox_id, format=fmt)


def refresh_runs_of(datasets: list[TrialDataset]) -> None:
    """Bring the runs listed with these datasets up to date (for the 'My trials' page)."""
    for dataset in datasets:
        for run in dataset.runs:
            if not run.done:
                _refresh_quietly(run)


def sync_unfinished_runs() -> int:
    """Refresh every run still queued or running (the worker does this on a schedule so
    completion events are recorded even when nobody watches the page). Returns how many
    finished."""
    finished = 0
    for run in db.session.scalars(select(TrialRun).where(TrialRun.state.in_(ACTIVE_STATES))):
        if _refresh_quietly(run):
            finished += 1
    return finished


# --- deleting, moving, exporting ---------------------------------------------------------


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


def move_visitor_data(visitor_id: str, user: User) -> int:
    """A visitor signed up or in: their datasets and runs become the user's."""
    old, new = f"v{visitor_id}", f"u{user.id}"
    count = db.session.scalar(
        select(func.count()).select_from(TrialDataset).where(TrialDataset.owner_key == old)
    )
    if not count:
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
    now = now or _now()
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
