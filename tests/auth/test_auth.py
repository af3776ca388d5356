"""Sign-up, sign-in, roles, password rules, reset by e-mail, rate limits, CSRF."""

import re

import pytest
from sqlalchemy import select

from portal.auth.services import (
    AuthError,
    account_for_email,
    create_user,
    password_problem,
)
from portal.models import Account, SignupRequest, User
from tests.conftest import PASSWORD, sign_up


def signup(client, email, password=PASSWORD, **extra):
    return client.post("/signup", data={"email": email, "password": password, **extra})


def test_signup_creates_user_and_signs_in(client, db):
    response = sign_up(client, "ana@acme.example", name="Ana")
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "ana@acme.example"))
    assert user.role == "buyer"
    assert user.password_hash.startswith("scrypt:")  # a modern KDF, never plain text
    assert client.get("/").text.count("Ana") >= 1


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "at least 10 characters"),
        ("password123", "too common"),
        ("1234567890", "too common"),
    ],
)
def test_signup_rejects_weak_passwords(client, db, password, message):
    response = signup(client, "weak@acme.example", password)
    assert response.status_code == 422
    assert message in response.text
    assert db.session.scalar(select(User)) is None
    assert db.session.scalar(select(SignupRequest)) is None


def test_signup_invalid_email(client):
    response = signup(client, "not-an-email")
    assert response.status_code == 422
    assert "valid e-mail" in response.text


def test_users_sharing_a_company_domain_share_an_account(db):
    a = create_user("one@acme.example", PASSWORD)
    b = create_user("two@ACME.example", PASSWORD)
    c = create_user("three@other.example", PASSWORD)
    assert a.account_id == b.account_id != c.account_id
    assert a.account.domain == "acme.example"


def test_free_mail_users_get_personal_accounts(db):
    a = create_user("one@gmail.com", PASSWORD)
    b = create_user("two@gmail.com", PASSWORD)
    assert a.account_id != b.account_id
    assert a.account.is_personal and a.account.domain is None
    assert account_for_email("x@outlook.com").is_personal


def test_password_rules():
    assert password_problem("abc") == "Use at least 10 characters."
    assert "common" in password_problem("qwertyuiop")
    assert "common" in password_problem("aaaaaaaaaaaa")
    assert password_problem("a-long-unusual-passphrase") is None


def test_unknown_role_is_refused(db):
    with pytest.raises(AuthError, match="Unknown role"):
        create_user("x@acme.example", PASSWORD, role="superuser")


def test_login_success_and_wrong_password(client, make_user, auth):
    user = make_user(email="li@acme.example")
    bad = auth.login(user.email, "wrong-password-123")
    assert bad.status_code == 422
    assert "do not match an account" in bad.text
    good = auth.login(user.email)
    assert good.status_code == 302
    assert "/login" not in good.headers["Location"]


def test_login_next_is_followed_only_when_local(client, make_user):
    user = make_user()
    ok = client.post("/login?next=/privacy", data={"email": user.email, "password": PASSWORD})
    assert ok.headers["Location"].endswith("/privacy")
    client.post("/logout")
    evil = client.post(
        "/login?next=https://evil.example/", data={"email": user.email, "password": PASSWORD}
    )
    assert "evil.example" not in evil.headers["Location"]


def test_logout_requires_post_with_csrf(client, make_user, auth):
    user = make_user()
    auth.login(user.email)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout", csrf=False).status_code == 400
    assert client.post("/logout").status_code == 302


def test_csrf_is_enforced_on_forms(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD}, csrf=False)
    assert response.status_code == 400
    assert "form expired" in response.text


def test_login_is_rate_limited(app, client, make_user):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    user = make_user()
    codes = [
        client.post(
            "/login", data={"email": user.email, "password": "wrong-password-1"}
        ).status_code
        for _ in range(4)
    ]
    assert codes == [422, 422, 422, 429]
    page = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert page.status_code == 429
    assert "Too many attempts" in page.text


