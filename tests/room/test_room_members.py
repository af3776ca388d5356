"""Members: invitations by e-mail to any domain, single use, expiring; sign-up through the
link joins the inviting account; decline; roles; the seller's alert."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from portal.models import Notification, RoomInvitation, User
from tests.room.conftest import link_in, signed_in


def _invite(app, room, email="carol@othercorp.example", role="finance"):
    ann = signed_in(app, room.ann)
    response = ann.post("/account/room/invitations", data={"email": email, "invitee_role": role})
    assert response.status_code == 303, response.text
    return ann


def test_invitee_on_another_domain_signs_up_into_the_inviting_account(app, db, room, outbox):
    _invite(app, room)
    mail = outbox()[-1]
    assert mail["To"] == "carol@othercorp.example"
    url = link_in(mail.get_body(("plain",)).get_content())
    token = url.rsplit("/", 1)[-1]
    client = app.test_client()
    page = client.get(f"/room/invitations/{token}")
    assert page.status_code == 200 and "Join acme.example" in page.text
    response = client.post(
        f"/room/invitations/{token}/signup",
        data={"name": "Carol CFO", "password": "a-long-enough-password"},
    )
    assert response.status_code == 303
    carol = db.session.scalar(select(User).where(User.email == "carol@othercorp.example"))
    assert carol.account_id == room.ann.account_id  # not a personal or othercorp account
    room_page = client.get("/account/room").text
    assert "Ann Champion" in room_page and "Pipeline Lens" in room_page
    assert "Finance" in room_page
    # single use: the link is dead now, for anyone
    assert app.test_client().get(f"/room/invitations/{token}").status_code == 404
    # no tracking consent given: nothing recorded for Carol
    assert carol.tracking_consent is None


def test_seller_hears_of_a_new_committee_member_with_role(app, db, room, make_user, outbox):
    from tests.factories import record

    record(room.ann, "product_viewed", room.product_id)  # the account has a deal
    db.session.commit()
    _invite(app, room)
    token = link_in(outbox()[-1].get_body(("plain",)).get_content()).rsplit("/", 1)[-1]
    app.test_client().post(
        f"/room/invitations/{token}/signup",
        data={"name": "Carol CFO", "password": "a-long-enough-password"},
    )
    messages = db.session.scalars(
        select(Notification.message).where(Notification.kind == "committee")
    ).all()
    assert messages and "new committee member Carol CFO (Finance)" in messages[0]


def test_existing_user_accepts_only_with_the_invited_address(app, db, room, make_user, outbox):
    dave = make_user(email="dave@elsewhere.example", name="Dave")
    _invite(app, room, email="dave@elsewhere.example", role="it_security")
    token = link_in(outbox()[-1].get_body(("plain",)).get_content()).rsplit("/", 1)[-1]
    eve = signed_in(app, room.eve)
    assert eve.post(f"/room/invitations/{token}/accept").status_code == 404
    assert db.session.get(User, room.eve.id).account_id != room.ann.account_id
    client = signed_in(app, dave)
    assert client.post(f"/room/invitations/{token}/accept").status_code == 303
    assert db.session.get(User, dave.id).account_id == room.ann.account_id
    assert client.post(f"/room/invitations/{token}/accept").status_code == 404  # used


def test_declined_and_expired_invitations_stop_working(app, db, room, outbox):
    client = app.test_client()
    token = room.invitation_token
    assert client.post(f"/room/invitations/{token}/decline").status_code == 303
    assert client.get(f"/room/invitations/{token}").status_code == 404
    status = db.session.get(RoomInvitation, room.invitation_id).status
    assert status == "declined"

    _invite(app, room, email="late@x.example")
    late = link_in(outbox()[-1].get_body(("plain",)).get_content()).rsplit("/", 1)[-1]
    assert client.get(f"/room/invitations/{late}").status_code == 200
    db.session.execute(
        update(RoomInvitation)
        .where(RoomInvitation.email == "late@x.example")
        .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
    )
    db.session.commit()
    row = db.session.scalar(select(RoomInvitation).where(RoomInvitation.email == "late@x.example"))
    assert row.status == "pending"  # never used, yet the link is dead: it expired
    assert client.get(f"/room/invitations/{late}").status_code == 404
    signup = client.post(
        f"/room/invitations/{late}/signup", data={"password": "a-long-enough-password"}
    )
    assert signup.status_code == 404
    assert db.session.scalar(select(User).where(User.email == "late@x.example")) is None
    # The token is stored only hashed: the row cannot be turned back into a link.
    assert len(row.token_hash) == 64


def test_a_revoked_invitation_stops_working(app, db, room, outbox):
    ann = _invite(app, room, email="gone@x.example")
    token = link_in(outbox()[-1].get_body(("plain",)).get_content()).rsplit("/", 1)[-1]
    row = db.session.scalar(select(RoomInvitation).where(RoomInvitation.email == "gone@x.example"))
    assert ann.post(f"/account/room/invitations/{row.id}/revoke").status_code == 303
    assert app.test_client().get(f"/room/invitations/{token}").status_code == 404


def test_an_invitee_with_an_account_signs_in_and_joins(app, db, room, make_user, outbox):
    """Someone who already has an account elsewhere cannot sign up a second time: the page
    says so, and signing in with the invited address and accepting moves them over."""
    make_user(email="dora@elsewhere.example", name="Dora")
    _invite(app, room, email="dora@elsewhere.example", role="user")
    token = link_in(outbox()[-1].get_body(("plain",)).get_content()).rsplit("/", 1)[-1]
    again = app.test_client().post(
        f"/room/invitations/{token}/signup", data={"password": "a-long-enough-password"}
    )
    assert again.status_code == 422 and "already" in again.text.lower()
    dora = db.session.scalar(select(User).where(User.email == "dora@elsewhere.example"))
    assert dora.account_id != room.ann.account_id
    client = signed_in(app, dora)
    assert client.post(f"/room/invitations/{token}/accept").status_code == 303
    db.session.expire_all()
    assert db.session.get(User, dora.id).account_id == room.ann.account_id
    assert "Ann Champion" in client.get("/account/room").text


def test_invitation_page_reveals_nothing_about_other_accounts(app, room, make_user):
    make_user(email="carol@othercorp.example", name="Carol Secret")
    page = app.test_client().get(f"/room/invitations/{room.invitation_token}").text
    assert "Carol Secret" not in page and "globex" not in page


def test_members_choose_their_own_role(app, db, room):
    bob = signed_in(app, room.bob)
    assert bob.post("/account/room/role", data={"role": "finance"}).status_code == 303
    assert bob.post("/account/room/role", data={"role": "boss"}).status_code == 422
    page = bob.get("/account/room").text
    assert "Finance" in page


def test_invalid_invitations_are_refused_on_the_form(app, room):
    ann = signed_in(app, room.ann)
    assert (
        ann.post(
            "/account/room/invitations", data={"email": "nope", "invitee_role": ""}
        ).status_code
        == 422
    )
    already = ann.post(
        "/account/room/invitations", data={"email": "bob@acme.example", "invitee_role": ""}
    )
    assert already.status_code == 422 and "already in your room" in already.text
