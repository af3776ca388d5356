"""Sign-in throttling per account beside per IP, and the client IP behind trusted proxies."""

import re

import pytest

from portal import create_app
from portal.extensions import db as _db
from tests.conftest import PASSWORD, CSRFClient

# The settings of the ``app`` fixture that another app on the same database needs.
SHARED = (
    "TESTING",
    "TESTDRIVE_ENV",
    "SECRET_KEY",
    "SQLALCHEMY_DATABASE_URI",
    "SESSION_COOKIE_SECURE",
    "REMEMBER_COOKIE_SECURE",
    "MAIL_OUTBOX",
    "SANDBOX_STORE",
    "CATALOG_FILES",
    "RATELIMIT_STORAGE_URI",
)


@pytest.fixture
def app_behind(app):
    """``app_behind(n)``: an app on the same database that trusts ``n`` proxies."""
    made = []

    def _make(proxies: int):
        config = {key: app.config[key] for key in SHARED}
        other = create_app({**config, "TRUSTED_PROXIES": proxies})
        other.test_client_class = CSRFClient
        made.append(other)
        return other

    yield _make
    for other in made:  # give its connections back before the database is emptied
        with other.app_context():
            _db.session.remove()
            _db.engine.dispose()


def _bad_login(client, email, ip="192.0.2.1", **headers):
    return client.post(
        "/login",
        data={"email": email, "password": "wrong-password-1"},
        environ_base={"REMOTE_ADDR": ip},
        headers=headers,
    )


def _hint(response) -> str:
    return re.search(r"Too many attempts[^<]*", response.text).group(0)


def test_failed_sign_ins_are_throttled_per_account_from_any_ip(app, client, make_user):
    app.config["LOGIN_ACCOUNT_RATE_LIMIT"] = "3 per 15 minutes"
    user = make_user(email="target@acme.example")
    codes = [_bad_login(client, user.email, ip=f"198.51.100.{i}").status_code for i in range(4)]
    assert codes == [422, 422, 422, 429]
    right = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    assert right.status_code == 429  # even the right password waits
    wait = re.fullmatch(
        r"Too many attempts in a short time\. Try again in (\d+) minutes?\.", _hint(right)
    )
    assert 1 <= int(wait.group(1)) <= 15
    # Another account is not affected.
    other = make_user(email="other@acme.example")
    assert (
        client.post("/login", data={"email": other.email, "password": PASSWORD}).status_code == 302
    )


def test_the_account_throttle_reads_the_same_for_unknown_addresses(app, client, make_user):
    app.config["LOGIN_ACCOUNT_RATE_LIMIT"] = "2 per 15 minutes"
    user = make_user(email="exists@acme.example")
    answers = []
    for email in (user.email, "ghost@acme.example"):
        codes = [_bad_login(client, email, ip=f"198.51.100.{i}").status_code for i in range(3)]
        hint = _hint(_bad_login(client, email, ip="198.51.100.99"))
        answers.append((codes, re.sub(r"\d+", "N", hint)))  # the minutes tick on meanwhile
    assert answers[0] == answers[1]
    assert answers[0][0] == [422, 422, 429]


def test_successful_sign_ins_do_not_use_up_the_account_throttle(app, make_user):
    app.config["LOGIN_ACCOUNT_RATE_LIMIT"] = "2 per 15 minutes"
    user = make_user()
    for _ in range(4):
        client = app.test_client()
        assert (
            client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code
            == 302
        )


@pytest.mark.parametrize(("proxies", "limited_separately"), [(1, True), (0, False)])
def test_the_ip_limit_uses_the_forwarded_client_only_behind_trusted_proxies(
    app_behind, proxies, limited_separately
):
    proxied = app_behind(proxies)
    proxied.config["LOGIN_RATE_LIMIT"] = "2 per minute"
    first, second = proxied.test_client(), proxied.test_client()
    # Both arrive from the proxy's address; only X-Forwarded-For tells them apart.
    for i in range(2):
        assert (
            _bad_login(
                first, f"a{i}@acme.example", ip="10.0.0.2", **{"X-Forwarded-For": "203.0.113.1"}
            ).status_code
            == 422
        )
    assert (
        _bad_login(
            first, "a9@acme.example", ip="10.0.0.2", **{"X-Forwarded-For": "203.0.113.1"}
        ).status_code
        == 429
    )
    other = _bad_login(
        second, "b@acme.example", ip="10.0.0.2", **{"X-Forwarded-For": "203.0.113.2"}
    )
    assert other.status_code == (422 if limited_separately else 429)


@pytest.mark.parametrize(("proxies", "hsts"), [(1, True), (0, False)])
def test_hsts_is_sent_behind_tls_termination_at_a_trusted_proxy(app_behind, proxies, hsts):
    client = app_behind(proxies).test_client()
    response = client.get(
        "/", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.1"}
    )
    assert response.status_code == 200
    assert ("Strict-Transport-Security" in response.headers) is hsts
    assert "Strict-Transport-Security" not in client.get("/").headers  # plain http: none
