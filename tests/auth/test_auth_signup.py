"""E-mail-confirmed sign-up: the form answers alike for new and known addresses, a new one
gets a signed, expiring, single-use link on PUBLIC_BASE_URL, a known one a "someone tried"
note; the account exists only once the link is followed with the same password."""

import re
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select

from portal.models import SignupRequest, User
from tests.conftest import PASSWORD, confirmation_link, sign_up


def _post(client, email, password=PASSWORD, name="", **kwargs):
    data = {"email": email, "password": password, "name": name}
    response = client.post("/signup", data=data, **kwargs)
    response.close()  # the mail work runs once the response is sent
    return response


def _same_shape(page: str, address: str) -> str:
    """The page without what differs per request anyway (CSRF tokens, CSP nonces)."""
    page = re.sub(r'value="[\w.-]{60,}"', "", page)
    return re.sub(r'nonce="[^"]+"', "", page).replace(address, "X@")


def _users(db, email):
    return db.session.scalar(select(func.count()).select_from(User).where(User.email == email))


def test_new_and_known_addresses_get_the_same_page(app, client, make_user, outbox):
    make_user(email="known@acme.example")
    known = client.post("/signup", data={"email": "known@acme.example", "password": PASSWORD})
    fresh = app.test_client().post(
        "/signup", data={"email": "fresh@acme.example", "password": PASSWORD}
    )
    # Nothing was looked up or sent before the answer: no mail yet for either.
    assert outbox() == []
    known.close()
    fresh.close()
    assert known.status_code == fresh.status_code == 200
    assert _same_shape(known.text, "known@") == _same_shape(fresh.text, "fresh@")
    assert "Check your inbox" in known.text and "already exists" not in known.text
    assert sorted(m["To"] for m in outbox()) == ["fresh@acme.example", "known@acme.example"]


def test_a_known_address_gets_a_note_and_keeps_its_account(app, client, db, make_user, outbox):
    user = make_user(email="known@acme.example", name="Kim")
    _post(client, "KNOWN@acme.example", password="someone-elses-password")
    (mail,) = outbox()
    body = mail.get_body(("plain",)).get_content()
    assert mail["Subject"] == "Someone tried to sign up with your address"
    assert "http://127.0.0.1:5000/login" in body
    assert "http://127.0.0.1:5000/password/forgot" in body
    assert "/signup/confirm/" not in body
    assert db.session.scalar(select(SignupRequest)) is None
    assert db.session.get(User, user.id).password_hash == user.password_hash
    assert _users(db, "known@acme.example") == 1


def test_no_account_until_the_link_is_followed(app, client, db, auth, outbox):
    _post(client, "ana@acme.example", name="Ana")
    assert _users(db, "ana@acme.example") == 0
    assert auth.login("ana@acme.example").status_code == 422  # not usable yet
    link = confirmation_link(app, "ana@acme.example")
    assert link.startswith("http://127.0.0.1:5000/signup/confirm/")
    page = client.get(urlsplit(link).path)
    assert page.status_code == 200 and "ana@acme.example" in page.text
    assert _users(db, "ana@acme.example") == 0  # opening the link (a mail scanner) is not enough
    confirmed = client.post(urlsplit(link).path, data={"password": PASSWORD})
    assert confirmed.status_code == 302
    ana = db.session.scalar(select(User).where(User.email == "ana@acme.example"))
    assert ana.name == "Ana" and ana.account.domain == "acme.example"
    assert "Ana" in client.get("/").text
    client.post("/logout")
    assert auth.login("ana@acme.example").status_code == 302


def test_the_link_is_on_public_base_url_whatever_the_host(app, client, outbox):
    app.config["TRUSTED_HOSTS"] = None  # suppose a proxy lets any Host through
    app.config["WTF_CSRF_ENABLED"] = False  # the client's session cookie is for localhost
    _post(client, "ana@acme.example", headers={"Host": "evil.example"})
    (mail,) = outbox()
    assert "evil.example" not in mail.as_string()
    assert confirmation_link(app, "ana@acme.example").startswith("http://127.0.0.1:5000/")


def test_the_link_works_once_and_ends_every_other_request(app, client, db, outbox):
    _post(client, "ana@acme.example")
    first = urlsplit(confirmation_link(app, "ana@acme.example")).path
    _post(client, "ana@acme.example")
    second = urlsplit(confirmation_link(app, "ana@acme.example")).path
    assert first != second
    assert client.post(second, data={"password": PASSWORD}).status_code == 302
    client.post("/logout")
    for used in (first, second):
        again = client.post(used, data={"password": PASSWORD})
        assert again.status_code == 302 and again.headers["Location"] == "/signup"
    assert _users(db, "ana@acme.example") == 1
    assert db.session.scalar(select(func.count()).select_from(SignupRequest)) == 0


