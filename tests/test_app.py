"""The application shell: factory, security headers, error pages, health, migrations."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, select

from portal import create_app
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
