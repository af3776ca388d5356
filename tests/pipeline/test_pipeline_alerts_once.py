"""Alerts that matter, each exactly once: orders, quotes, references, stages with alerts on,
quotes about to expire and deals gone quiet; engagement jumps at most once per cool-down."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from portal.models import Notification, Quote
from portal.pipeline.due_alerts import raise_due_alerts
from tests.factories import deal_of, make_plan, make_product, record

NOW = datetime.now(UTC)


def alerts(db, user_id: int) -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(Notification.kind, Notification.message)
        .where(Notification.user_id == user_id)
        .order_by(Notification.id)
    )
    return [tuple(row) for row in rows]


def test_the_buyers_path_raises_each_alert_that_matters_once(app, db, make_user):
    app.config["PIPELINE_SCORE_JUMP"] = 1000  # engagement has its own test
    seller = make_user(role="seller")
    buyer = make_user(email="dana@globex.example", company="Globex")
    lens = make_product(name="Pipeline Lens")
    plan = make_plan(lens, unit_amount=14_280_000)
    record(buyer, "demo_started", lens, run_id="r1", recipe="lens")
    record(buyer, "reference_requested", lens, request_id=3)
    record(buyer, "reference_requested", lens, request_id=3)  # the same request again
    record(buyer, "cart_item_added", lens, plan_id=plan.id, quantity=1)  # enters Deciding
    quote = dict(quote_id=5, number="Q-5", amount=16_993_200, net=14_280_000, currency="USD")
    record(buyer, "quote_requested", lens, valid_until="2026-12-31", **quote)
    record(buyer, "quote_viewed", lens, quote_id=5)
    record(buyer, "quote_accepted", lens, quote_id=5, number="Q-5", order_id=48, amount=16_993_200,
           net=14_280_000, currency="USD")  # fmt: skip
    order = dict(order_id=48, number="TD-48", amount=16_993_200, net=14_280_000, currency="USD")
    record(buyer, "order_placed", lens, method="invoice", **order)
    record(buyer, "order_placed", lens, method="invoice", **order)  # a replayed event
    assert alerts(db, seller.id) == [
        ("reference", "Globex asked to talk to a customer."),
        ("stage", "Globex entered Deciding."),
        ("quote_requested", "Globex asked for a quote (Q-5) of $142,800.00."),
        ("quote_accepted", "Globex accepted a quote (Q-5) of $142,800.00."),
        ("order_placed", "Globex placed invoice order TD-48 of $142,800.00."),
    ]


def test_engagement_jumps_are_told_once_per_cool_down(app, db, make_user):
    app.config["PIPELINE_SCORE_JUMP"] = 15
    seller = make_user(role="seller")
    buyer = make_user(email="kim@initech.example", company="Initech")
    for _ in range(3):  # three bursts within minutes, each a jump of 25
        record(buyer, "checkout_started", 1, amount=100, currency="USD")
        record(buyer, "order_paid", 1, order_id=1, amount=100, currency="USD")
    jumps = [message for kind, message in alerts(db, seller.id) if kind == "score_jump"]
    assert len(jumps) == 1

    app.config["PIPELINE_SCORE_JUMP_COOLDOWN_HOURS"] = 0  # configurable: no cool-down
    record(buyer, "checkout_started", 1, amount=100, currency="USD")  # +10 and the held-back 40
    record(buyer, "order_paid", 1, order_id=2, amount=100, currency="USD")  # +20
    jumps = [message for kind, message in alerts(db, seller.id) if kind == "score_jump"]
    assert len(jumps) == 3


def test_expiring_quotes_and_stalled_deals_are_raised_once_by_the_job(db, make_user):
    seller = make_user(role="seller")
    buyer = make_user(email="lee@umbrella.example", company="Umbrella")
    quiet = make_user(email="sam@hooli.example", company="Hooli")
    record(buyer, "product_viewed", 1)
    record(quiet, "product_viewed", 1, at=NOW - timedelta(days=40))  # Exploring: 30 days
    deal = deal_of(buyer)
    db.session.add(
        Quote(number="Q-9", account_id=deal.account_id, status="sent", currency="USD",
              subtotal=1000, total=1190, billing_name="Umbrella", billing_country="DE",
              valid_until=NOW + timedelta(days=2), document=b"%PDF", document_sha256="0" * 64)
    )  # fmt: skip
    db.session.flush()
    assert raise_due_alerts(NOW) == 2
    assert raise_due_alerts(NOW) == 0  # once
    expected_day = (NOW + timedelta(days=2)).strftime("%d %b %Y")
    assert sorted(alerts(db, seller.id)) == [
        ("quote_expiring", f"Umbrella's quote Q-9 expires on {expected_day}: offer to renew it."),
        ("stalled", "Hooli has been quiet for 40 days in Exploring."),
    ]
    # New activity and a new silence: a new "gone quiet" alert.
    record(quiet, "product_viewed", 1, at=NOW - timedelta(days=35))
    assert raise_due_alerts(NOW) == 1
    assert alerts(db, seller.id)[-1] == (
        "stalled",
        "Hooli has been quiet for 35 days in Exploring.",
    )


def test_the_digest_groups_alerts_by_what_happened(app, db, runner, outbox, make_user):
    make_user(role="seller", email="sam@northwind.example")
    buyer = make_user(email="dana@globex.example", company="Globex")
    record(buyer, "reference_requested", 1, request_id=1)
    record(buyer, "order_placed", 1, order_id=7, number="TD-7", amount=1190, net=1000,
           currency="USD", method="card")  # fmt: skip
    db.session.commit()
    assert "Sent 1 digest" in runner.invoke(args=["pipeline", "digest"]).output
    body = outbox()[0].get_body(("plain",)).get_content()
    orders = body.index("Orders placed\n- Globex placed card order TD-7 of $10.00.")
    stages = body.index("Stages entered\n- Globex entered Deciding.")
    references = body.index("Customers asked for a reference\n- Globex asked to talk")
    assert orders < references < stages


def test_an_event_arriving_out_of_order_still_raises_its_alert(db, make_user):
    seller = make_user(role="seller")
    buyer = make_user(email="kim@initech.example", company="Initech")
    record(buyer, "product_viewed", 1, at=NOW)
    record(buyer, "order_placed", 1, order_id=5, number="TD-5", amount=1190, net=1000,
           currency="USD", method="card", at=NOW - timedelta(minutes=5))  # fmt: skip
    assert ("order_placed", "Initech placed card order TD-5 of $10.00.") in alerts(db, seller.id)
