"""Concurrent admin refunds of one card order: the order's row is locked before Stripe is
called, so exactly one refund reaches the gateway (the real SDK against localstripe, which
ignores idempotency keys, so a second call would be a second refund) and the other admins are
told the order is being or already refunded."""

import threading
import time

from sqlalchemy import func, select

from portal.boundary import perform
from portal.commerce import stripe_gateway
from portal.commerce.orders import refund_order
from portal.extensions import db
from portal.models import CreditNote, Order, User
from tests.commerce.test_commerce_localstripe import (
    _attempt,
    _card_checkout,
    pay_with,
    stripe_api,
    wait_for,
)
from tests.commerce.test_commerce_localstripe import (
    webhooks as webhooks,  # the fixture: localstripe delivers its events to a live server
)

ADMINS = 5


def test_concurrent_refunds_make_one_gateway_call(
    buyer_client, plan_id, localstripe, webhooks, app, make_user, monkeypatch
):
    order_id = _card_checkout(buyer_client, app, plan_id)
    intent_id = _attempt(app, order_id).provider_ref
    pay_with(localstripe, intent_id, "pm_card_visa")
    assert wait_for(app, order_id, "paid").status == "paid"
    admins = [make_user(role="admin").id for _ in range(ADMINS)]

    calls = []
    real_refund = stripe_gateway.refund_payment_intent

    def counted_refund(*args, **kwargs):
        calls.append(args)
        time.sleep(0.3)  # hold the race window open: the others arrive meanwhile
        return real_refund(*args, **kwargs)

    monkeypatch.setattr(stripe_gateway, "refund_payment_intent", counted_refund)
    start = threading.Barrier(ADMINS)
    answers: dict[int, str] = {}

    def refund_as(admin_id: int):
        with app.app_context():
            order = db.session.get(Order, order_id)
            admin = db.session.get(User, admin_id)
            start.wait()
            outcome = perform(refund_order, order, admin, "Duplicate")
            answers[admin_id] = outcome.message or "refunded"
            db.session.remove()

    threads = [threading.Thread(target=refund_as, args=(a,)) for a in admins]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(calls) == 1
    assert sorted(answers.values()).count("refunded") == 1
    refused = [m for m in answers.values() if m != "refunded"]
    assert len(refused) == ADMINS - 1
    assert all("being refunded" in m or "already refunded" in m for m in refused), refused
    refunds = stripe_api(localstripe, f"/v1/refunds?payment_intent={intent_id}", method="GET")
    with app.app_context():
        order = db.session.get(Order, order_id)
        assert order.status == "refunded"
        assert db.session.scalar(select(func.count(CreditNote.id))) == 1
        assert [r["amount"] for r in refunds["data"]] == [order.total]


def test_a_second_refund_is_told_the_order_is_already_refunded(
    buyer_client, plan_id, localstripe, webhooks, app, make_user
):
    order_id = _card_checkout(buyer_client, app, plan_id)
    pay_with(localstripe, _attempt(app, order_id).provider_ref, "pm_card_visa")
    wait_for(app, order_id, "paid")
    admin = make_user(role="admin")
    with app.app_context():
        order, actor = db.session.get(Order, order_id), db.session.get(User, admin.id)
        assert perform(refund_order, order, actor)
        again = perform(refund_order, db.session.get(Order, order_id), actor)
        assert again.status == 409 and "already refunded" in again.message
