"""Shared fixtures: ``app`` (a fresh database per test), ``client``, ``runner``, ``db``,
``auth`` (signs in through the real form), ``make_user`` and signed-in clients per role.

The database is a temporary SQLite file, or the PostgreSQL database in ``TEST_DATABASE_URL``
(its ``public`` schema is rebuilt once per session and emptied after each test).
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import g
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from portal import create_app
from portal.extensions import db as _db
from portal.models import Base
from tests.factories import make_default_stages

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
PASSWORD = "correct-horse-battery"


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs TEST_DATABASE_URL (PostgreSQL)")
    for item in items:
        if "tests/browser/" in item.nodeid.replace("\\", "/"):
            item.add_marker(pytest.mark.browser)
        if "postgres" in item.keywords and not TEST_DATABASE_URL:
            item.add_marker(skip_pg)


def reset_postgres_schema(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url_base():
    """Prepare PostgreSQL once per session; SQLite needs nothing."""
    if TEST_DATABASE_URL:
        reset_postgres_schema(TEST_DATABASE_URL)
        engine = create_engine(TEST_DATABASE_URL)
        Base.metadata.create_all(engine)
        engine.dispose()
    return TEST_DATABASE_URL


class CSRFClient(FlaskClient):
    """A test client that sends a valid CSRF token with every form POST, as a browser
    with the page open would. Pass ``csrf=False`` to send the request without one."""

    def csrf_token(self) -> str:
        with self.session_transaction() as session:
            raw = session.get("csrf_token")
            if raw is None:
                raw = session["csrf_token"] = hashlib.sha1(os.urandom(64)).hexdigest()
        serializer = URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token")
        return serializer.dumps(raw)

    def open(self, *args, csrf: bool = True, **kwargs):
        method = kwargs.get("method", "GET")
        data = kwargs.get("data")
        if csrf and method in ("POST", "PUT", "PATCH", "DELETE") and "json" not in kwargs:
            data = dict(data or {}) if not isinstance(data, dict) else dict(data)
            data.setdefault("csrf_token", self.csrf_token())
            kwargs["data"] = data
        return super().open(*args, **kwargs)


def _forget_request_globals() -> None:
    """While a test holds an app context (the ``db`` fixture), Flask reuses it for every
    test-client request, so ``g`` (where Flask-Login caches the signed-in user, and the app
    keeps the CSRF token, a new visitor id and the CSP nonce) would carry one client's state
    into another client's request. In production each request has its own."""
    for name in ("_login_user", "csrf_token", "new_visitor_id", "csp_nonce", "csp_extra"):
        g.pop(name, None)


@pytest.fixture(autouse=True)
def quick_password_hashes(request, monkeypatch):
    """Most tests create many users; a cheap work factor keeps them fast. The auth and
    browser tests keep the real KDF settings (they test passwords)."""
    if request.node.path.parent.name in ("auth", "browser"):
        return
    from werkzeug.security import generate_password_hash

    monkeypatch.setattr(
        "portal.auth.services.generate_password_hash",
        lambda password, **_: generate_password_hash(password, method="pbkdf2:sha256:1000"),
    )


@pytest.fixture
def app(tmp_path: Path, database_url_base):
    config = {
        "TESTING": True,
        "TESTDRIVE_ENV": "testing",
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url_base or f"sqlite:///{tmp_path / 'test.sqlite3'}",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "MAIL_OUTBOX": str(tmp_path / "outbox"),
        "SANDBOX_STORE": str(tmp_path / "sandbox"),
        "CATALOG_FILES": str(tmp_path / "catalog_files"),
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    app = create_app(config)
    app.test_client_class = CSRFClient
    app.before_request_funcs.setdefault(None, []).insert(0, _forget_request_globals)
    with app.app_context():
        _db.create_all()
        # create_all builds the schema only; the default stages come from a data migration.
        make_default_stages()
        _db.session.commit()
    yield app
    with app.app_context():
        _db.session.remove()
        if database_url_base:
            tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            with _db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        _db.engine.dispose()


@pytest.fixture
def db(app):
    """The database inside an application context."""
    with app.app_context():
        yield _db


@pytest.fixture
def client(app) -> CSRFClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """Create a user (committed) and return it: make_user(role=..., email=...)."""
    counter = iter(range(1, 10_000))

    def _make(
        role: str = "buyer",
        email: str | None = None,
        password: str = PASSWORD,
        consent: bool | None = True,
        **kwargs,
    ):
        from portal.auth.services import create_user

        with app.app_context():
            user = create_user(
                email or f"{role}{next(counter)}@example-{role}.example",
                password,
                role=role,
                tracking_consent=consent,
                **kwargs,
            )
            _db.session.commit()
            _db.session.refresh(user)
            _db.session.expunge(user)
            return user

    return _make


class AuthActions:
    """Signs in and out through the real forms."""

    def __init__(self, client: CSRFClient):
        self.client = client

    def login(self, email: str, password: str = PASSWORD, follow_redirects: bool = False):
        page = self.client.get("/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
        data = {"email": email, "password": password}
        if token:
            data["csrf_token"] = token.group(1)
        return self.client.post("/login", data=data, follow_redirects=follow_redirects)

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


def _client_for(app, make_user, role: str) -> CSRFClient:
    user = make_user(role=role)
    client = app.test_client()
    response = AuthActions(client).login(user.email)
    assert response.status_code == 302, response.text
    client.user = user
    return client


@pytest.fixture
def buyer_client(app, make_user):
    return _client_for(app, make_user, "buyer")


@pytest.fixture
def seller_client(app, make_user):
    return _client_for(app, make_user, "seller")


@pytest.fixture
def admin_client(app, make_user):
    return _client_for(app, make_user, "admin")


@pytest.fixture
def outbox(app):
    """Read the e-mails the app sent (embedded outbox)."""
    from portal.mail import read_outbox

    return lambda: read_outbox(app.config["MAIL_OUTBOX"])


@pytest.fixture
def live_server(app):
    """Serve ``app`` over HTTP on a free loopback port for browser tests."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_port}"
    # Links in mails and shared pages are built on the public address: here, this server.
    app.config["PUBLIC_BASE_URL"] = server.url
    yield server
    server.shutdown()
    thread.join(timeout=5)


CONFIRM_LINK = re.compile(r"\S+/signup/confirm/\S+")


def confirmation_link(app, email: str) -> str | None:
    """The newest sign-up confirmation link mailed to ``email``, if any."""
    from portal.mail import read_outbox

    for mail in reversed(read_outbox(app.config["MAIL_OUTBOX"])):
        if mail["To"] == email:
            found = CONFIRM_LINK.search(mail.get_body(("plain",)).get_content())
            if found:
                return found.group(0)
    return None


def sign_up(client: CSRFClient, email: str, password: str = PASSWORD, **fields):
    """Sign up as a person does: the form, then the link mailed to the address and the
    same password. Returns the confirmation's response (a redirect once signed in)."""
    response = client.post("/signup", data={"email": email, "password": password, **fields})
    response.close()  # the mail goes out once the response is sent
    assert response.status_code == 200, response.text
    link = confirmation_link(client.application, email)
    assert link, f"no confirmation mail to {email}"
    return client.post(urlsplit(link).path, data={"password": password})
