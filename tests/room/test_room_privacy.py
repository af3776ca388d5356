"""Privacy: the export holds the member's room data, erasure removes their comments'
personal data, comments are escaped and rate-limited, consent is per person."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from portal.journey.services import erase_user
from portal.journey.tracking import CONSENT_COOKIE, VISITOR_COOKIE
from portal.models import Event, ShortlistComment, User
from tests.room.conftest import signed_in


def test_export_includes_room_data(app, room):
    ann = signed_in(app, room.ann)
    data = json.loads(ann.get("/account/data").data)
    section = data["room"]
    assert section["shortlist_comments"][0]["body"] == "Looks <b>good</b>"
    assert section["invitations_sent"][0]["email"] == "carl@consult.example"
    assert {s["scope"] for s in section["shared_results"]} == {"account", "link"}


def test_erasure_removes_comment_text_and_author(app, db, room):
    erase_user(db.session.get(User, room.ann.id))
    db.session.commit()
    comment = db.session.get(ShortlistComment, room.comment_id)
    assert comment is not None and comment.author_id is None
    assert "good" not in comment.body


def test_comments_are_escaped_and_rate_limited(app, room):
    bob = signed_in(app, room.bob)
    page = bob.get(f"/account/room/shortlist/{room.item_id}").text
    assert "Looks &lt;b&gt;good&lt;/b&gt;" in page and "<b>good</b>" not in page
    url = f"/account/room/shortlist/{room.item_id}/comments"
    codes = [bob.post(url, data={"body": f"note {n}"}).status_code for n in range(12)]
    assert codes[:10] == [303] * 10
    assert 429 in codes[10:]
    assert bob.post(url, data={"body": "   "}).status_code in (422, 429)


def test_a_non_consenting_invitee_is_not_tracked(app, db, room, make_user):
    quiet = make_user(email="quiet@acme.example", consent=False)
    client = signed_in(app, quiet)
    client.post("/account/room/role", data={"role": "user"})
    client.post(f"/account/room/shortlist/{room.item_id}/comments", data={"body": "hi"})
    count = db.session.scalar(
        select(func.count()).select_from(Event).where(Event.user_id == quiet.id)
    )
    assert count == 0
    # ...while the consenting champion's actions are journey events
    kinds = set(db.session.scalars(select(Event.kind).where(Event.user_id == room.ann.id)))
    assert {"shortlist_added", "shortlist_commented", "committee_invited"} <= kinds


def test_link_views_carry_nothing_about_the_viewer(app, db, room, client):
    response = client.get(f"/shared/{room.link_token}")
    cookies = " ".join(response.headers.getlist("Set-Cookie"))
    assert VISITOR_COOKIE not in cookies and CONSENT_COOKIE not in cookies
    event = db.session.scalar(
        select(Event).where(Event.kind == "shared_result_viewed").order_by(Event.id.desc())
    )
    assert event.user_id is None and event.visitor_id is None
    assert event.props["via"] == "link" and event.account_id == room.ann.account_id
