"""A deal's value from its strongest signal, net of tax, with its source and one currency.

Expected figures are written out from the inputs (net = gross less VAT as the order carried
them), never computed by the code under test."""

from portal.pipeline.rebuild import rebuild_deals
from tests.factories import deal_of, make_plan, make_product, record

VALUE_COLUMNS = ("value", "currency", "value_source", "value_ref", "value_ref_id", "value_label")


def value_of(user) -> tuple:
    deal = deal_of(user)
    return tuple(getattr(deal, name) for name in VALUE_COLUMNS)


def test_each_signal_in_turn_net_of_tax_with_its_source(db, make_user):
    buyer = make_user(email="ops@initech.example")
    product = make_product(name="Pipeline Lens")
    make_plan(product, unit_amount=4900)  # the cheapest plan
    enterprise = make_plan(product, unit_amount=14_280_000)

    record(buyer, "demo_started", product, run_id="r1", recipe="lens")
    assert value_of(buyer) == (4900, "USD", "tried", "", product.id, "cheapest plan tried")

    record(buyer, "cart_item_added", product, plan_id=enterprise.id, quantity=1)
    assert value_of(buyer)[:3] == (14_280_000, "USD", "cart")
    assert deal_of(buyer).value_label == "open cart"

    # A quote for the cart: 142,800.00 net, 19 % VAT on top (169,932.00 gross).
    quote = dict(quote_id=5, number="Q-5", amount=16_993_200, net=14_280_000, currency="USD")
    record(buyer, "quote_requested", product, valid_until="2026-12-31", **quote)
    assert value_of(buyer) == (14_280_000, "USD", "quote", "Q-5", 5, "open quote Q-5")

    # Accepted: the quote becomes invoice order TD-48 (the cart is untouched by a quote).
    record(buyer, "quote_accepted", product, quote_id=5, order_id=48, amount=16_993_200,
           net=14_280_000, currency="USD")  # fmt: skip
    order = dict(order_id=48, number="TD-48", amount=16_993_200, net=14_280_000, currency="USD")
    record(buyer, "order_placed", product, method="invoice", **order)
    assert value_of(buyer) == (
        14_280_000,
        "USD",
        "order",
        "TD-48",
        48,
        "open invoice order TD-48",
    )

    # Paid in full (gross): the value stays net.
    record(buyer, "order_paid", product, order_id=48, amount=16_993_200, currency="USD")
    assert value_of(buyer) == (14_280_000, "USD", "paid", "TD-48", 48, "paid order TD-48")

    # A partial refund of 11,900.00 gross is 10,000.00 net (11,900 / 1.19).
    record(buyer, "order_refunded", product, order_id=48, amount=1_190_000, currency="USD")
    assert value_of(buyer)[:3] == (14_280_000 - 1_000_000, "USD", "paid")

    # The rest refunded: nothing paid any more, and nothing open.
    record(buyer, "order_refunded", product, order_id=48, amount=15_803_200, currency="USD")
    assert value_of(buyer) == (0, "USD", "refunded", "TD-48", 48, "refunded order TD-48")


def test_an_open_invoice_order_beats_the_cheapest_plan_tried(db, make_user):
    """The issue's deal: $49.00 tried, then a $142,800 invoice order (gross with VAT)."""
    buyer = make_user()
    product = make_product()
    make_plan(product, unit_amount=4900)
    record(buyer, "demo_completed", product, run_id="r1", recipe="lens")
    record(buyer, "order_placed", product, order_id=9, number="TD-9", amount=16_993_200,
           net=14_280_000, currency="USD", method="invoice")  # fmt: skip
    assert value_of(buyer)[:4] == (14_280_000, "USD", "order", "TD-9")
    assert deal_of(buyer).value_label == "open invoice order TD-9"


def test_a_cancelled_order_no_longer_counts(db, make_user):
    buyer = make_user()
    product = make_product()
    plan = make_plan(product, unit_amount=2000)
    record(buyer, "cart_item_added", product, plan_id=plan.id, quantity=3)
    record(buyer, "order_placed", product, order_id=3, amount=7140, net=6000, currency="USD")
    record(buyer, "cart_item_added", product, plan_id=plan.id, quantity=1)
    assert value_of(buyer)[:3] == (6000, "USD", "order")
    record(buyer, "order_cancelled", product, order_id=3)
    assert value_of(buyer)[:3] == (2000, "USD", "cart")


def test_several_orders_sum_in_the_latest_currency_only(db, make_user):
    buyer = make_user()
    record(buyer, "order_placed", order_id=1, number="TD-1", amount=1000, net=1000, currency="EUR")
    record(buyer, "order_placed", order_id=2, number="TD-2", amount=500, net=500, currency="USD")
    record(buyer, "order_placed", order_id=3, number="TD-3", amount=700, net=700, currency="USD")
    # USD (the latest) 500 + 700; the EUR order is not added in.
    assert value_of(buyer) == (1200, "USD", "order", "TD-3", 3, "open order TD-3 and 1 more")
    record(buyer, "order_paid", order_id=1, amount=1000, currency="EUR")
    assert value_of(buyer)[:4] == (1000, "EUR", "paid", "TD-1")


def test_a_renewed_quote_replaces_the_expired_version(db, make_user):
    buyer = make_user()
    record(
        buyer, "quote_requested", quote_id=1, number="Q-7", amount=1190, net=1000, currency="USD"
    )
    record(
        buyer, "quote_requested", quote_id=2, number="Q-7", amount=1309, net=1100, currency="USD"
    )
    assert value_of(buyer) == (1100, "USD", "quote", "Q-7", 2, "open quote Q-7")


def test_rebuild_gives_the_same_value_and_source(db, make_user):
    buyer = make_user()
    product = make_product()
    plan = make_plan(product, unit_amount=300)
    record(buyer, "demo_started", product, run_id="r1", recipe="lens")
    record(buyer, "cart_item_added", product, plan_id=plan.id, quantity=2)
    record(buyer, "quote_requested", product, quote_id=4, number="Q-4", amount=714, net=600,
           currency="USD")  # fmt: skip
    record(buyer, "order_placed", product, order_id=8, number="TD-8", amount=714, net=600,
           currency="USD", method="card")  # fmt: skip
    record(buyer, "order_paid", product, order_id=8, amount=714, currency="USD")
    record(buyer, "order_refunded", product, order_id=8, amount=357, currency="USD")
    db.session.commit()
    incremental = value_of(buyer) + (deal_of(buyer).orders, deal_of(buyer).quotes)
    assert incremental[:3] == (300, "USD", "paid")  # 600 net less half of it refunded
    rebuild_deals([buyer.account_id])
    db.session.commit()
    db.session.expire_all()
    assert value_of(buyer) + (deal_of(buyer).orders, deal_of(buyer).quotes) == incremental
