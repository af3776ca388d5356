"""Sessions can be revoked: logout, "sign out everywhere else", password change and reset
end every saved session and remember cookie (issue 17)."""

import re

from sqlalchemy import select

from portal.auth.services import set_password
from portal.models import User
from tests.conftest import PASSWORD, AuthActions


def _login(app, email, remember=False):
    client = app.test_client()
    data = {"email": email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    assert client.post("/login", data=data).status_code == 302
    return client


def _replay(app, **cookies):
    """A fresh browser holding only copies of ``cookies`` (as a thief would)."""
    client = app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value)
    return client


def _signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def test_a_session_cookie_saved_before_logout_no_longer_opens_the_account(app, make_user):
    user = make_user()
    client = _login(app, user.email)
    saved = client.get_cookie("session").value
    assert _signed_in(_replay(app, session=saved))
    assert client.post("/logout").status_code == 302
    thief = _replay(app, session=saved)
    for path in ("/account", "/account/data"):
        response = thief.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_remember_cookie_saved_before_logout_no_longer_signs_in(app, make_user):
    user = make_user()
    client = _login(app, user.email, remember=True)
    saved = client.get_cookie("remember_token").value
    assert _signed_in(_replay(app, remember_token=saved))  # the cookie works while signed in
    client.post("/logout")
    assert client.get_cookie("remember_token") is None  # this browser forgot it too
    assert not _signed_in(_replay(app, remember_token=saved))


def test_a_remember_cookie_does_not_survive_a_password_reset(app, make_user, outbox):
    user = make_user(email="lost-phone@acme.example")
    phone = _login(app, user.email, remember=True)
    saved = phone.get_cookie("remember_token").value
    laptop = app.test_client()
    laptop.post("/password/forgot", data={"email": user.email}).close()
    (mail,) = outbox()
    link = re.search(r"/password/reset/\S+", mail.get_body(("plain",)).get_content()).group(0)
    new = "a-brand-new-passphrase"
    assert laptop.post(link, data={"password": new, "confirm": new}).status_code == 302
    assert not _signed_in(_replay(app, remember_token=saved))
    assert not _signed_in(phone)  # its live session ended as well
    assert AuthActions(laptop).login(user.email, new).status_code == 302


def test_a_password_change_ends_every_session(app, db, make_user):
    user = make_user()
    client = _login(app, user.email, remember=True)
    set_password(db.session.get(User, user.id), "another-long-passphrase")
    db.session.commit()
    assert not _signed_in(client)
    assert not _signed_in(_replay(app, remember_token=client.get_cookie("remember_token").value))


def test_sign_out_everywhere_else_keeps_this_session_only(app, db, make_user):
    user = make_user()
    here, there = _login(app, user.email, remember=True), _login(app, user.email, remember=True)
    assert "Sign out everywhere else" in here.get("/account").text
    response = here.post("/account/sign-out-elsewhere")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account")
    assert _signed_in(here)
    assert _signed_in(_replay(app, remember_token=here.get_cookie("remember_token").value))
    assert not _signed_in(there)
    assert not _signed_in(_replay(app, remember_token=there.get_cookie("remember_token").value))
    version = db.session.scalar(select(User.session_version).where(User.id == user.id))
    assert version == 1


def test_sign_out_everywhere_else_needs_a_sign_in_and_csrf(app, make_user):
    anonymous = app.test_client()
    assert "/login" in anonymous.post("/account/sign-out-elsewhere").headers["Location"]
    client = _login(app, make_user().email)
    assert client.post("/account/sign-out-elsewhere", csrf=False).status_code == 400
    assert client.get("/account/sign-out-elsewhere").status_code == 405


def test_a_session_id_without_the_current_version_is_refused(app, db, make_user):
    from portal.auth.services import user_for_session_id

    user = make_user()
    assert user_for_session_id(f"{user.id}:0").id == user.id
    for forged in (str(user.id), f"{user.id}:1", f"{user.id}:", ":0", "x:0", ""):
        assert user_for_session_id(forged) is None
