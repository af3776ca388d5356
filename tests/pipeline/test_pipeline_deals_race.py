"""Two people of one buying account acting at the same moment (colleagues signing in
together): both find no deal, and the account's deal is opened once with both events folded
in. Only PostgreSQL has concurrent writers; SQLite takes one writer at a time."""

import threading
import time

import pytest
from sqlalchemy import create_engine, func, select, text

from portal.models import Deal, Event, User
from tests.factories import record

pytestmark = pytest.mark.postgres


def _wait_for_a_blocked_writer(url: str, timeout: float = 10.0) -> bool:
    """True once another backend of this database waits for a lock (the second insert)."""
    engine = create_engine(url)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                waiting = conn.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND wait_event_type = 'Lock'"
                    )
                )
            if waiting:
                return True
            time.sleep(0.05)
        return False
    finally:
        engine.dispose()


def test_two_first_events_of_one_account_at_once_open_one_deal(app, db, make_user):
    ann = make_user(email="ann@initrode.example")
    bob = make_user(email="bob@initrode.example")
    account_id = ann.account_id
    assert bob.account_id == account_id  # one buying account (the company's domain)
    assert db.session.scalar(select(Deal).where(Deal.account_id == account_id)) is None
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    opened, errors, blocked = threading.Event(), [], []

    def first():  # opens the deal and keeps its transaction open until the second waits
        with app.app_context():
            try:
                record(db.session.get(User, ann.id), "logged_in")
                opened.set()
                blocked.append(_wait_for_a_blocked_writer(url))
                db.session.commit()
            except Exception as error:
                errors.append(error)
            finally:
                opened.set()
                db.session.remove()

    def second():  # finds no deal (the first is not committed) and inserts one too
        with app.app_context():
            try:
                assert opened.wait(10)
                record(db.session.get(User, bob.id), "logged_in")
                db.session.commit()
            except Exception as error:
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert blocked == [True]  # the two really met: the second waited on the first's deal
    db.session.expire_all()
    deals = db.session.scalars(select(Deal).where(Deal.account_id == account_id)).all()
    assert len(deals) == 1
    logins = db.session.scalar(
        select(func.count(Event.id)).where(
            Event.account_id == account_id, Event.kind == "logged_in"
        )
    )
    assert logins == 2
    assert deals[0].counters.get("logged_in") == 2  # both events folded in, none lost
    assert sorted(deals[0].people) == sorted([ann.id, bob.id])
