"""``flask purge-sandbox`` and ``flask worker``: retention and demo runs outside the web."""

from __future__ import annotations

import threading
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.auth.signups import clear_expired_signups
from portal.extensions import db
from portal.trials.retention import purge_expired
from portal.trials.runs import sync_unfinished_runs
from portal.trials.sandbox_gateway import is_rq
from sandbox.queue import run_worker


def _purge_once() -> dict[str, int]:
    counts = purge_expired()
    counts["finished"] = sync_unfinished_runs()
    counts["signups"] = clear_expired_signups(current_app.config["SIGNUP_CONFIRM_MAX_AGE"])
    db.session.commit()  # a command's one commit, after both steps
    return counts


@click.command("purge-sandbox")
@with_appcontext
def purge_sandbox_command() -> None:
    """Delete expired trial datasets and results (files and rows) and expired sign-ups."""
    counts = _purge_once()
    click.echo(
        f"Purged {counts['dataset']} dataset(s), {counts['run']} run(s), "
        f"{counts['staging']} staging folder(s), {counts['rows']} row(s) and "
        f"{counts['signups']} expired sign-up request(s)."
    )


def _schedule(app, every: float, stop: threading.Event) -> None:
    while not stop.wait(every):
        with app.app_context():
            try:
                _purge_once()
            except Exception:  # keep the schedule alive; the next round retries
                db.session.rollback()
                app.logger.exception("scheduled sandbox purge failed")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty (RQ).")
@click.option("--once", is_flag=True, help="Run one purge round and exit.")
@with_appcontext
def worker_command(burst: bool, once: bool) -> None:
    """Run sandbox demos from the RQ queue and purge expired data on a schedule.

    With ``QUEUE_URL`` set to redis://, this process executes demo runs; without it the web
    process runs demos itself and this command only keeps the purge schedule.
    """
    app = current_app._get_current_object()
    counts = _purge_once()
    click.echo(f"Purged {counts['dataset']} expired dataset(s).")
    if once:
        return
    every = max(1, app.config["SANDBOX_PURGE_MINUTES"]) * 60
    stop = threading.Event()
    schedule = threading.Thread(
        target=_schedule, args=(app, every, stop), name="sandbox-purge", daemon=True
    )
    schedule.start()
    queue_url = app.config["QUEUE_URL"]
    try:
        if is_rq(queue_url):
            click.echo(f"Running sandbox demos from {queue_url.split('@')[-1]}.")
            run_worker(queue_url, queue_name=app.config["SANDBOX_QUEUE_NAME"], burst=burst)
        else:
            click.echo(
                "QUEUE_URL is not set: demos run inside the web process. Purging every "
                f"{every // 60} minute(s); Ctrl+C stops."
            )
            while not burst:
                time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
