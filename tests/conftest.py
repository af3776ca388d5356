"""Shared fixtures: ``app`` (a fresh database per test), ``client``, ``runner``, ``db``,
``auth`` (signs in through the real form), ``make_user`` and signed-in clients per role.

The database is a temporary SQLite file, or the PostgreSQL database in ``TEST_DATABASE_URL``
(its ``public`` schema is rebuilt once per session and emptied after each test; a test marked
``seeded_demo`` gets a copy of a demo seeded once per session).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import g
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from jinja2.bccache import Bucket, BytecodeCache
from sqlalchemy import create_engine, make_url, text
from werkzeug.routing import Rule
from werkzeug.serving import make_server

from portal import create_app
from portal.extensions import db as _db
from portal.models import Base
from tests.factories import make_default_stages

PASSWORD = "correct-horse-battery"
# pytest-xdist runs the suite in parallel workers ("gw0", "gw1", …): each has a PostgreSQL
# database and a Redis database of its own, so no worker truncates another's tables or runs
# another's queued jobs.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
WORKER_INDEX = int(WORKER[2:]) if WORKER.startswith("gw") and WORKER[2:].isdigit() else 0


def _worker_database(url: str) -> str:
    """``…/test`` → ``…/test_gw1`` (created when missing) in worker gw1; unchanged outside xdist."""
    if not url or not WORKER:
        return url
    parsed = make_url(url)
    name = f"{parsed.database}_{WORKER}"
    engine = create_engine(parsed, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def _worker_redis(url: str) -> str:
    """``redis://host:6379/15`` → ``…/14`` in worker gw1 (Redis has 16 databases, 0–15)."""
    if not url or not WORKER:
        return url
    base, _, number = url.rpartition("/")
    start = int(number) if number.isdigit() else 0
    return f"{base}/{(start - WORKER_INDEX) % 16}"


# This module is imported twice (as pytest's conftest and as ``tests.conftest``): derive the
# worker's URLs from the ones the run started with, kept aside the first time.
for _name, _per_worker in (
    ("TEST_DATABASE_URL", _worker_database),
    ("TEST_REDIS_URL", _worker_redis),
):
    _given = os.environ.setdefault(f"{_name}_GIVEN", os.environ.get(_name, ""))
    if _given:
        os.environ[_name] = _per_worker(_given)
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")


def _memoize_url_builders() -> None:
    """Every test builds a fresh app, and Werkzeug compiles two URL-builder functions per
    rule with ``ast`` and ``compile`` (about half of ``create_app``). A builder is a pure
    function of the rule's text, parsed parts and defaults (it reaches its rule only through
    its ``.self`` argument), so the same rule in the next test's app reuses it unchanged."""
    compile_builder = Rule._compile_builder
    cache: dict = {}

    def cached(self, append_unknown=True):
        defaults = tuple(sorted((k, repr(v)) for k, v in (self.defaults or {}).items()))
        key = (self.rule, tuple(self._trace), defaults, append_unknown)
        if key not in cache:
            cache[key] = compile_builder(self, append_unknown)
        return cache[key]

    Rule._compile_builder = cached


_memoize_url_builders()


class _SharedTemplateCode(BytecodeCache):
    """Compiled templates kept for the whole run: every test builds a fresh app, whose Jinja
    environment would otherwise parse and compile each template it renders again (about a
    tenth of a test's time). An entry is used only for the same template source (Jinja's
    checksum), so an edited template is compiled anew."""

    def __init__(self) -> None:
        self.codes: dict[str, tuple[str, object]] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        checksum, code = self.codes.get(bucket.key, (None, None))
        if checksum == bucket.checksum:
            bucket.code = code

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.codes[bucket.key] = (bucket.checksum, bucket.code)


_TEMPLATE_CODE = _SharedTemplateCode()


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs TEST_DATABASE_URL (PostgreSQL)")
    for item in items:
        if "tests/browser/" in item.nodeid.replace("\\", "/"):
            item.add_marker(pytest.mark.browser)
        if "postgres" in item.keywords and not TEST_DATABASE_URL:
            item.add_marker(skip_pg)


