"""Seller and admin actions on orders, refunds of invoice orders, and the customer's home."""

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import CreditNote, Event, Order, Payment, Resource, User
from tests.commerce.support import add, checkout
from tests.conftest import AuthActions


def _place_invoice_order(client, app, plan_id, quantity="2") -> int:
    add(client, plan_id, quantity)
    assert checkout(client, "invoice").status_code == 302
    with app.app_context():
        return db.session.scalar(select(Order.id).order_by(Order.id.desc()))


def _signed_in(app, make_user, role):
    client = app.test_client()
    user = make_user(role=role)
    AuthActions(client).login(user.email)
    client.user = user
    return client


def test_seller_marks_an_invoice_order_paid(buyer_client, app, make_user, plan_id, outbox):
    order_id = _place_invoice_order(buyer_client, app, plan_id)
    seller = _signed_in(app, make_user, "seller")
    listing = seller.get("/seller/orders?status=awaiting_payment").text
    assert "Acme Logistics Ltd" in listing and "PO PO-4711" in listing
    assert "Mark as paid" in seller.get(f"/seller/orders/{order_id}").text

    response = seller.post(f"/seller/orders/{order_id}/mark-paid", data={"reference": "BANK-1"})
    assert response.status_code == 302
    again = seller.post(f"/seller/orders/{order_id}/mark-paid", follow_redirects=True)
    assert "already paid" in again.text

    with app.app_context():
        order = db.session.get(Order, order_id)
        assert order.status == "paid" and order.paid_at is not None
        assert db.session.scalar(select(func.count(Payment.id))) == 1
        assert [c.to_status for c in order.history] == ["awaiting_payment", "paid"]
        assert "BANK-1" in order.history[-1].note
        paid = db.session.scalar(select(Event).where(Event.kind == "order_paid"))
        # The event belongs to the buyer's journey, not to the seller who clicked.
        assert paid.user_id == buyer_client.user.id
        assert paid.props == {"order_id": order_id, "amount": order.total, "currency": "USD"}
    assert any("Payment received" in m["Subject"] for m in outbox())
    page = buyer_client.get(f"/orders/{order_id}").text
    assert "Paid" in page and "Bank transfer received" in page


def test_buyers_cannot_use_seller_actions(buyer_client, app, plan_id):
    order_id = _place_invoice_order(buyer_client, app, plan_id)
    assert buyer_client.get("/seller/orders").status_code == 403
    assert buyer_client.post(f"/seller/orders/{order_id}/mark-paid").status_code == 403
    assert buyer_client.post(f"/seller/orders/{order_id}/refund").status_code == 403
    assert buyer_client.post(f"/seller/orders/{order_id}/cancel").status_code == 403


def test_seller_cancels_an_unpaid_order(buyer_client, app, make_user, plan_id):
    order_id = _place_invoice_order(buyer_client, app, plan_id)
    seller = _signed_in(app, make_user, "seller")
    seller.post(f"/seller/orders/{order_id}/cancel", data={"reason": "Budget frozen"})
    with app.app_context():
        order = db.session.get(Order, order_id)
        assert order.status == "cancelled" and order.cancelled_at is not None
        assert order.history[-1].note == "Budget frozen"
    # A cancelled order can't be marked paid.
    response = seller.post(f"/seller/orders/{order_id}/mark-paid", follow_redirects=True)
    assert "Only invoice orders awaiting payment" in response.text


def test_sellers_cannot_refund_admins_issue_a_credit_note(
    buyer_client, app, make_user, plan_id, outbox
):
    order_id = _place_invoice_order(buyer_client, app, plan_id)
    seller = _signed_in(app, make_user, "seller")
    seller.post(f"/seller/orders/{order_id}/mark-paid")
    assert seller.post(f"/seller/orders/{order_id}/refund").status_code == 403

    admin = _signed_in(app, make_user, "admin")
    response = admin.post(f"/seller/orders/{order_id}/refund", data={"reason": "Wrong product"})
    assert response.status_code == 302
    admin.post(f"/seller/orders/{order_id}/refund")  # a second click refunds nothing more
    with app.app_context():
        order = db.session.get(Order, order_id)
        assert order.status == "refunded" and order.refunded_at is not None
        notes = db.session.scalars(select(CreditNote)).all()
        assert len(notes) == 1 and notes[0].amount == order.total
        assert notes[0].number == "CN-" + order.number[3:]
        refunded = db.session.scalar(select(Event).where(Event.kind == "order_refunded"))
        assert refunded.props["amount"] == order.total
    assert any("refunded" in m["Subject"] for m in outbox())
    assert "Credit note" in buyer_client.get(f"/orders/{order_id}").text


