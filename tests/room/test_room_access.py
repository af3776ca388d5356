"""Isolation: every room route answers 404 to another account and to a removed member, for
every object id it takes; shared links stop working when revoked or expired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from portal.models import ResultShare
from tests.room.conftest import signed_in

IDS = {
    "invitation_id": lambda r: r.invitation_id,
    "user_id": lambda r: r.ann.id,
    "item_id": lambda r: r.item_id,
    "share_id": lambda r: r.account_share_id,
    "step_id": lambda r: r.step_id,
}
# Harmless form values: a valid form must still get a 404, not a change somewhere else.
FORM = {
    "role": "finance",
    "body": "hello",
    "title": "A step",
    "direction": "up",
    "done": "1",
    "assignee": "",
    "due_on": "",
}


def member_rules(app):
    """The room's member routes that take an object id."""
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("room.") and rule.rule.startswith("/account/room/")
    ]
    with_ids = [rule for rule in rules if rule.arguments]
    assert len(with_ids) >= 14  # the test must see the routes it claims to cover
    return with_ids


def assert_every_route_is_404(app, client, room, ids=IDS):
    checked = 0
    for rule in member_rules(app):
        values = {name: ids[name](room) for name in rule.arguments}
        with app.test_request_context():
            url = rule.build(values, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data=FORM if method == "POST" else None)
            assert response.status_code == 404, (method, url, response.status_code)
            checked += 1
    return checked


def test_another_account_gets_404_on_every_room_route(app, room):
    eve = signed_in(app, room.eve)
    checked = assert_every_route_is_404(app, eve, room)
    assert checked >= 14
    # The proposed step (another status) and the link share are 404 too.
    for url in (
        f"/account/room/plan/steps/{room.proposed_step_id}/accept",
        f"/account/room/shares/{room.link_share_id}/revoke",
    ):
        assert eve.post(url).status_code == 404
    # Eve cannot share Ann's run, and her own room shows nothing of Ann's.
    assert eve.post("/account/room/shares", data={"run_id": room.run_sandbox_id}).status_code in (
        404,
        422,
    )
    page = eve.get("/account/room")
    assert page.status_code == 200
    assert "Ann Champion" not in page.text and "Pipeline Lens" not in page.text


def test_removed_member_loses_access_at_once(app, room):
    bob = signed_in(app, room.bob)
    assert bob.get(f"/account/room/shortlist/{room.item_id}").status_code == 200
    assert bob.get(f"/account/room/shares/{room.account_share_id}").status_code == 200
    ann = signed_in(app, room.ann)
    assert ann.post(f"/account/room/members/{room.bob.id}/remove").status_code == 303
    assert_every_route_is_404(app, bob, room)
    page = bob.get("/account/room")
    assert "Ann Champion" not in page.text and "Pipeline Lens" not in page.text


def test_anonymous_visitors_are_sent_to_sign_in(app, room, client):
    for rule in member_rules(app):
        values = {name: IDS[name](room) for name in rule.arguments}
        with app.test_request_context():
            url = rule.build(values, append_unknown=False)[1]
        method = "POST" if "POST" in rule.methods else "GET"
        assert client.open(url, method=method).status_code == 302, url


def test_shared_link_works_until_revoked(app, room, client):
    url = f"/shared/{room.link_token}"
    page = client.get(url)
    assert page.status_code == 200 and "Win rate" in page.text
    assert "deals.csv" not in page.text or "not shared" in page.text
    assert client.get(url + "/result.csv").status_code == 200  # the owner allowed it
    ann = signed_in(app, room.ann)
    assert ann.post(f"/account/room/shares/{room.link_share_id}/revoke").status_code == 303
    assert client.get(url).status_code == 404
    assert client.get(url + "/result.csv").status_code == 404


def test_shared_link_stops_at_expiry_and_guesses_fail(app, db, room, client):
    db.session.execute(
        update(ResultShare)
        .where(ResultShare.id == room.link_share_id)
        .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    db.session.commit()
    assert client.get(f"/shared/{room.link_token}").status_code == 404
    assert client.get(f"/shared/{room.link_token[:-1]}x").status_code == 404
    assert client.get("/shared/not-a-token").status_code == 404
    # >= 128 bits: 32 random bytes, URL-safe
    assert len(room.link_token) >= 43


def test_account_share_is_for_members_only_and_read_only(app, room):
    bob = signed_in(app, room.bob)
    page = bob.get(f"/account/room/shares/{room.account_share_id}")
    assert page.status_code == 200 and "Win rate" in page.text
    assert "Download" not in page.text  # read-only: no CSV, never the file
    # only the person who shared can stop sharing
    bob.post(f"/account/room/shares/{room.account_share_id}/revoke")
    assert bob.get(f"/account/room/shares/{room.account_share_id}").status_code == 200


def test_a_link_without_download_shows_the_result_but_never_a_file(app, db, room, client):
    from portal.models import User
    from portal.room import shares

    ann = db.session.get(User, room.ann.id)
    _, token = shares.share_run(ann, room.run_sandbox_id, "link", 2, False, None, 30)
    db.session.commit()
    page = client.get(f"/shared/{token}")
    assert page.status_code == 200 and "Win rate" in page.text
    assert "result.csv" not in page.text
    assert client.get(f"/shared/{token}/result.csv").status_code == 404


def test_a_result_no_longer_shared_with_the_room_is_gone_for_members(app, room):
    bob = signed_in(app, room.bob)
    url = f"/account/room/shares/{room.account_share_id}"
    assert bob.get(url).status_code == 200
    ann = signed_in(app, room.ann)
    assert ann.post(f"/account/room/shares/{room.account_share_id}/revoke").status_code == 303
    assert bob.get(url).status_code == 404


def test_seller_routes_stay_within_the_deal_and_are_for_sellers(app, db, room, seller_client):
    """A seller comments only on the deal's own plan; a buyer cannot use the seller's routes;
    an unknown deal is a 404. Nothing is written by a refused request."""
    from sqlalchemy import func, select

    from portal.models import PlanComment, PlanStep, User
    from tests.factories import deal_of, record

    record(db.session.get(User, room.eve.id), "product_viewed", room.product_id)
    db.session.commit()
    eve_deal = deal_of(db.session.get(User, room.eve.id))
    # Ann's step through Eve's deal: not that deal's plan.
    seller_client.post(
        f"/seller/deals/{eve_deal.id}/plan/steps/{room.step_id}/comments", data={"body": "x"}
    )
    assert db.session.scalar(select(func.count()).select_from(PlanComment)) == 0
    missing = seller_client.post("/seller/deals/999999/plan/propose", data={"title": "A step"})
    assert missing.status_code == 404
    bob = signed_in(app, room.bob)
    steps = db.session.scalar(select(func.count()).select_from(PlanStep))
    refused = bob.post(f"/seller/deals/{eve_deal.id}/plan/propose", data={"title": "Sneaky"})
    assert refused.status_code in (403, 404)
    assert db.session.scalar(select(func.count()).select_from(PlanStep)) == steps
