"""An order is never lost or made twice: double submits, concurrent checkouts of one cart,
and a card processor that does not answer. Runs on SQLite and on PostgreSQL."""

import threading

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Event, Order, PaymentAttempt
from tests.commerce.support import add, checkout, place, review, reviewed_fingerprint
from tests.conftest import AuthActions


def _orders(app):
    with app.app_context():
        return db.session.scalars(select(Order).options(selectinload(Order.lines))).all()


def test_double_submitted_checkout_creates_one_order(buyer_client, plan_id, app):
    add(buyer_client, plan_id, "2")
    fingerprint = reviewed_fingerprint(review(buyer_client, "invoice").text)
    first = place(buyer_client, fingerprint, "invoice")
    second = place(buyer_client, fingerprint, "invoice")  # "Place order" pressed twice
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert "was already placed" in buyer_client.get(second.headers["Location"]).text
    orders = _orders(app)
    assert len(orders) == 1 and orders[0].subtotal == 9800


def test_twenty_concurrent_checkouts_of_one_cart_create_one_order(app, make_user, plan_id):
    user = make_user()
    browser = app.test_client()
    AuthActions(browser).login(user.email)
    add(browser, plan_id, "3")
    fingerprint = reviewed_fingerprint(review(browser, "invoice").text)
    session_cookie = browser.get_cookie("session").value

    clients = []
    for _ in range(20):  # twenty tabs of the same review, "Place order" pressed in each
        client = app.test_client()
        client.set_cookie("session", session_cookie)
        clients.append(client)
    barrier = threading.Barrier(len(clients))
    results = []

    def submit(client):
        barrier.wait()
        response = place(client, fingerprint, "invoice")
        results.append((response.status_code, response.headers.get("Location")))

    threads = [threading.Thread(target=submit, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    orders = _orders(app)
    assert len(orders) == 1
    order = orders[0]
    assert [line.quantity for line in order.lines] == [3]
    assert results == [(302, f"/orders/{order.id}/confirmation")] * 20
    with app.app_context():
        placed = select(func.count(Event.id)).where(Event.kind == "order_placed")
        assert db.session.scalar(placed) == 1


def test_checkout_after_the_cart_changes_makes_a_second_order(buyer_client, plan_id, app):
    add(buyer_client, plan_id, "1")
    checkout(buyer_client)
    add(buyer_client, plan_id, "4")
    checkout(buyer_client)
    orders = sorted(_orders(app), key=lambda o: o.id)
    assert [o.lines[0].quantity for o in orders] == [1, 4]
    assert orders[0].cart_key != orders[1].cart_key


def test_stripe_error_leaves_the_order_pending_with_a_clear_message(
    buyer_client, plan_id, stripe_config, app
):
    add(buyer_client, plan_id, "1")
    response = checkout(buyer_client, "card")
    order = _orders(app)[0]
    assert response.headers["Location"] == f"/orders/{order.id}/pay"
    page = buyer_client.get(response.headers["Location"]).text
    assert "couldn&#39;t reach our card processor" in page
    assert "Nothing was charged" in page
    assert f"Your order {order.number} is saved and waits for payment" in page
    assert "Try the card payment again" in page
    assert order.status == "pending" and order.paid_at is None

    # Retrying while Stripe is still down reuses the same attempt and idempotency key.
    buyer_client.post(f"/orders/{order.id}/pay")
    buyer_client.post(f"/orders/{order.id}/pay")
    with app.app_context():
        attempts = db.session.scalars(select(PaymentAttempt)).all()
        assert len(attempts) == 1
        assert attempts[0].status == "error"
        assert attempts[0].idempotency_key == f"testdrive-order-{order.id}-attempt-1"
        assert db.session.get(Order, order.id).status == "pending"
