"""Demo runs: start a product's demo on a dataset, follow it, read and download its result.

Completion is recorded exactly once, by whichever request or worker sees a run finished
first. Functions raise ``TrialError`` subclasses and only ``flush()``.
"""

from __future__ import annotations

import json
from typing import Any

from flask import current_app
from sqlalchemy import select, update

import sandbox
from portal.extensions import db
from portal.journey.owners import user_id_of
from portal.journey.services import Actor, record_event
from portal.models import Product, TrialDataset, TrialRun, User
from portal.trials.datasets import FILES_GONE, now, owned, recipe_for
from portal.trials.errors import QuotaExceeded, TrialError, TrialNotFound
from portal.trials.sandbox_gateway import get_queue

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


def find_run(owner_key: str | None, sandbox_id: str) -> TrialRun:
    """One of the owner's demo runs; anyone else's is not found."""
    run = owned(TrialRun, owner_key, sandbox_id)
    if run is None:
        raise TrialNotFound("We could not find that demo run. It may have expired or been deleted.")
    return run


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
        raise TrialNotFound(FILES_GONE) from None
    except sandbox.QueueUnavailable as error:
        raise TrialError(error.message, status=503, code="queue_unavailable") from None
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
        values["finished_at"] = now()
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


def export_result(actor: Actor | None, run: TrialRun, fmt: str) -> tuple[str, str]:
    """The result as a download (body, mimetype) in ``fmt`` ("csv" or "json"); the download
    is recorded as a journey event."""
    refresh_run(run)
    if fmt == "csv":
        body, mimetype = result_csv(run), "text/csv"  # Response adds "; charset=utf-8"
    else:
        body, mimetype = json.dumps(run_result(run), indent=2), "application/json"
    record_event(actor, "demo_result_downloaded", run.product_id, run_id=run.sandbox_id, format=fmt)
    return body, mimetype


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