_TABLE_NAMES = [t.name for t in Base.metadata.sorted_tables]  # dependent tables last
# One row per table that holds any: a test touches about 20 of the 55.
_USED_TABLES = " UNION ALL ".join(
    f'SELECT {i} FROM (SELECT 1 FROM "{name}" LIMIT 1) AS t{i}'
    for i, name in enumerate(_TABLE_NAMES)
)
_GUARDED_TABLES = (
    "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
    " WHERE NOT t.tgisinternal"
)
_RESET_SEQUENCES = (
    "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, 1, false) "
    "FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL"
)


_guarded: set[str] | None = None


def _guarded_tables(conn) -> set[str]:
    """The tables with triggers of their own, asked once: the schema is built once a session."""
    global _guarded
    if _guarded is None:
        _guarded = set(conn.scalars(text(_GUARDED_TABLES)))
    return _guarded


def empty_postgres(conn) -> None:
    """Leave every table empty and every sequence at its start, as ``TRUNCATE … RESTART
    IDENTITY CASCADE`` of all tables does, at a third of its cost: one query finds the
    tables that hold a row, and a DELETE empties each, dependent tables first (measured:
    0.045 s against 0.14 s a test). A table whose rows a trigger refuses to delete
    (``quote_acceptance``) is truncated, first. A raw DELETE is not seen by the page cache's
    write hook, as TRUNCATE was not."""
    used = [_TABLE_NAMES[i] for i in sorted(i for (i,) in conn.execute(text(_USED_TABLES)))]
    guarded = _guarded_tables(conn)
    if truncate := [name for name in used if name in guarded]:
        conn.execute(text("TRUNCATE " + ", ".join(f'"{name}"' for name in truncate) + " CASCADE"))
    for name in reversed(used):
        if name not in guarded:
            conn.execute(text(f'DELETE FROM "{name}"'))
    conn.execute(text(_RESET_SEQUENCES))


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


def _cheap_password_hashes(monkeypatch) -> None:
    from werkzeug.security import generate_password_hash

    monkeypatch.setattr(
        "portal.auth.services.generate_password_hash",
        lambda password, **_: generate_password_hash(password, method="pbkdf2:sha256:1000"),
    )


@pytest.fixture(autouse=True)
def quick_password_hashes(request, monkeypatch):
    """Most tests create many users; a cheap work factor keeps them fast. The auth and
    browser tests keep the real KDF settings (they test passwords)."""
    if request.node.path.parent.name in ("auth", "browser"):
        return
    _cheap_password_hashes(monkeypatch)


def _seed_demo(app) -> str:
    """``flask seed-demo`` as ``make run`` runs it (its 500 demo users with a cheap hash)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        _cheap_password_hashes(monkeypatch)
        with app.app_context():
            result = app.test_cli_runner().invoke(args=["seed-demo"])
            _db.session.remove()
    assert result.exit_code == 0, result.output
    return result.output


def _test_config(tmp_path: Path, database_url: str) -> dict:
    options = {}
    if database_url.startswith("postgresql"):
        # A test needs no commit to survive a crash of the server: not waiting for the WAL
        # to reach the disk at each commit makes the PostgreSQL tests about a fifth faster.
        options["connect_args"] = {"options": "-c synchronous_commit=off"}
    return {
        "SQLALCHEMY_ENGINE_OPTIONS": options,
        "TESTING": True,
        "TESTDRIVE_ENV": "testing",
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "MAIL_OUTBOX": str(tmp_path / "outbox"),
        "SANDBOX_STORE": str(tmp_path / "sandbox"),
        "CATALOG_FILES": str(tmp_path / "catalog_files"),
        "RATELIMIT_STORAGE_URI": "memory://",
    }


def _build_schema(app, create: bool = True) -> None:
    with app.app_context():
        if create:
            _db.create_all()
        # create_all builds the schema only; the default stages come from a data migration.
        make_default_stages()
        _db.session.commit()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """One SQLite file with the schema and default stages, built once per session; each test
    starts from a copy of it (building the schema is most of a test's set-up)."""
    folder = tmp_path_factory.mktemp("template")
    path = folder / "template.sqlite3"
    app = create_app(_test_config(folder, f"sqlite:///{path}"))
    _build_schema(app)
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()
    return path


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory, sqlite_template) -> tuple[Path, str]:
    """A folder holding the seeded demo (its SQLite file and the files its seeders stored)
    and what ``seed-demo`` printed: seeded once per session for tests marked
    ``seeded_demo`` (on PostgreSQL see :func:`pg_demo_template`)."""
    folder = tmp_path_factory.mktemp("demo")
    shutil.copyfile(sqlite_template, folder / "test.sqlite3")
    app = create_app(_test_config(folder, f"sqlite:///{folder / 'test.sqlite3'}"))
    output = _seed_demo(app)
    with app.app_context():
        _db.engine.dispose()
    return folder, output


