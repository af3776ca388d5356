"""Alerts: in-app notifications and the e-mail digest (through the outbox)."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from portal.models import Notification
from tests.factories import deal_of, record

NOW = datetime.now(UTC)


def messages(db, user_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(Notification.message)
            .where(Notification.user_id == user_id)
            .order_by(Notification.id)
        )
    )


def test_sellers_hear_about_deciding_score_jumps_and_reference_requests(app, db, make_user):
    app.config["PIPELINE_SCORE_JUMP"] = 15
    seller = make_user(role="seller")
    buyer = make_user(email="dana@globex.example", company="Globex")
    record(buyer, "product_viewed", 1)
    assert messages(db, seller.id) == []
    record(buyer, "reference_requested", 1)  # +10
    assert messages(db, seller.id) == ["Globex asked to talk to a customer."]
    record(buyer, "cart_item_added", 1, plan_id=1, quantity=1)  # enters Deciding, +8
    assert messages(db, seller.id)[1:] == [
        "Globex entered Deciding.",
        "Globex's engagement jumped to 19 (+19).",
    ]
    record(buyer, "product_viewed", 1)  # a small step after the alert: quiet
    assert len(messages(db, seller.id)) == 3


def test_the_owner_alone_is_told_and_history_raises_no_alerts(db, make_user):
    owner = make_user(role="seller")
    other = make_user(role="seller")
    buyer = make_user()
    record(buyer, "cart_item_added", 1, plan_id=1, quantity=1, at=NOW - timedelta(days=30))
    assert messages(db, owner.id) == [] and messages(db, other.id) == []  # old news
    deal_of(buyer).owner_id = owner.id
    record(buyer, "reference_requested", 1)
    assert len(messages(db, owner.id)) == 1 and messages(db, other.id) == []


def test_digest_mails_each_seller_once_with_their_new_alerts(app, db, runner, outbox, make_user):
    seller = make_user(role="seller", email="sam@northwind.example")
    buyer = make_user(email="dana@globex.example", company="Globex")
    record(buyer, "reference_requested", 1)
    db.session.commit()
    result = runner.invoke(args=["pipeline", "digest"])
    assert "Sent 1 digest" in result.output
    mails = outbox()
    assert len(mails) == 1
    assert mails[0]["To"] == "sam@northwind.example"
    assert mails[0]["Subject"] == "Pipeline: 1 new alert"
    body = mails[0].get_body(("plain",)).get_content()
    assert "Globex asked to talk to a customer." in body
    assert f"/seller/deals/{deal_of(buyer).id}" in body
    # nothing new: nothing sent
    assert "Sent 0 digest" in runner.invoke(args=["pipeline", "digest"]).output
    assert len(outbox()) == 1
    assert seller.id


def test_notifications_page_and_mark_read(db, seller_client, make_user):
    buyer = make_user(email="dana@globex.example", company="Globex")
    record(buyer, "reference_requested", 1)
    db.session.commit()
    page = seller_client.get("/seller/notifications").text
    assert "Globex asked to talk to a customer." in page
    board = seller_client.get("/seller/pipeline").text
    assert 'Notifications <span class="badge text-bg-danger">1</span>' in board
    note_id = db.session.scalar(select(Notification.id))
    seller_client.post("/seller/notifications/read", data={"id": note_id})
    db.session.expire_all()
    assert db.session.get(Notification, note_id).read_at is not None
    assert "badge text-bg-danger" not in seller_client.get("/seller/pipeline").text
