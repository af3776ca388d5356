"""``flask --app portal catalog …``"""

import click
from flask.cli import AppGroup

from portal.catalog.search import rebuild_search_index
from portal.extensions import db

catalog_cli = AppGroup("catalog", help="Manage the product catalog.")


@catalog_cli.command("reindex")
def reindex_command() -> None:
    """Rebuild the full-text search index from the catalog (after a restore or an import)."""
    rows = rebuild_search_index()
    db.session.commit()  # the command's one commit
    click.echo(f"Search index rebuilt: {rows} entries.")