def _admin_execute(url: str, *statements: str) -> None:
    """Run statements (CREATE/DROP DATABASE) outside a transaction on ``url``'s server."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()


@pytest.fixture(scope="session")
def pg_demo_template(tmp_path_factory, database_url_base) -> tuple[Path, str, str]:
    """The seeded demo on PostgreSQL, seeded once per session into a database of its own
    (``<worker database>_demo``): its files' folder, what ``seed-demo`` printed and the
    database's URL. Each test marked ``seeded_demo`` gets a copy made with ``CREATE DATABASE
    … TEMPLATE`` (a file copy on the server) instead of seeding for real."""
    base = make_url(database_url_base)
    name = f"{base.database}_demo"
    _admin_execute(
        database_url_base,
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
        f'CREATE DATABASE "{name}"',
    )
    url = base.set(database=name).render_as_string(hide_password=False)
    folder = tmp_path_factory.mktemp("pg-demo")
    app = create_app(_test_config(folder, url))
    _build_schema(app)
    output = _seed_demo(app)
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()  # a template database may have no open connection
    return folder, output, url


def _pg_seeded_copy(request, tmp_path: Path, admin_url: str) -> tuple[str, str]:
    """A fresh copy of the PostgreSQL demo for one test (dropped at its end), its files put
    into ``tmp_path``: the copy's URL and what ``seed-demo`` printed."""
    folder, output, template_url = request.getfixturevalue("pg_demo_template")
    template = make_url(template_url)
    name = f"{template.database}_copy"
    _admin_execute(
        admin_url,
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
        f'CREATE DATABASE "{name}" TEMPLATE "{template.database}"',
    )
    request.addfinalizer(
        lambda: _admin_execute(
            admin_url,
            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
        )
    )
    shutil.copytree(folder, tmp_path, ignore=shutil.ignore_patterns("outbox"), dirs_exist_ok=True)
    return template.set(database=name).render_as_string(hide_password=False), output


@pytest.fixture
def app(request, tmp_path: Path, database_url_base):
    seeded = request.node.get_closest_marker("seeded_demo") is not None
    output = ""
    copy = bool(database_url_base and seeded)
    if copy:
        url, output = _pg_seeded_copy(request, tmp_path, database_url_base)
    elif database_url_base:
        url = database_url_base
    elif seeded:
        folder, output = request.getfixturevalue("demo_template")
        # Not the outbox: a test's mail count starts at zero.
        shutil.copytree(
            folder, tmp_path, ignore=shutil.ignore_patterns("outbox"), dirs_exist_ok=True
        )
        url = f"sqlite:///{tmp_path / 'test.sqlite3'}"
    else:
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    app = create_app(_test_config(tmp_path, url))
    app.jinja_env.bytecode_cache = _TEMPLATE_CODE
    app.test_client_class = CSRFClient
    app.before_request_funcs.setdefault(None, []).insert(0, _forget_request_globals)
    if database_url_base and not copy:  # the session built the schema; each test empties it
        _build_schema(app, create=False)
    app.extensions["seed_demo_output"] = output
    yield app
    with app.app_context():
        _db.session.remove()
        if database_url_base and not copy:
            with _db.engine.begin() as conn:
                empty_postgres(conn)
        _db.engine.dispose()


@pytest.fixture
def seed_demo_output(app) -> str:
    """What ``seed-demo`` printed for a test marked ``seeded_demo``."""
    return app.extensions["seed_demo_output"]


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
