"""Health and outages: /healthz proves the database takes writes (and Redis answers when
configured); a database or Redis outage is a 503 "temporarily unavailable" with Retry-After,
never a 500; every database wait is bounded."""

import os
import socket
import sqlite3
import time
from urllib.parse import urlsplit

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from portal import create_app
from portal.db_setup import MAX_SQLITE_BUSY_MS, engine_options
from portal.extensions import db
from tests.conftest import TEST_DATABASE_URL, CSRFClient, confirmation_link

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "")


def _sqlite_app(tmp_path, **config):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'locked.sqlite3'}",
            "SQLITE_BUSY_TIMEOUT_MS": 50,
            "HEALTHZ_TIMEOUT_MS": 50,
            "MAIL_OUTBOX": str(tmp_path / "outbox"),
            "SANDBOX_STORE": str(tmp_path / "sandbox"),
            **config,
        }
    )
    app.test_client_class = CSRFClient
    with app.app_context():
        db.create_all()
    return app


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def locked_sqlite(tmp_path):
    """An app on a SQLite file that another process-like connection holds exclusively."""
    app = _sqlite_app(tmp_path)
    holder = sqlite3.connect(tmp_path / "locked.sqlite3", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    yield app
    holder.execute("ROLLBACK")
    holder.close()
    with app.app_context():
        db.engine.dispose()


def test_healthz_is_503_while_sqlite_refuses_writes(locked_sqlite):
    response = locked_sqlite.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "locked"}
    assert response.headers["Retry-After"].isdigit()


def test_a_write_during_a_lock_is_a_503_page_not_a_500(tmp_path):
    app = _sqlite_app(tmp_path)
    client = app.test_client()
    data = {"email": "new@example.com", "password": "correct-horse-battery"}
    client.post("/signup", data=data).close()
    link = urlsplit(confirmation_link(app, "new@example.com")).path
    holder = sqlite3.connect(tmp_path / "locked.sqlite3", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        response = client.post(link, data={"password": data["password"]})  # creates the user
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert response.status_code == 503
    assert "Temporarily unavailable" in response.text
    assert response.headers["Retry-After"].isdigit()


def test_any_database_outage_is_a_503(app, client):
    def down(*_args, **_kwargs):
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", down)
    response = client.get("/products")
    assert response.status_code == 503
    assert "Temporarily unavailable" in response.text
    assert response.headers["Retry-After"].isdigit()
    api = client.get("/api/v1/deals", headers={"Authorization": "Bearer td_x"})
    assert api.status_code == 503 and api.json["status"] == 503
    with app.app_context():
        event.remove(db.engine, "before_cursor_execute", down)


def test_healthz_checks_redis_when_configured(tmp_path):
    app = _sqlite_app(tmp_path, QUEUE_URL=f"redis://127.0.0.1:{_closed_port()}/0")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["redis"] == {"QUEUE_URL": "unreachable"}
    assert response.json["database"] == "ok"


@pytest.mark.skipif(not TEST_REDIS_URL, reason="needs TEST_REDIS_URL")
def test_healthz_ok_with_a_live_redis(tmp_path):
    app = _sqlite_app(tmp_path, QUEUE_URL=TEST_REDIS_URL)
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json["redis"] == {"QUEUE_URL": "ok"}


def test_sqlite_busy_timeout_is_bounded(app):
    uri = {"SQLALCHEMY_DATABASE_URI": "sqlite:///x.sqlite3"}
    assert engine_options({**uri, "SQLITE_BUSY_TIMEOUT_MS": 5000})["connect_args"] == {
        "timeout": 5.0
    }
    huge = engine_options({**uri, "SQLITE_BUSY_TIMEOUT_MS": 10**9})
    assert huge["connect_args"]["timeout"] == MAX_SQLITE_BUSY_MS / 1000
    if not TEST_DATABASE_URL:
        with app.app_context(), db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


@pytest.mark.postgres
def test_postgres_connections_have_statement_and_lock_timeouts(app):
    with app.app_context(), db.engine.connect() as conn:
        assert conn.execute(text("SHOW statement_timeout")).scalar() == "15s"
        assert conn.execute(text("SHOW lock_timeout")).scalar() == "5s"


@pytest.mark.postgres
def test_postgres_healthz_is_503_on_a_read_only_database(app, client):
    with app.app_context():
        url = db.engine.url
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                f'ALTER DATABASE "{url.database}" SET default_transaction_read_only = on'
            )
        db.engine.dispose()
    try:
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json["database"] == "read-only"
    finally:
        with app.app_context():
            with db.engine.connect() as conn:
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                conn.exec_driver_sql("SET default_transaction_read_only = off")
                conn.exec_driver_sql(
                    f'ALTER DATABASE "{url.database}" SET default_transaction_read_only = off'
                )
            db.engine.dispose()


