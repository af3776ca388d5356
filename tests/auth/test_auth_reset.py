"""Password-reset links: built on PUBLIC_BASE_URL whatever the Host says, only the latest
works, none survive a password change, and the form answers alike for every address."""

import re

from itsdangerous import URLSafeTimedSerializer

from portal.auth.services import issue_reset_token, set_password, user_for_reset_token
from portal.models import User


def _reset_links(outbox) -> list[str]:
    return [
        re.search(r"\S+/password/reset/\S+", m.get_body(("plain",)).get_content()).group(0)
        for m in outbox()
    ]


def _ask(client, email, **kwargs):
    response = client.post("/password/forgot", data={"email": email}, **kwargs)
    response.close()  # the mail goes out once the response is sent
    return response


def test_a_forged_host_is_refused_and_gets_no_mail(app, client, make_user, outbox):
    app.config["WTF_CSRF_ENABLED"] = False  # so only the Host can be what is refused
    user = make_user(email="victim@acme.example")
    response = _ask(client, user.email, headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "Error 400" in response.text  # the friendly page, links and all
    assert outbox() == []


def test_the_reset_link_is_on_public_base_url_even_without_the_host_check(
    app, client, make_user, outbox
):
    app.config["TRUSTED_HOSTS"] = None  # suppose a proxy lets any Host through
    app.config["WTF_CSRF_ENABLED"] = False  # the client's session cookie is for localhost
    user = make_user(email="victim@acme.example")
    assert _ask(client, user.email, headers={"Host": "evil.example"}).status_code == 302
    (mail,) = outbox()
    assert "evil.example" not in mail.as_string()
    (link,) = _reset_links(outbox)
    assert link.startswith("http://127.0.0.1:5000/password/reset/")


def test_external_links_use_public_base_url_in_and_outside_requests(app):
    from flask import render_template_string, url_for

    app.config["PUBLIC_BASE_URL"] = "https://portal.example.com"
    with app.test_request_context("/", base_url="http://localhost"):
        assert url_for("catalog.product", slug="x", _external=True) == (
            "https://portal.example.com/products/x"
        )
        assert url_for("catalog.product", slug="x") == "/products/x"  # relative stays relative
        html = render_template_string("{{ url_for('commerce.pay', order_id=3, _external=True) }}")
        assert html == "https://portal.example.com/orders/3/pay"
    with app.app_context():  # workers and the CLI: no request, still the public address
        assert url_for("auth.login") == "https://portal.example.com/login"
        assert url_for("auth.login", _anchor="a b") == "https://portal.example.com/login#a%20b"


def test_no_external_link_is_built_from_the_request(app):
    """Every ``_external`` URL in the code goes through ``Portal.url_for`` (a grep check)."""
    import pathlib

    root = pathlib.Path(app.root_path)
    for path in [*root.rglob("*.py"), *pathlib.Path(app.template_folder).rglob("*.html")]:
        text = path.read_text()
        assert "request.host_url" not in text, path
        assert "url_root" not in text or path.name == "routes.py" and "api" in str(path), path


def test_an_older_reset_link_dies_when_a_newer_one_is_sent(client, make_user, outbox):
    user = make_user(email="twice@acme.example")
    _ask(client, user.email)
    _ask(client, user.email)
    older, newer = (link.split("127.0.0.1:5000", 1)[1] for link in _reset_links(outbox))
    stale = client.get(older)
    assert stale.status_code == 302 and "forgot" in stale.headers["Location"]
    assert client.get(newer).status_code == 200


def test_any_reset_link_dies_once_the_password_changed(app, db, make_user):
    user = db.session.get(User, make_user().id)
    token = issue_reset_token(user, app.secret_key)
    db.session.commit()
    assert user_for_reset_token(token, app.secret_key, 3600) is user
    set_password(user, "a-changed-passphrase")
    db.session.commit()
    assert user_for_reset_token(token, app.secret_key, 3600) is None


def test_the_reset_link_carries_nothing_of_the_password_hash(app, db, make_user):
    user = db.session.get(User, make_user().id)
    token = issue_reset_token(user, app.secret_key)
    payload = URLSafeTimedSerializer(app.secret_key, salt="password-reset").loads(token)
    digest = user.password_hash.rsplit("$", 1)[-1]
    assert all(str(value) not in digest for value in payload.values() if len(str(value)) > 4)


def _visible_answer(response) -> tuple:
    text = re.sub(r'(nonce|value)="[^"]*"', "", response.text)
    return response.status_code, text


def test_forgot_password_answers_alike_for_known_and_unknown_addresses(app, make_user, outbox):
    user = make_user(email="known@acme.example")
    answers = []
    for email in (user.email, "unknown@acme.example"):
        client = app.test_client()
        first = _ask(client, email)
        answers.append((first.status_code, first.headers["Location"]))
        answers.append(_visible_answer(client.get(first.headers["Location"])))
    assert answers[0] == answers[2] and answers[1] == answers[3]
    assert [m["To"] for m in outbox()] == [user.email]
