"""Consent, the event log, identity merge on sign-up/login, export and erasure."""

import json

import pytest
from sqlalchemy import func, select

from portal.journey.kinds import EVENT_KINDS, UnknownEventKind
from portal.journey.services import (
    Actor,
    InvalidEvent,
    event_recorded,
    record_event,
)
from portal.models import Account, Event, User
from tests.conftest import PASSWORD, sign_up


def event_count(db, **filters) -> int:
    query = select(func.count()).select_from(Event).filter_by(**filters)
    return db.session.scalar(query)


def test_record_event_appends_in_the_callers_transaction(db):
    actor = Actor(visitor_id="visitor-abcdef123")
    event = record_event(actor, "searched", query="  Pipeline   FORECAST ", results=3)
    assert event.id is not None
    assert event.props == {"query": "pipeline forecast", "results": 3}
    db.session.rollback()  # the caller owns the transaction
    assert event_count(db) == 0


def test_no_actor_means_nothing_is_stored(db):
    assert record_event(None, "product_viewed", product=1) is None
    assert event_count(db) == 0


def test_unknown_kind_and_bad_props_are_errors(db):
    actor = Actor(visitor_id="visitor-abcdef123")
    with pytest.raises(UnknownEventKind):
        record_event(actor, "mind_read")
    with pytest.raises(InvalidEvent, match="no property"):
        record_event(actor, "product_viewed", note="free text is not allowed")
    with pytest.raises(InvalidEvent, match="e-mail"):
        record_event(actor, "demo_started", recipe="a@b.example", run_id="r1")
    with pytest.raises(InvalidEvent, match="short code"):
        record_event(actor, "demo_started", recipe="two words", run_id="r1")
    # unknown kinds are refused even for a visitor without consent
    with pytest.raises(UnknownEventKind):
        record_event(None, "mind_read")


def test_listeners_see_each_event(db):
    seen = []

    def listener(sender, event):
        seen.append(event.kind)

    event_recorded.connect(listener)
    try:
        record_event(Actor(visitor_id="visitor-abcdef123"), "sheet_downloaded", product=7)
    finally:
        event_recorded.disconnect(listener)
    assert seen == ["sheet_downloaded"]


def test_every_kind_declares_a_label():
    assert all(kind.label for kind in EVENT_KINDS.values())
    assert {"product_viewed", "demo_completed", "order_paid", "testimonials_viewed"} <= set(
        EVENT_KINDS
    )


def test_consent_banner_has_equal_buttons_and_nothing_preticked(client):
    page = client.get("/").text
    assert 'name="choice" value="accept"' in page
    assert 'name="choice" value="decline"' in page
    assert "checked" not in page.split("consent-banner", 1)[1].split("</section>", 1)[0]


def test_declining_consent_stores_nothing(client, db):
    response = client.post("/consent", data={"choice": "decline", "next": "/"})
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("td_consent=decline") for c in cookies)
    assert not any(c.startswith("td_vid=") and "Expires=Thu, 01 Jan 1970" not in c for c in cookies)
    sign_up(client, "nope@acme.example")
    assert event_count(db) == 0
    assert db.session.scalar(select(User)).tracking_consent is False


def test_accepting_consent_sets_a_visitor_id_and_records(client, db):
    response = client.post("/consent", data={"choice": "accept", "next": "/privacy"})
    assert response.headers["Location"].endswith("/privacy")
    assert client.get_cookie("td_vid") is not None
    assert "td_vid" in response.headers.get("Set-Cookie", "") or client.get_cookie("td_vid")
    sign_up(client, "yes@acme.example")
    assert event_count(db, kind="signed_up") == 1


def test_consent_rejects_garbage(client):
    response = client.post("/consent", data={"choice": "maybe"})
    assert response.status_code == 302
    assert client.get_cookie("td_consent") is None


def test_consent_requires_csrf(client):
    assert client.post("/consent", data={"choice": "accept"}, csrf=False).status_code == 400


def test_identity_merge_on_signup(client, db, app):
    client.post("/consent", data={"choice": "accept"})
    vid = client.get_cookie("td_vid").value
    with app.app_context():
        record_event(Actor(visitor_id=vid), "product_viewed", product=3)
        record_event(Actor(visitor_id=vid), "sheet_downloaded", product=3)
        db.session.commit()
    sign_up(client, "merge@acme.example")
    user = db.session.scalar(select(User).where(User.email == "merge@acme.example"))
    assert user.tracking_consent is True
    events = db.session.scalars(select(Event).order_by(Event.id)).all()
    assert [e.kind for e in events] == ["product_viewed", "sheet_downloaded", "signed_up"]
    assert {e.user_id for e in events} == {user.id}
    assert {e.account_id for e in events} == {user.account_id}


def test_identity_merge_on_login(client, db, app, make_user, auth):
    user = make_user(email="back@acme.example", consent=None)
    client.post("/consent", data={"choice": "accept"})
    vid = client.get_cookie("td_vid").value
    with app.app_context():
        record_event(Actor(visitor_id=vid), "product_viewed", product=1)
        db.session.commit()
    auth.login(user.email)
    kinds = {e.kind: e.user_id for e in db.session.scalars(select(Event))}
    assert kinds == {"product_viewed": user.id, "logged_in": user.id}


def test_withdrawing_consent_deletes_anonymous_events(client, db, app):
    client.post("/consent", data={"choice": "accept"})
    vid = client.get_cookie("td_vid").value
    with app.app_context():
        record_event(Actor(visitor_id=vid), "product_viewed", product=1)
        db.session.commit()
    client.post("/consent", data={"choice": "decline"})
    assert event_count(db) == 0


def test_data_export_contains_the_users_data(buyer_client, db):
    response = buyer_client.get("/account/data")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["user"]["email"] == buyer_client.user.email
    assert [e["kind"] for e in data["events"]] == ["logged_in"]
    assert "password" not in response.text.lower().replace("password_hash", "")
    assert "scrypt" not in response.text


def test_data_export_requires_login(client):
    assert "/login" in client.get("/account/data").headers["Location"]


def test_erasure_needs_the_password(buyer_client, db):
    response = buyer_client.post("/account/delete", data={"password": "wrong-password-99"})
    assert response.status_code == 422
    assert db.session.get(User, buyer_client.user.id) is not None


def test_erasure_leaves_no_row_of_the_user(buyer_client, db, make_user):
    colleague = make_user(email="mate@example-buyer.example")
    user_id, account_id = buyer_client.user.id, buyer_client.user.account_id
    response = buyer_client.post("/account/delete", data={"password": PASSWORD})
    assert response.status_code == 302
    assert db.session.get(User, user_id) is None
    assert event_count(db, user_id=user_id) == 0
    # the colleague keeps the shared buying account
    assert db.session.get(Account, account_id) is not None
    assert db.session.get(User, colleague.id) is not None
    assert buyer_client.get("/account/data").status_code == 302  # signed out


def test_erasing_the_last_member_removes_the_account(app, make_user, auth, client, db):
    user = make_user(email="solo@gmail.com")
    auth.login(user.email)
    client.post("/account/delete", data={"password": PASSWORD})
    assert db.session.get(Account, user.account_id) is None
    assert event_count(db) == 0
