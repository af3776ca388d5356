"""The demo seed simulates journeys through the real services, once."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from portal.models import Cart, Deal, Event, Order, Stage, StageTransition
from portal.pipeline.seed import seed_pipeline
from tests.factories import make_plan, make_product


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_builds_deals_from_simulated_events_and_runs_once(db, make_user):
    make_user(role="seller", email="seller@northwind.example")
    for name in ("Pipeline Lens", "Churn Radar"):
        make_plan(make_product(name=name), unit_amount=4900)
    db.session.commit()
    lines = seed_pipeline(accounts=40, days=90)
    db.session.commit()
    assert "simulated 40 buying accounts" in lines[0]
    assert count(db, Stage) == 6
    assert count(db, Deal) == 40
    assert count(db, Event) > 200
    assert count(db, StageTransition) >= 40
    assert count(db, Order) >= 1  # some accounts bought
    stages = db.session.scalars(
        select(Stage.name).join(Deal, Deal.stage_id == Stage.id).distinct()
    ).all()
    assert {"Exploring", "Researching", "Trying"} <= set(stages)
    # the listener built the deals: a rebuild from the events changes nothing
    deals = select(Deal.id, Deal.stage_id, Deal.value).order_by(Deal.id)
    before = db.session.execute(deals).all()
    from portal.pipeline.rebuild import rebuild_deals

    rebuild_deals()
    assert db.session.execute(deals).all() == before

    again = seed_pipeline(accounts=40, days=90)
    assert "already there" in again[0]
    assert count(db, Deal) == 40


def test_seed_without_a_catalog_still_simulates_research(db):
    seed_pipeline(accounts=10, days=30)
    assert count(db, Deal) == 10
    assert (
        db.session.scalar(
            select(func.count()).select_from(Event).where(Event.product_id.is_not(None))
        )
        == 0
    )


def test_seed_shops_through_the_commerce_services_at_simulated_times(db, make_user):
    seller = make_user(role="seller", email="seller@northwind.example")
    make_plan(make_product(name="Pipeline Lens"), unit_amount=4900)
    db.session.commit()
    seed_pipeline(accounts=60, days=90)
    db.session.commit()
    now = datetime.now(UTC)

    orders = db.session.scalars(select(Order)).all()
    paid = [o for o in orders if o.status == "paid"]
    assert paid, "some simulated accounts paid"
    assert {o.payment_method for o in orders} == {"invoice"}
    assert all(o.status in ("paid", "awaiting_payment") for o in orders)
    for order in orders:
        # one order_placed per order, recorded by place_order, dated when it was placed
        placed = db.session.scalars(
            select(Event).where(Event.kind == "order_placed", Event.account_id == order.account_id)
        ).all()
        assert [e.props["order_id"] for e in placed] == [order.id]
        assert placed[0].occurred_at == order.created_at < now - timedelta(minutes=1)
        assert order.lines and order.total == order.subtotal + order.tax
    for order in paid:
        # the demo seller confirmed the transfer; one order_paid, dated like the payment
        assert order.history[-1].actor_id == seller.id
        assert order.payments[0].received_at == order.paid_at
        paid_events = db.session.scalars(
            select(Event).where(Event.kind == "order_paid", Event.account_id == order.account_id)
        ).all()
        assert [e.occurred_at for e in paid_events] == [order.paid_at]
        assert order.paid_at > order.created_at
        deal = db.session.scalar(select(Deal).where(Deal.account_id == order.account_id))
        assert deal.stage.name == "Customer"
        assert deal.stage_entered_at == order.paid_at
    # every cart line was added once, by add_to_cart; placed orders emptied their carts
    added = db.session.scalar(
        select(func.count()).select_from(Event).where(Event.kind == "cart_item_added")
    )
    open_carts = db.session.scalar(
        select(func.count()).select_from(Cart).where(Cart.currency.is_not(None))
    )
    assert added == len(orders) + open_carts
    assert db.session.scalar(select(func.max(Event.occurred_at))) < now
