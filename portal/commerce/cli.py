"""``flask --app portal quotes …``"""

import click
from flask.cli import AppGroup

from portal.commerce.quotes import expire_due_quotes
from portal.extensions import db

quotes_cli = AppGroup("quotes", help="Manage quotes.")


@quotes_cli.command("expire")
def expire_command() -> None:
    """Mark every open quote past its validity date as expired. Run it from a scheduler
    (cron, a systemd timer) as often as you like; quotes are also expired when read."""
    count = expire_due_quotes()
    db.session.commit()
    click.echo(f"Expired {count} quote{'s' if count != 1 else ''}.")