def test_signup_is_rate_limited(app, client):
    app.config["SIGNUP_RATE_LIMIT"] = "2 per minute"
    codes = [signup(client, f"u{i}@acme.example", "short").status_code for i in range(3)]
    assert codes[-1] == 429


def test_seller_route_role_checks(
    client, make_user, auth, buyer_client, seller_client, admin_client
):
    anonymous = client.get("/seller/pipeline")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert buyer_client.get("/seller/pipeline").status_code == 403
    assert seller_client.get("/seller/pipeline").status_code == 200
    assert admin_client.get("/seller/pipeline").status_code == 200


def test_admin_route_role_checks(client, buyer_client, seller_client, admin_client):
    assert "/login" in client.get("/admin/").headers["Location"]
    assert buyer_client.get("/admin/").status_code == 403
    assert seller_client.get("/admin/").status_code == 403
    assert admin_client.get("/admin/").status_code == 200


def test_password_reset_by_emailed_token(app, client, make_user, outbox, auth):
    user = make_user(email="reset@acme.example")
    response = client.post("/password/forgot", data={"email": user.email})
    assert response.status_code == 302
    response.close()  # the mail goes out once the response is sent
    (mail,) = outbox()
    assert mail["To"] == user.email
    link = re.search(r"http://\S+/password/reset/\S+", mail.get_body(("plain",)).get_content())
    path = link.group(0).removeprefix(app.config["PUBLIC_BASE_URL"])
    new = "a-brand-new-passphrase"
    done = client.post(path, data={"password": new, "confirm": new})
    assert done.status_code == 302
    assert auth.login(user.email, new).status_code == 302
    # The token is single-use: the password changed, so it no longer works.
    again = client.get(path)
    assert again.status_code == 302 and "forgot" in again.headers["Location"]


def test_password_reset_for_unknown_email_reveals_nothing(client, outbox):
    response = client.post(
        "/password/forgot", data={"email": "nobody@acme.example"}, follow_redirects=True
    )
    assert "If that address has an account" in response.text
    response.close()
    assert outbox() == []


def test_tampered_reset_token_is_refused(client):
    response = client.get("/password/reset/not-a-token")
    assert response.status_code == 302


def test_cli_users_create(runner, db):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "s@corp.example",
            "--role",
            "seller",
            "--password",
            "seller-password-1",
        ]
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User).where(User.email == "s@corp.example")).role == "seller"
    bad = runner.invoke(args=["users", "create", "--email", "t@corp.example", "--password", "x"])
    assert bad.exit_code != 0 and "at least 10" in bad.output


def test_cli_created_seller_opens_the_pipeline_but_a_buyer_gets_403(app, runner, auth, client):
    runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "sel@corp.example",
            "--role",
            "seller",
            "--password",
            "seller-password-1",
        ]
    )
    runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "buy@corp.example",
            "--role",
            "buyer",
            "--password",
            "buyer-password-1",
        ]
    )
    auth.login("sel@corp.example", "seller-password-1")
    assert client.get("/seller/pipeline").status_code == 200
    auth.logout()
    auth.login("buy@corp.example", "buyer-password-1")
    assert client.get("/seller/pipeline").status_code == 403


@pytest.mark.seeded_demo
def test_seed_demo_is_idempotent(runner, db, seed_demo_output):
    assert "admin@northwind.example" in seed_demo_output
    count = len(db.session.scalars(select(User)).all())
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert len(db.session.scalars(select(User)).all()) == count
    roles = {u.role for u in db.session.scalars(select(User))}
    assert roles == {"admin", "seller", "buyer"}
    assert db.session.scalar(select(Account).where(Account.domain == "acme.example"))


def test_two_clients_stay_two_users_while_the_test_holds_an_app_context(app, db, make_user):
    first, second = make_user(), make_user()
    clients = []
    for user in (first, second):
        client = app.test_client()
        client.post("/login", data={"email": user.email, "password": PASSWORD})
        clients.append(client)
    emails = [c.get("/account/data").json["user"]["email"] for c in clients]
    assert emails == [first.email, second.email]
