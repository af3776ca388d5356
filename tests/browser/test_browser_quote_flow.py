"""A procurement buyer asks for a quote from the cart, accepts it online in two tabs and with a
double click, and gets exactly one order; a seller sees the quote accepted on the deal. An
expired quote cannot be accepted, and is renewed in one click."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Deal, Order, Quote, QuoteAcceptance, User
from tests.conftest import PASSWORD
from tests.factories import make_plan, make_product


def _sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign in")).to_have_count(0)


def _request_quote(page: Page, base: str, slug: str) -> str:
    """Add three seats from the product page, ask for a quote; returns the quote's URL."""
    page.goto(f"{base}/products/{slug}")
    page.get_by_label("Seats").fill("3")
    page.get_by_role("button", name="Add to cart").click()
    page.goto(f"{base}/cart")
    page.get_by_role("link", name="Request a quote").click()
    expect(page.get_by_role("heading", name="Request a quote")).to_be_visible()
    page.get_by_label("Company legal name").fill("Kontor Logistik GmbH")
    page.get_by_label("Address").fill("Speicherstadt 5\n20457 Hamburg")
    page.get_by_label("Country", exact=True).select_option("DE")
    page.get_by_role("button", name="Create the quote").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quote Q-")
    return page.url


def _fill_signature(page: Page) -> None:
    page.get_by_label("Your full name").fill("Dana Schmidt")
    page.get_by_label("Your title").fill("Head of Procurement")
    page.get_by_label("Invoice / purchase order").check()
    page.get_by_label("I am authorised to sign for this company").check()


def _counts(app) -> tuple[int, int]:
    with app.app_context():
        orders = db.session.scalar(select(func.count(Order.id)))
        acceptances = db.session.scalar(select(func.count(QuoteAcceptance.id)))
        return orders, acceptances


def test_a_quote_accepted_in_two_tabs_and_twice_becomes_one_order(
    page: Page, browser: Browser, live_server, app, make_user
):
    base = live_server.url
    buyer = make_user(email="dana@kontor.example")
    seller = make_user(role="seller", email="sam@northwind.example")
    with app.app_context():
        product = make_product(name="Pipeline Lens", slug="pipeline-lens-q")
        make_plan(product, name="Team", unit_amount=4900)
        db.session.commit()

    _sign_in(page, base, buyer.email)
    quote_url = _request_quote(page, base, "pipeline-lens-q")
    expect(page.locator("[data-quote-total]")).to_have_text("$174.93")  # 3 × $49 + 19 % VAT
    assert _counts(app) == (0, 0)  # a quote is not an order

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the quote (PDF)").click()
    issued = Path(download.value.path()).read_bytes()
    shown = page.locator("[data-quote-sha256]").inner_text()
    assert hashlib.sha256(issued).hexdigest() == shown

    # The same quote open in a second tab; both filled in, then accept pressed in both at
    # once, and a double click in the first.
    other = page.context.new_page()
    other.goto(quote_url)
    _fill_signature(page)
    _fill_signature(other)
    accept = "Accept and place the order"
    # requestSubmit returns at once: the second tab's request is in flight during the clicks.
    other.get_by_role("button", name=accept).evaluate("button => button.form.requestSubmit()")
    page.get_by_role("button", name=accept).dblclick()
    for tab in (page, other):
        expect(tab.get_by_role("heading", level=1)).to_contain_text("is placed")
    assert page.url == other.url  # both tabs show the one order's confirmation
    assert _counts(app) == (1, 1)
    with app.app_context():
        order = db.session.scalar(select(Order))
        assert (order.total, order.payment_method) == (17493, "invoice")
        quote = db.session.scalar(select(Quote))
        assert quote.status == "accepted" and quote.acceptance.document_sha256 == shown
        deal_id = db.session.scalar(
            select(Deal.id)
            .join(User, User.account_id == Deal.account_id)
            .where(User.email == buyer.email)
        )

    page.goto(quote_url)
    expect(page.get_by_text("Accepted by Dana Schmidt (Head of Procurement)")).to_be_visible()
    expect(page.get_by_role("button", name=accept)).to_have_count(0)

    seller_page = browser.new_context().new_page()
    _sign_in(seller_page, base, seller.email)
    seller_page.goto(f"{base}/seller/deals/{deal_id}")
    expect(seller_page.locator("[data-deal-quotes] [data-quote-status]")).to_have_text("accepted")
    expect(seller_page.get_by_text("accepted a quote")).to_be_visible()


def test_an_expired_quote_cannot_be_accepted_and_renews_in_one_click(
    page: Page, live_server, app, make_user
):
    base = live_server.url
    buyer = make_user(email="dana@kontor.example")
    with app.app_context():
        product = make_product(name="Pipeline Lens", slug="pipeline-lens-e")
        make_plan(product, name="Team", unit_amount=4900)
        db.session.commit()

    _sign_in(page, base, buyer.email)
    quote_url = _request_quote(page, base, "pipeline-lens-e")
    _fill_signature(page)  # the buyer fills the form while the quote runs out
    with app.app_context():
        quote = db.session.scalar(select(Quote))
        quote.valid_until = datetime.now(UTC) - timedelta(minutes=1)
        db.session.commit()

    page.get_by_role("button", name="Accept and place the order").click()
    expect(page.get_by_role("alert").filter(has_text="expired")).to_be_visible()
    expect(page.get_by_text("can no longer be accepted")).to_be_visible()
    assert _counts(app) == (0, 0)

    page.goto(quote_url)
    expect(page.locator("[data-quote-status]")).to_have_text("Expired")
    page.get_by_role("button", name="Renew at today's prices").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(" v2")
    expect(page.locator("[data-quote-status]")).to_have_text("Viewed")  # opened, not expired
    _fill_signature(page)
    page.get_by_role("button", name="Accept and place the order").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("is placed")
    assert _counts(app) == (1, 1)
