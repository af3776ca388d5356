"""``flask pipeline …``: rebuild deals, send alert digests, deliver webhooks, run a worker."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup

from portal.extensions import db
from portal.ideas.cli import send_updates as send_idea_updates
from portal.pipeline.alerts import send_digests
from portal.pipeline.due_alerts import raise_due_alerts
from portal.pipeline.outgoing_webhooks import deliver_due
from portal.pipeline.rebuild import rebuild_deals

pipeline_cli = AppGroup("pipeline", help="The seller pipeline: deals, alerts, webhooks.")


@pipeline_cli.command("rebuild")
def rebuild_command() -> None:
    """Recompute every deal from the raw journey events."""
    started = time.perf_counter()
    count = rebuild_deals()
    db.session.commit()  # the command's one commit
    click.echo(f"Rebuilt {count} deals in {time.perf_counter() - started:.1f} s.")


def _send_digests() -> int:
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_BASE_URL"]):
        raise_due_alerts()
        sent = send_digests()
        db.session.commit()  # the command's commit; it sends the queued digests
    return sent


@pipeline_cli.command("digest")
def digest_command() -> None:
    """E-mail each seller their alerts not mailed yet."""
    click.echo(f"Sent {_send_digests()} digest e-mail(s).")


@pipeline_cli.command("deliver-webhooks")
def deliver_command() -> None:
    """Send the outbound webhook deliveries that are due (retries included)."""
    done = deliver_due()
    ok = sum(1 for d in done if d.status == "delivered")
    click.echo(f"Attempted {len(done)} deliveries: {ok} delivered.")


@pipeline_cli.command("worker")
@click.option("--interval", default=10.0, show_default=True, help="Seconds between rounds.")
@click.option("--digest-every", default=3600.0, show_default=True, help="Seconds between digests.")
@click.option(
    "--idea-updates-every",
    default=900.0,
    show_default=True,
    help="Seconds between idea-update e-mails to voters (a digest of what waited).",
)
@click.option("--once", is_flag=True, help="Run one round and stop.")
def worker_command(interval: float, digest_every: float, idea_updates_every: float, once: bool):
    """Deliver webhooks continuously; send alert digests and the ideas board's updates to
    voters and authors (``flask ideas send-updates``) periodically."""
    last_digest = last_idea_updates = float("-inf")
    while True:
        deliver_due()
        if time.monotonic() - last_digest >= digest_every:
            _send_digests()
            last_digest = time.monotonic()
        if time.monotonic() - last_idea_updates >= idea_updates_every:
            send_idea_updates()
            last_idea_updates = time.monotonic()
        db.session.remove()
        if once:
            return
        time.sleep(interval)
