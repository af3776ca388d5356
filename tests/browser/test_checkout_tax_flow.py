"""Buying from a vendor established in Germany, in real Chromium: the live totals follow the
country, VAT id and quantity; the review shows the exact amount; the order equals it to the
cent. Expected figures are computed here from the plan price and quantity.

And a visitor who declined tracking keeps a cart and completes an invoice checkout.
"""

import io
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from portal.extensions import db
from tests.conftest import PASSWORD
from tests.factories import make_plan, make_product

UNIT = 120_000  # €1,200.00 per seat
REVERSE_CHARGE = "Reverse charge: VAT to be accounted for by the recipient"


def euros(cents: int) -> str:
    return f"€{Decimal(cents) / 100:,.2f}"


def expected_total(subtotal: int, percent: str) -> tuple[int, int]:
    """(VAT, total) in cents for a subtotal, VAT rounded half up to the cent."""
    vat = (Decimal(subtotal) * Decimal(percent) / 100).quantize(Decimal(1), ROUND_HALF_UP)
    return int(vat), subtotal + int(vat)


@pytest.fixture
def shop(app):
    app.config["VENDOR_COUNTRY"] = "DE"
    with app.app_context():
        product = make_product(name="Demand Radar", slug="demand-radar")
        make_plan(product, name="Team", unit_amount=UNIT, currency="EUR", max_quantity=50)
        make_plan(
            product,
            name="Site licence",
            unit_amount=900_000,
            currency="EUR",
            per_seat=False,
            min_quantity=1,
            max_quantity=1,
            billing="one_time",
        )
        db.session.commit()
    return "/products/demand-radar"


def sign_in(page: Page, email: str) -> None:
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def add_team_seats(page: Page, base: str, product_path: str, seats: int) -> None:
    page.goto(base + product_path)
    page.get_by_label("Seats").fill(str(seats))
    page.get_by_role("form", name="Team").get_by_role("button", name="Add to cart").click()
    expect(page.get_by_role("heading", name="Your cart")).to_be_visible()


BUYERS = [
    # who, country, VAT id, buying as, VAT %, the VAT line's label, the note documents print
    ("French company", "FR", "FR40303265045", "A company", "0", "reverse charge, 0 %",
     REVERSE_CHARGE),
    ("German company", "DE", "DE136695976", "A company", "19", "19 % for Germany", None),
    ("US company", "US", "", "A company", "0", "0 %, export to United States",
     "No VAT: supply to a customer outside the EU"),
    ("consumer in France", "FR", "", "Myself, as a private person", "20", "20 % for France", None),
]  # fmt: skip


@pytest.mark.parametrize(("who", "country", "vat_id", "buyer", "percent", "label", "note"), BUYERS)
def test_the_review_total_is_the_order_total(
    page: Page, live_server, shop, make_user, who, country, vat_id, buyer, percent, label, note
):
    base = live_server.url
    user = make_user(email=f"buyer-{country.lower()}-{len(buyer)}@example.com")
    page.goto(f"{base}/login")
    sign_in(page, user.email)
    add_team_seats(page, base, shop, 2)

    # The quantity changes live: the server re-renders the cart (no page load, no JS sums).
    page.get_by_label("Quantity of Demand Radar — Team").fill("3")
    page.get_by_label("Quantity of Demand Radar — Team").dispatch_event("change")
    expect(page.get_by_test_id("subtotal")).to_have_text(euros(3 * UNIT))
    expect(page.locator("#nav-cart-count")).to_contain_text("1")

    page.get_by_role("link", name="Check out").click()
    expect(page.get_by_role("heading", name="Checkout")).to_be_visible()
    page.get_by_label(buyer).check()
    page.get_by_label("Company legal name").fill(f"{who} buyer")
    page.get_by_label("Billing address").fill("Kaistraße 12 \n20457 Hamburg")
    page.get_by_label("Country", exact=True).select_option(country)
    if vat_id:
        page.get_by_label("Tax / VAT id").fill(vat_id)
        page.get_by_label("Tax / VAT id").dispatch_event("change")
    page.get_by_label("Invoice / purchase order").check()
    vat, total = expected_total(3 * UNIT, percent)  # the plan price × quantity
    totals = page.locator("#checkout-totals")
    # Live, before any review: the server re-rendered the panel for country, buyer and id.
    expect(totals.get_by_test_id("tax-label")).to_have_text(f"({label})")
    expect(totals.get_by_test_id("tax")).to_have_text(euros(vat))
    expect(totals.get_by_test_id("total")).to_have_text(euros(total))

    page.get_by_role("button", name="Review order").click()
    expect(page.get_by_role("heading", name="Review your order")).to_be_visible()
    expect(page.get_by_test_id("review-total")).to_have_text(euros(total))
    expect(page.locator("#review-amount")).to_contain_text("will invoice you")
    if note:
        expect(page.get_by_test_id("tax-note")).to_have_text(note)
    if vat_id:
        expect(page.get_by_test_id("vat-check")).to_contain_text("checked offline only")

    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("is placed")
    expect(page.get_by_test_id("total")).to_have_text(euros(total))
    page.get_by_role("link", name="Order details").click()
    expect(page.get_by_test_id("total")).to_have_text(euros(total))
    expect(page.get_by_test_id("tax")).to_have_text(euros(vat))
    expect(page.locator("address")).to_contain_text("Kaistraße 12, 20457 Hamburg")
    if note:
        expect(page.get_by_test_id("tax-note")).to_have_text(note)
        with page.expect_download() as download:
            page.get_by_role("link", name="Download the quote (PDF)").click()
        pdf = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
        text = " ".join(pdf.pages[0].extract_text().split())
        assert note in text and f"EUR {Decimal(total) / 100:,.2f}" in text


def test_a_visitor_who_declined_tracking_completes_an_invoice_checkout(
    page: Page, live_server, shop, make_user
):
    base = live_server.url
    user = make_user(email="no-tracking@example.com", consent=None)
    page.goto(base + shop)
    banner = page.get_by_role("region", name="Tracking consent")
    banner.get_by_role("button", name="Decline").click()
    expect(page.locator("footer")).to_contain_text("tracking off")

    add_team_seats(page, base, shop, 1)
    # The fixed one-licence plan shows no editable quantity.
    page.goto(base + shop)
    plan = page.get_by_role("form", name="Site licence")
    plan.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_test_id("fixed-quantity")).to_have_text("1 licence")
    expect(page.get_by_text("1–1")).to_have_count(0)
    expect(page.locator("#nav-cart-count")).to_contain_text("2")
    expect(page.get_by_text("Your cart is kept on this device")).to_have_count(1)
    expect(page.get_by_role("link", name="Sign up")).to_have_count(2)  # navigation + message

    page.locator("#checkout-account").get_by_role("link", name="Sign in").click()
    sign_in(page, user.email)
    expect(page.get_by_role("heading", name="Checkout")).to_be_visible()
    page.get_by_label("Company legal name").fill("Hamburg Freight GmbH")
    page.get_by_label("Billing address").fill("Kaistraße 12\n20457 Hamburg")
    page.get_by_label("Country", exact=True).select_option("DE")
    page.get_by_label("Invoice / purchase order").check()
    _vat, total = expected_total(1 * UNIT + 1 * 900_000, "19")  # a seat and the site licence
    page.get_by_role("button", name="Review order").click()
    expect(page.get_by_test_id("review-total")).to_have_text(euros(total))
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("is placed")
    expect(page.get_by_test_id("total")).to_have_text(euros(total))
    expect(page.locator("#nav-cart-count")).to_have_text("")  # the cart became the order
