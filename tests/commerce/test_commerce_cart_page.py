"""The cart page's small things, live (htmx) changes, the navigation's cart count and what it
costs, the live checkout totals, addresses, and the reverse charge on order and document."""

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import event, select

from portal.commerce.addresses import one_line_address, tidy_address
from portal.extensions import db
from portal.models import Cart, Order
from tests.commerce.support import add, checkout, create_plan

HTMX = {"HX-Request": "true"}
FR_ID = "FR40303265045"


def test_empty_cart_mentions_card_only_when_card_payment_is_on(buyer_client, app):
    page = buyer_client.get("/cart").text
    assert "check out by card" not in page and "pay by invoice" in page
    app.config.update(STRIPE_SECRET_KEY="sk_test_x", STRIPE_PUBLISHABLE_KEY="pk_test_x")
    assert "you can check out by card" in buyer_client.get("/cart").text


def test_a_fixed_one_licence_plan_shows_no_editable_quantity(buyer_client, enterprise_plan_id):
    add(buyer_client, enterprise_plan_id, "1")
    page = buyer_client.get("/cart").text
    assert '<span data-testid="fixed-quantity">1 licence</span>' in page
    assert "1–1" not in page and f'id="qty-{enterprise_plan_id}"' not in page


def test_a_seat_plan_shows_its_range_and_a_quantity_box(buyer_client, plan_id):
    add(buyer_client, plan_id, "2")
    page = buyer_client.get("/cart").text
    assert "1–50 seats" in page and f'id="qty-{plan_id}"' in page


def test_htmx_changes_answer_with_the_cart_body_and_the_nav_count(buyer_client, plan_id):
    add(buyer_client, plan_id, "2")
    response = buyer_client.post(f"/cart/items/{plan_id}", data={"quantity": "5"}, headers=HTMX)
    assert response.status_code == 200 and "<html" not in response.text
    assert response.text.lstrip().startswith('<div id="cart-body">')
    assert "$245.00" in response.text  # 5 × $49.00
    assert re.search(r'id="nav-cart-count" hx-swap-oob="true">.*?>1<', response.text, re.S)

    bad = buyer_client.post(f"/cart/items/{plan_id}", data={"quantity": "51"}, headers=HTMX)
    assert bad.status_code == 422 and "Choose between 1 and 50 seats" in bad.text


def test_changing_the_plan_keeps_the_line_and_reprices(buyer_client, plan_id, app, db):
    with app.app_context():
        from portal.models import Plan

        product_id = db.session.get(Plan, plan_id).product_id
        scale = Plan(
            product_id=product_id,
            name="Scale",
            unit_amount=9900,
            currency="USD",
            billing="monthly",
            per_seat=True,
            min_quantity=5,
            max_quantity=100,
        )
        db.session.add(scale)
        db.session.commit()
        scale_id = scale.id
    add(buyer_client, plan_id, "2")
    response = buyer_client.post(
        f"/cart/items/{plan_id}/plan", data={"plan_id": scale_id}, headers=HTMX
    )
    assert response.status_code == 200
    item = db.session.scalar(select(Cart)).items[0]
    assert (item.plan_id, item.quantity) == (scale_id, 5)  # raised to the plan's minimum
    assert "$495.00" in response.text  # 5 × $99.00

    other = create_plan(app, product={"name": "Data Doctor"}, name="Solo")
    refused = buyer_client.post(f"/cart/items/{scale_id}/plan", data={"plan_id": other})
    assert refused.status_code == 422 and "Choose one of this product&#39;s plans." in refused.text


def _count_queries(app, client, path: str) -> int:
    statements = []

    def count(*_args):
        statements.append(1)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_the_nav_count_costs_one_query_and_none_without_a_cart(app, client, plan_id):
    products_page = "/products"
    without_cart = _count_queries(app, client, products_page)
    add(client, plan_id, "3")
    with_cart = _count_queries(app, client, products_page)
    assert with_cart == without_cart + 1
    page = client.get(products_page).text
    assert re.search(r'id="nav-cart-count"><span class="badge[^>]*>1<', page)


def test_live_totals_follow_country_buyer_and_vat_id(buyer_client, plan_id):
    add(buyer_client, plan_id, "2")  # $98.00
    live = buyer_client.post("/checkout/totals", data={"country": "FR", "buyer_type": "business"})
    assert "20 % for France" in live.text and "$117.60" in live.text
    live = buyer_client.post(
        "/checkout/totals", data={"country": "FR", "buyer_type": "business", "tax_id": FR_ID}
    )
    assert "reverse charge, 0 %" in live.text and "Reverse charge: VAT to be accounted" in live.text
    assert "checked offline only" in live.text
    live = buyer_client.post(
        "/checkout/totals", data={"country": "FR", "buyer_type": "business", "tax_id": "FR1"}
    )
    assert "not a valid VAT id" in live.text and "20 % for France" in live.text


def test_live_totals_need_a_signed_in_buyer(client):
    assert client.post("/checkout/totals").status_code == 302


def test_an_invalid_vat_id_is_a_clear_form_error(buyer_client, plan_id, db):
    add(buyer_client, plan_id, "1")
    response = checkout(buyer_client, country="FR", tax_id="FR40303265046")
    assert response.status_code == 422
    assert "its check digit does not match" in response.text
    assert db.session.scalar(select(Order)) is None


def test_reverse_charge_order_prints_the_note(buyer_client, plan_id, db):
    add(buyer_client, plan_id, "2")
    checkout(
        buyer_client, country="FR", tax_id="fr 40 303 265 045", address="1 Rue X ,\r\n75001 Paris"
    )
    order = db.session.scalar(select(Order))
    assert (order.tax, order.total, order.tax_treatment) == (0, 9800, "reverse_charge")
    assert order.tax_id == FR_ID and order.vat_check == "offline"
    page = buyer_client.get(f"/orders/{order.id}").text
    assert "Reverse charge: VAT to be accounted for by the recipient" in page
    assert "1 Rue X, 75001 Paris" in page
    pdf = buyer_client.get(f"/orders/{order.id}/quote.pdf").data
    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "Reverse charge: VAT to be accounted for by the recipient" in text


@pytest.mark.parametrize(
    ("typed", "one_line"),
    [
        ("Kaistraße 12 \n20457 Hamburg", "Kaistraße 12, 20457 Hamburg"),
        ("Kaistraße 12 ,\r\n 20457  Hamburg\n\n", "Kaistraße 12, 20457 Hamburg"),
        ("Kaistraße 12", "Kaistraße 12"),
        ("", ""),
    ],
)
def test_addresses_print_without_stray_separators(typed, one_line):
    assert one_line_address(typed) == one_line
    assert tidy_address(typed) == one_line.replace(", ", "\n")