def test_an_expired_or_forged_link_is_refused(app, client, db, outbox):
    _post(client, "ana@acme.example")
    sid = db.session.scalar(select(SignupRequest.id))

    class TwoDaysAgo(TimestampSigner):
        def get_timestamp(self):
            return int(time.time()) - 2 * 24 * 3600

    old = URLSafeTimedSerializer("test-secret-key", salt="signup-confirm", signer=TwoDaysAgo)
    old = old.dumps({"sid": sid})
    forged = URLSafeTimedSerializer("another-key", salt="signup-confirm").dumps({"sid": sid})
    huge = URLSafeTimedSerializer("test-secret-key", salt="signup-confirm").dumps({"sid": 2**70})
    for token in (old, forged, huge, "garbage"):
        response = client.post(f"/signup/confirm/{token}", data={"password": PASSWORD})
        assert response.status_code == 302 and response.headers["Location"] == "/signup"
    assert _users(db, "ana@acme.example") == 0


def test_a_sign_up_started_by_someone_else_cannot_be_confirmed_by_the_owner(
    app, client, db, outbox
):
    # An attacker signs up with Ana's address hoping she clicks; she does not know the password.
    _post(app.test_client(), "ana@acme.example", password="attackers-password")
    link = urlsplit(confirmation_link(app, "ana@acme.example")).path
    response = client.post(link, data={"password": PASSWORD})
    assert response.status_code == 422
    assert "not the password chosen" in response.text
    assert _users(db, "ana@acme.example") == 0


def test_the_next_page_is_kept_through_the_confirmation(app, client, outbox):
    client.post(
        "/signup?next=/checkout", data={"email": "ana@acme.example", "password": PASSWORD}
    ).close()
    link = urlsplit(confirmation_link(app, "ana@acme.example")).path
    response = client.post(link, data={"password": PASSWORD})
    assert response.headers["Location"] == "/checkout"


def test_the_confirmation_needs_csrf(app, client, db, outbox):
    _post(client, "ana@acme.example")
    link = urlsplit(confirmation_link(app, "ana@acme.example")).path
    assert client.post(link, data={"password": PASSWORD}, csrf=False).status_code in (400, 422)
    assert _users(db, "ana@acme.example") == 0


def test_the_helper_signs_up_in_one_call(client, db):
    assert sign_up(client, "bo@acme.example").status_code == 302
    assert _users(db, "bo@acme.example") == 1


def test_sign_up_mails_to_one_address_are_limited_alike_for_known_and_new(app, make_user, outbox):
    app.config["SIGNUP_ADDRESS_RATE_LIMIT"] = "2 per hour"
    app.config["SIGNUP_RATE_LIMIT"] = "100 per minute"  # the per-IP limit is not the point
    make_user(email="known@acme.example")
    for address in ("known@acme.example", "fresh@acme.example"):
        # Each attempt from another client (another IP would be the same): the address counts.
        codes = [_post(app.test_client(), address).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
    assert (
        sorted(m["To"] for m in outbox()) == ["fresh@acme.example"] * 2 + ["known@acme.example"] * 2
    )
    assert _post(app.test_client(), "other@acme.example").status_code == 200
    assert _post(app.test_client(), "weak@acme.example", password="short").status_code == 422


def test_the_purge_schedule_clears_expired_sign_up_requests(app, client, db, outbox):
    """Unconfirmed requests (each holds a password hash) go on the worker's purge round even
    when nobody signs up again; a request still inside its link's lifetime stays."""
    _post(client, "old@acme.example")
    _post(client, "new@acme.example")
    max_age = app.config["SIGNUP_CONFIRM_MAX_AGE"]
    old = db.session.scalar(select(SignupRequest).where(SignupRequest.email == "old@acme.example"))
    old.created_at = datetime.now(UTC) - timedelta(seconds=max_age + 60)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["purge-sandbox"])
    assert result.exit_code == 0, result.output
    assert "1 expired sign-up request(s)" in result.output
    db.session.expire_all()
    left = db.session.scalars(select(SignupRequest.email)).all()
    assert left == ["new@acme.example"]
