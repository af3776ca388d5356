"""Command line: ``flask --app portal <command>``.

The commands call the same services as the web UI; each command commits once at the end.
"""

from __future__ import annotations

from importlib import import_module

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from werkzeug.serving import WSGIRequestHandler, run_simple

from portal.auth.services import AuthError, create_user
from portal.catalog.cli import catalog_cli
from portal.commerce.cli import quotes_cli
from portal.extensions import db
from portal.ideas.cli import ideas_cli
from portal.models.accounts import ROLES
from portal.pipeline.cli import pipeline_cli
from portal.trials.cli import purge_sandbox_command, worker_command

# Each area contributes one seeding function, run in this order by ``seed-demo``.
DEMO_SEEDERS = (
    "portal.auth.seed:seed_users",
    "portal.catalog.seed:seed_catalog",
    "portal.commerce.seed:seed_commerce",
    "portal.voices.seed:seed_voices",
    "portal.ideas.seed:seed_ideas",
    "portal.pipeline.seed:seed_pipeline",  # simulates journeys over the others' data
    "portal.room.seed:seed_rooms",  # two committees' rooms on top of the simulated deals
)

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.option("--email", required=True, help="The user's e-mail address.")
@click.option("--role", type=click.Choice(ROLES), default="buyer", show_default=True)
@click.option("--password", required=True, help="At least 10 characters, not a common one.")
@click.option("--name", default="", help="Display name.")
def create_user_command(email: str, role: str, password: str, name: str) -> None:
    """Create a user with a role (buyer, seller or admin)."""
    try:
        user = create_user(email, password, name=name, role=role)
    except AuthError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()  # the command's one commit
    click.echo(f"Created {user.role} {user.email} (account: {user.account.name}).")


@click.command("seed-demo")
def seed_demo_command() -> None:
    """Fill the database with the demo vendor, users and history. Safe to run again."""
    for dotted in DEMO_SEEDERS:
        module_name, func_name = dotted.split(":")
        seeder = getattr(import_module(module_name), func_name)
        for line in seeder() or ():
            click.echo(line)
        db.session.commit()  # one per seeder: each later one reads what the earlier wrote
    click.echo("Demo data is ready.")


class BannerlessRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler without "Server: Werkzeug/<version> Python/<version>"."""

    def version_string(self) -> str:
        return "Testdrive"


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve_command(host: str, port: int) -> None:
    """Serve the portal on the built-in server (``make run``), naming no server version."""
    app = current_app._get_current_object()
    run_simple(host, port, app, threaded=True, request_handler=BannerlessRequestHandler)


def register_cli(app: Flask) -> None:
    app.cli.add_command(serve_command)
    app.cli.add_command(users_cli)
    app.cli.add_command(catalog_cli)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(purge_sandbox_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(pipeline_cli)
    app.cli.add_command(quotes_cli)
    app.cli.add_command(ideas_cli)