def test_account_shows_orders_documents_licences_resources_and_no_upsell(
    buyer_client, app, make_user, plan_id
):
    order_id = _place_invoice_order(buyer_client, app, plan_id, "3")
    with app.app_context():
        order = db.session.get(Order, order_id)
        number = order.number
        db.session.add(
            Resource(
                product_id=order.lines[0].product_id,
                kind="video",
                title="Getting started with Pipeline Lens",
                url="https://video.example/start",
            )
        )
        db.session.commit()
    page = buyer_client.get("/account").text
    assert number in page and "Quote (PDF)" in page
    assert "Licences appear here once an order is paid." in page

    seller = _signed_in(app, make_user, "seller")
    seller.post(f"/seller/orders/{order_id}/mark-paid")
    page = buyer_client.get("/account").text
    assert "Invoice (PDF)" in page
    assert "Pipeline Lens</strong> — Team" in page and "3 seats" in page
    assert "Getting started with Pipeline Lens" in page
    for upsell in ("Upgrade", "You might also like", "Recommended for you", "Special offer"):
        assert upsell not in page


def test_invoice_pdf_once_paid(buyer_client, app, make_user, plan_id):
    import io

    from pypdf import PdfReader

    order_id = _place_invoice_order(buyer_client, app, plan_id)
    _signed_in(app, make_user, "seller").post(f"/seller/orders/{order_id}/mark-paid")
    response = buyer_client.get(f"/orders/{order_id}/quote.pdf")
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "Invoice" in text and "Paid on" in text and "Valid until" not in text
    assert 'filename="invoice-' in response.headers["Content-Disposition"]


def test_credit_note_pdf_for_a_refunded_order_only_for_its_buyer_and_sellers(
    buyer_client, app, make_user, plan_id
):
    import io

    from pypdf import PdfReader

    order_id = _place_invoice_order(buyer_client, app, plan_id)
    assert buyer_client.get(f"/orders/{order_id}/credit-note.pdf").status_code == 404
    admin = _signed_in(app, make_user, "admin")
    admin.post(f"/seller/orders/{order_id}/mark-paid")
    admin.post(f"/seller/orders/{order_id}/refund", data={"reason": "Bought twice"})
    with app.app_context():
        order = db.session.get(Order, order_id)
        number, total = order.number, order.total

    response = buyer_client.get(f"/orders/{order_id}/credit-note.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert f'filename="credit-note-CN-{number[3:]}.pdf"' in response.headers["Content-Disposition"]
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "Credit note" in text and f"CN-{number[3:]}" in text
    assert f"Credits invoice: {number}" in text and "Bought twice" in text
    assert f"-USD {total / 100:,.2f}" in text and "bank transfer" in text
    assert "Credit note (PDF)" in buyer_client.get(f"/orders/{order_id}").text
    assert "Credit note (PDF)" in buyer_client.get("/account").text
    assert (
        _signed_in(app, make_user, "seller").get(f"/orders/{order_id}/credit-note.pdf").status_code
        == 200
    )

    stranger = _signed_in(app, make_user, "buyer")
    assert stranger.get(f"/orders/{order_id}/credit-note.pdf").status_code == 404


def test_erasing_the_buyer_keeps_the_order_without_the_person(buyer_client, app, plan_id):
    order_id = _place_invoice_order(buyer_client, app, plan_id)
    export = buyer_client.get("/account/data").json
    assert export["commerce"]["orders"][0]["billing_name"] == "Acme Logistics Ltd"
    buyer_client.post("/account/delete", data={"password": "correct-horse-battery"})
    with app.app_context():
        assert db.session.scalar(select(User).where(User.id == buyer_client.user.id)) is None
        order = db.session.get(Order, order_id)
        assert order is not None and order.user_id is None


def test_seed_skips_without_catalog_and_creates_a_paid_order_with_it(db):
    from portal.auth.seed import seed_users
    from portal.commerce.seed import seed_commerce
    from tests.factories import make_plan, make_product

    seed_users()
    db.session.commit()
    assert "demo catalog is not seeded" in "\n".join(seed_commerce())

    lens = make_product(slug="pipeline-lens", name="Pipeline Lens")
    make_plan(lens, name="Team", unit_amount=4900, min_quantity=3)
    make_plan(lens, name="Enterprise", unit_amount=25_000_000, billing="one_time")
    doctor = make_product(slug="data-doctor", name="Data Doctor")
    make_plan(doctor, name="Starter", unit_amount=2900)
    db.session.commit()
    output = "\n".join(seed_commerce())
    db.session.commit()
    assert "customer@acme.example — order" in output
    again = "\n".join(seed_commerce())
    assert "customer@acme.example already has an order" in again

    customer = db.session.scalar(select(User).where(User.email == "customer@acme.example"))
    orders = db.session.scalars(select(Order).where(Order.user_id == customer.id)).all()
    assert len(orders) == 1
    assert orders[0].status == "paid" and orders[0].paid_at is not None
    assert orders[0].lines[0].description == "Pipeline Lens — Team"
    assert orders[0].lines[0].quantity == 3
    assert db.session.scalar(select(func.count(Order.id))) == 2  # and Dana's quote
    paid_events = select(func.count(Event.id)).where(Event.kind == "order_paid")
    assert db.session.scalar(paid_events) == 1
