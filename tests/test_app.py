"""The application shell: factory, security headers, error pages, health, migrations."""

import stat
import threading
import urllib.request

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, select
from werkzeug.serving import make_server

from portal import create_app
from portal.cli import BannerlessRequestHandler
from portal.config import ROOT
from portal.extensions import db
from portal.mail import queue_mail
from portal.models import Base, Stage, include_in_migrations
from tests.conftest import TEST_DATABASE_URL, reset_postgres_schema


def test_config_defaults_are_embedded(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("TESTDRIVE_ENV", raising=False)
    monkeypatch.setenv("TESTDRIVE_INSTANCE", str(tmp_path))
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'testdrive.sqlite3'}"
    assert app.config["SESSION_COOKIE_SECURE"] is True  # secure unless in development
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert len(app.config["SECRET_KEY"]) >= 32


def test_generated_secret_warns_loudly_in_production(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("TESTDRIVE_INSTANCE", str(tmp_path))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("TESTDRIVE_ENV", "production")
    create_app()
    assert "SECRET_KEY is not set" in caplog.text


def test_development_cookies_are_not_secure(tmp_path, monkeypatch):
    monkeypatch.setenv("TESTDRIVE_INSTANCE", str(tmp_path))
    monkeypatch.setenv("TESTDRIVE_ENV", "development")
    assert create_app().config["SESSION_COOKIE_SECURE"] is False


def test_security_headers_and_csp(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'self'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_session_cookie_flags(client, make_user, auth):
    user = make_user()
    response = auth.login(user.email)
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


@pytest.mark.parametrize("path", ["/no-such-page", "/products/../../etc/passwd"])
def test_friendly_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "We couldn" in response.text
    assert "Traceback" not in response.text


def test_500_page_hides_the_stack_trace(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "secret internals" not in response.text


def test_413_page(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 100
    response = client.post("/login", data={"email": "x" * 500})
    assert response.status_code == 413
    assert "too large" in response.text


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_503_when_database_is_unreachable(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing-dir/db.sqlite3",
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


def _drift(url: str) -> list:
    engine = create_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": include_in_migrations}
        )
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    return diff


def test_migrations_upgrade_an_empty_database_to_the_models(tmp_path):
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    if TEST_DATABASE_URL:
        reset_postgres_schema(url)
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
    try:
        with app.app_context():
            upgrade()
            tables = set(inspect(db.engine).get_table_names())
            db.engine.dispose()
        assert set(Base.metadata.tables) <= tables
        assert _drift(url) == []
        with app.app_context():  # the data migration wrote the buyer's process as stages
            names = db.session.scalars(select(Stage.name).order_by(Stage.position)).all()
            db.session.remove()  # give the connection back before the pool goes
            db.engine.dispose()
        assert names == ["Exploring", "Researching", "Trying", "Validating", "Deciding", "Customer"]
    finally:
        if TEST_DATABASE_URL:  # leave the schema as the other tests expect it
            reset_postgres_schema(url)
            engine = create_engine(url)
            Base.metadata.create_all(engine)
            engine.dispose()


def _queue_reset_mail(user):
    queue_mail(user.email, "Reset", "password_reset", user=user, reset_url="u", minutes=5)


def test_queued_mail_waits_for_the_commit(app, db, make_user, outbox):
    user = make_user(email="queued@acme.example")
    with app.test_request_context():
        _queue_reset_mail(db.session.merge(user))
        assert outbox() == []  # queued, not sent
        db.session.commit()
    (mail,) = outbox()
    assert mail["To"] == "queued@acme.example"


def test_queued_mail_is_dropped_on_rollback(app, db, make_user, outbox):
    user = make_user(email="dropped@acme.example")
    with app.test_request_context():
        _queue_reset_mail(db.session.merge(user))
        db.session.rollback()
        db.session.commit()  # a later commit does not send what was rolled back
    assert outbox() == []


def _embedded_app(tmp_path, monkeypatch, **env):
    monkeypatch.setenv("TESTDRIVE_INSTANCE", str(tmp_path))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return create_app()


def test_the_embedded_secret_key_is_made_once_and_kept_private(tmp_path, monkeypatch):
    first = _embedded_app(tmp_path, monkeypatch).config["SECRET_KEY"]
    second = _embedded_app(tmp_path, monkeypatch).config["SECRET_KEY"]  # a restart
    assert first == second and len(first) >= 64
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert list(tmp_path.glob(".secret_key*")) == []  # no temporary file left behind


def test_an_explicit_secret_key_wins_over_the_key_file(tmp_path, monkeypatch):
    _embedded_app(tmp_path, monkeypatch)
    app = _embedded_app(tmp_path, monkeypatch, SECRET_KEY="from-the-environment")
    assert app.config["SECRET_KEY"] == "from-the-environment"


def test_trusted_hosts_come_from_public_base_url_and_the_environment(tmp_path, monkeypatch):
    app = _embedded_app(
        tmp_path,
        monkeypatch,
        PUBLIC_BASE_URL="https://portal.example.com",
        TRUSTED_HOSTS="portal-internal.example, .corp.example",
    )
    app.config["TESTING"] = True
    hosts = app.config["TRUSTED_HOSTS"]
    assert hosts[0] == "portal.example.com" and "localhost" in hosts
    client = app.test_client()
    for host in ("portal.example.com", "portal-internal.example", "a.corp.example", "localhost"):
        assert client.get("/privacy", headers={"Host": host}).status_code == 200, host
    assert client.get("/privacy", headers={"Host": "evil.example"}).status_code == 400
    assert _embedded_app(tmp_path, monkeypatch, TRUSTED_HOSTS="*").config["TRUSTED_HOSTS"] is None


def test_personal_pages_are_never_stored(client, buyer_client):
    assert "no-store" not in client.get("/products").headers.get("Cache-Control", "")
    for path in ("/cart", "/try/datasets", "/orders"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
    for path in ("/account", "/account/data", "/cart", "/orders", "/quotes", "/products"):
        assert buyer_client.get(path).headers["Cache-Control"] == "no-store", path
    static = buyer_client.get("/static/js/portal.js")
    static.close()
    assert "no-store" not in static.headers.get("Cache-Control", "")


def test_make_run_serves_without_a_version_banner(app):
    """``make run`` serves through ``flask serve``: its Server header names no version."""
    server = make_server("127.0.0.1", 0, app, request_handler=BannerlessRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/healthz") as response:
            banner = response.headers.get_all("Server")
    finally:
        server.shutdown()
        thread.join(timeout=5)
    assert banner == ["Testdrive"]
    assert "serve --host" in (ROOT / "Makefile").read_text()


def test_content_type_has_one_charset(client):
    for path in ("/", "/healthz", "/api/v1/openapi.json"):
        content_type = client.get(path).headers["Content-Type"]
        assert content_type.count("charset") <= 1, (path, content_type)


def test_a_nul_character_in_a_query_or_form_reads_as_a_space(client, app):
    # PostgreSQL refuses NUL in text; schemathesis found /api/v1/deals?q=…\x00… as a 500.
    seen = {}

    @app.route("/_echo", methods=["GET", "POST"])
    def echo():
        from flask import request

        form = {k: v for k, v in request.form.items() if k != "csrf_token"}
        seen.update(args=request.args.to_dict(), form=form)
        return "ok"

    assert client.post("/_echo?q=a%00b&k%00=v", data={"name": "Nul\x00Product"}).status_code == 200
    assert seen == {"args": {"q": "a b", "k ": "v"}, "form": {"name": "Nul Product"}}
    for path in ("/search?q=a%00b", "/products?q=%00", "/ideas?sort=%00"):
        assert client.get(path).status_code == 200, path
    response = client.post("/password/forgot", data={"email": "a\x00@example.com"})
    assert response.status_code in (200, 302, 422)


def test_paths_for_many_ids_equal_url_for(app):
    from flask import url_for

    from portal.links import path_for_ids

    with app.test_request_context():
        for endpoint, name in (("pipeline.deal", "deal_id"), ("commerce.seller_order", "order_id")):
            path = path_for_ids(endpoint, name)
            for value in (1, 7, 48, 2**31 - 2):
                assert path(value) == url_for(endpoint, **{name: value})
        with pytest.raises(ValueError):
            path_for_ids("catalog.products", "page")  # the id is not in the path


def test_remembered_relative_urls_equal_a_fresh_build(app):
    """Relative ``url_for`` results are remembered; each must be what Werkzeug builds for
    the request's own address, arguments of another type are not taken for equal ones, and
    a request under another script root gets its own."""
    from flask import request, url_for

    calls = [
        ("catalog.products", {}),
        ("catalog.products", {"category": "Forecasting"}),
        ("catalog.products", {"page": 1}),
        ("catalog.products", {"page": True}),  # True == 1 in Python; the URL differs
        ("catalog.product", {"slug": "data-doctor"}),
        ("static", {"filename": "css/portal.css"}),
    ]
    for root in ("", "/shop"):
        with app.test_request_context("/products", base_url=f"http://localhost{root}"):
            adapter = app.create_url_adapter(request)
            for _ in range(2):  # built, then remembered
                for endpoint, values in calls:
                    expected = adapter.build(endpoint, dict(values))
                    assert url_for(endpoint, **values) == expected
                    assert url_for(endpoint, _anchor="x y", **values) == f"{expected}#x%20y"
            assert url_for("catalog.products", page=True).endswith("page=True")
            assert url_for("catalog.products", tag=["a", "b"]) == adapter.build(
                "catalog.products", {"tag": ["a", "b"]}
            )  # a list: not remembered, still built
