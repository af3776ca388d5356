"""On PostgreSQL the catalog page version reaches each process by notification (LISTEN /
NOTIFY, ``portal.catalog.version_feed``): a warm view reads no row, and a write made by
another process (a real one, started here) still makes this process's next view fresh,
also after the feed's connection was ended by the server."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from portal.catalog import version_feed
from portal.extensions import db as _db
from portal.models import CatalogPageVersion
from tests.catalog.test_catalog_page_cache import shop  # noqa: F401 (fixture)
from tests.catalog.test_catalog_queries import counting_queries

pytestmark = pytest.mark.postgres

PATH = "/products/lens"
ROOT = Path(__file__).resolve().parents[2]
# Another process of the portal: its own app on the same database, raising the Team plan's
# price through the service the staff pages use, then committing.
WRITER = """
import json, sys
from sqlalchemy import select
from portal import create_app
from portal.catalog.plans import PlanData, update_plan
from portal.extensions import db
from portal.models import Plan
config, cents = json.loads(sys.argv[1]), int(sys.argv[2])
app = create_app(config)
with app.app_context():
    plan = db.session.scalar(select(Plan).where(Plan.name == "Team"))
    update_plan(plan, PlanData("Team", cents, per_seat=True, max_quantity=50))
    db.session.commit()
"""


def write_in_another_process(app, cents: int) -> None:
    keep = ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "MAIL_OUTBOX", "SANDBOX_STORE",
            "CATALOG_FILES", "TESTDRIVE_ENV", "TESTING", "RATELIMIT_STORAGE_URI")  # fmt: skip
    config = {k: app.config[k] for k in keep}
    subprocess.run(
        [sys.executable, "-c", WRITER, json.dumps(config), str(cents)], cwd=ROOT, check=True
    )


def committed_version() -> int:
    with _db.engine.connect() as conn:
        return conn.scalar(select(CatalogPageVersion.version)) or 0


def feed_of(app) -> version_feed.VersionFeed:
    return version_feed.feed_for(_db.engine.url, committed_version)


def heard(feed, version: int) -> list[str]:
    """Ask the feed until it says ``version`` (bounded: the notification is already on its
    way when this is called); return the statements run meanwhile."""
    with counting_queries(Engine) as statements:
        for _ in range(500):
            if feed.version() == version:
                return statements
            time.sleep(0.01)
    raise AssertionError(f"the feed never heard of version {version}")


@pytest.fixture
def warm(app, db, shop, monkeypatch):  # noqa: F811
    """An anonymous visitor's client, its view warm; the feed never reads the row on its own
    schedule (so what it knows, it heard)."""
    client = app.test_client()
    client.set_cookie("td_consent", "decline")
    assert "$49.00" in client.get(PATH).text
    feed = feed_of(app)
    monkeypatch.setattr(feed, "recheck_seconds", 3600.0)
    client.get(PATH)
    assert feed.live
    return client, feed


def test_another_process_write_is_heard_and_the_next_view_shows_it(app, warm):
    client, feed = warm
    with counting_queries(Engine) as statements:
        assert "$49.00" in client.get(PATH).text
    assert statements == []  # warm: not even the version row

    write_in_another_process(app, 7700)
    assert heard(feed, committed_version()) == []  # by notification, no read
    assert "$77.00" in client.get(PATH).text


def test_the_feed_connection_ended_by_the_server_falls_back_and_comes_back(app, warm, monkeypatch):
    client, feed = warm
    monkeypatch.setattr(version_feed, "RETRY_SECONDS", 0.0)
    pid = feed._conn.info.backend_pid
    with _db.engine.connect() as conn:
        assert conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    write_in_another_process(app, 6600)
    # The next view notices the dead connection, reads the row and shows the new price.
    assert "$66.00" in client.get(PATH).text
    for _ in range(500):  # a new connection is made by a later view
        client.get(PATH)
        if feed.live and feed._conn.info.backend_pid != pid:
            break
        time.sleep(0.01)
    assert feed.live and feed._conn.info.backend_pid != pid
    write_in_another_process(app, 5500)
    assert heard(feed, committed_version()) == []
    assert "$55.00" in client.get(PATH).text


def test_this_process_write_is_seen_at_once_before_its_notification(app, warm):
    """The view right after this process's own commit reads the row (its notification may
    still be on the way), and is fresh."""
    client, feed = warm
    from portal.catalog.plans import PlanData, update_plan
    from portal.models import Plan

    plan = _db.session.scalar(select(Plan).where(Plan.name == "Team"))
    update_plan(plan, PlanData("Team", 8800, per_seat=True, max_quantity=50))
    _db.session.commit()
    _db.session.remove()
    assert feed._expected == committed_version()
    assert "$88.00" in client.get(PATH).text