def _terminate(pids) -> None:
    """End these PostgreSQL backends from outside the app and wait until they are gone."""
    import psycopg

    with psycopg.connect(TEST_DATABASE_URL.replace("+psycopg", ""), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", [pids])
        for _ in range(200):  # termination is asynchronous
            alive = admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", [pids]
            ).fetchone()[0]
            if not alive:
                return
            time.sleep(0.01)
    raise AssertionError(f"backends {pids} still alive")


def _app_backends() -> list[int]:
    import psycopg

    with psycopg.connect(TEST_DATABASE_URL.replace("+psycopg", ""), autocommit=True) as admin:
        return [
            row[0]
            for row in admin.execute(
                "SELECT pid FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ]


def _backend_pid(connection) -> int:
    return connection.connection.dbapi_connection.info.backend_pid


def test_a_lost_connection_is_tested_before_use_whatever_the_options():
    uri = {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://x@127.0.0.1/y"}
    options = engine_options({**uri, "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 3}, **TIMEOUTS})
    assert options["pool_pre_ping"] is True and options["pool_size"] == 3


TIMEOUTS = {"DATABASE_STATEMENT_TIMEOUT_MS": 1000, "DATABASE_LOCK_TIMEOUT_MS": 1000}


@pytest.mark.postgres
def test_postgres_connections_killed_between_requests_are_replaced(app, client):
    assert client.get("/products").status_code == 200
    assert _app_backends()  # the pool keeps the connection the request used
    _terminate(_app_backends())
    for path in ("/products", "/", "/healthz"):
        assert client.get(path).status_code == 200  # pre-ping replaced the dead connection


@pytest.mark.postgres
def test_postgres_connection_killed_mid_request_is_a_503_then_recovers(app, client):
    killed = []

    def kill_own_connection(connection, *_args):
        if not killed:
            killed.append(_backend_pid(connection))
            _terminate(killed)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", kill_own_connection)
    try:
        response = client.get("/products")
    finally:
        with app.app_context():
            event.remove(db.engine, "before_cursor_execute", kill_own_connection)
    assert killed and response.status_code == 503
    assert "Temporarily unavailable" in response.text
    assert response.headers["Retry-After"].isdigit()
    assert client.get("/products").status_code == 200


@pytest.mark.postgres
def test_postgres_connection_killed_after_the_page_was_made_is_not_a_500(app, client):
    # The view has built its page; the connection dies before the session is closed (the
    # ROLLBACK of the read transaction then fails). Before, that error escaped as a 500.
    from flask import after_this_request

    @app.get("/_test/then-kill")
    def then_kill():
        db.session.execute(text("SELECT 1"))  # a read transaction is open now
        pid = _backend_pid(db.session.connection())
        after_this_request(lambda response: (_terminate([pid]), response)[1])
        return "made"

    response = client.get("/_test/then-kill")
    assert (response.status_code, response.text) == (200, "made")
    assert client.get("/products").status_code == 200
