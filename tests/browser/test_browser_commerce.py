"""A buyer fills a cart, signs in, checks out by invoice, downloads the quote; a seller marks
the order paid; the buyer sees it paid."""

import io
from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from portal.extensions import db
from tests.browser.consent import accept_tracking
from tests.conftest import PASSWORD
from tests.factories import make_plan, make_product


def test_invoice_checkout_quote_and_seller_marks_paid(
    page: Page, browser: Browser, live_server, app, make_user
):
    base = live_server.url
    buyer = make_user(email="robin@acme.example")
    seller = make_user(role="seller", email="sam@northwind.example")
    with app.app_context():
        plan = make_plan(make_product(name="Pipeline Lens"), name="Team", unit_amount=4900)
        db.session.commit()
        plan_id = plan.id

    # An anonymous visitor accepts tracking, so the portal may keep a cart for them.
    page.goto(f"{base}/cart")
    accept_tracking(page)
    expect(page.get_by_text("Your cart is empty.")).to_be_visible()

    # The product page's "Add to cart" form posts here (the catalog area renders that page).
    page.goto(f"{base}/login")
    token = page.locator('input[name="csrf_token"]').first.get_attribute("value")
    response = page.request.post(
        f"{base}/cart/items", form={"plan_id": str(plan_id), "quantity": "3", "csrf_token": token}
    )
    assert response.ok
    page.goto(f"{base}/cart")
    expect(page.get_by_role("cell", name="$147.00")).to_be_visible()

    page.get_by_role("link", name="Check out").click()
    page.get_by_label("E-mail").fill(buyer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Checkout")).to_be_visible()
    page.get_by_label("Company legal name").fill("Acme Logistics Ltd")
    page.get_by_label("Billing address").fill("1 Dock Road\nLiverpool")
    page.get_by_label("Country", exact=True).select_option("GB")
    page.get_by_label("Purchase order number").fill("PO-77")
    page.get_by_label("Invoice / purchase order").check()
    page.get_by_role("button", name="Review order").click()
    expect(page.get_by_test_id("review-total")).to_have_text("$147.00")  # export: no VAT
    page.get_by_role("button", name="Place order").click()

    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("is placed")
    number = heading.inner_text().split("order ")[1].split(" ")[0]

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the quote (PDF)").click()
    pdf_bytes = Path(download_info.value.path()).read_bytes()
    text = PdfReader(io.BytesIO(pdf_bytes)).pages[0].extract_text()
    assert number in text and "USD 147.00" in text and "PO-77" in text  # UK: outside the EU

    seller_page = browser.new_context().new_page()
    seller_page.goto(f"{base}/login")
    seller_page.get_by_label("E-mail").fill(seller.email)
    seller_page.get_by_label("Password").fill(PASSWORD)
    seller_page.get_by_role("button", name="Sign in").click()
    seller_page.goto(f"{base}/seller/orders")
    seller_page.get_by_role("link", name=number).click()
    seller_page.get_by_label("Bank reference").fill("TRANSFER-9")
    seller_page.get_by_role("button", name="Mark as paid").click()
    expect(seller_page.get_by_role("alert").first).to_contain_text(f"Order {number} is marked paid")

    page.get_by_role("link", name="Order details").click()
    expect(page.locator("[data-status]").first).to_have_text("Paid")
    expect(page.get_by_text("Bank transfer received (reference TRANSFER-9).")).to_be_visible()
    page.get_by_role("link", name=buyer.display_name).click()
    expect(page.get_by_role("heading", name="Licences and seats")).to_be_visible()
    expect(page.get_by_text("3 seats")).to_be_visible()
