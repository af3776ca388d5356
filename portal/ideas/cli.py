"""``flask ideas …``: mail voters and authors the idea updates waiting for them."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from portal.extensions import db
from portal.ideas.notices import send_idea_updates

ideas_cli = AppGroup("ideas", help="The ideas board.")


def send_updates() -> int:
    """Send the waiting notices (links need a request context with the public address)."""
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_BASE_URL"]):
        sent = send_idea_updates()
        db.session.commit()  # the command's commit; it sends the queued mail
    return sent


@ideas_cli.command("send-updates")
def send_updates_command() -> None:
    """E-mail each voter and author one message with their waiting idea updates."""
    click.echo(f"Sent {send_updates()} idea update e-mail(s).")
