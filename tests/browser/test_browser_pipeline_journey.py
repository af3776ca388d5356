"""A buyer goes from a trial to a paid invoice order, then the seller checks the deal.

The buyer (in their own browser): signs up, accepts tracking, runs a demo on their own file,
puts seats in the cart, requests a quote, accepts it online paying by invoice. An admin marks
the invoice paid. The seller reads the deal page, the board, analytics, the CSV export and
the API: the value and its source (net of tax, computed here from the price and the seats),
the timeline in words, each alert once, the next step for an unpaid invoice, and the same
numbers everywhere.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from portal.api.services import create_token
from portal.extensions import db
from portal.models import Deal, Order, Stage, User
from portal.trials.sandbox_gateway import close_queue
from tests.browser.consent import accept_tracking
from tests.browser.signup import confirm_sign_up
from tests.conftest import PASSWORD
from tests.factories import make_plan, make_product

UNIT = 4900  # $49.00 a seat, net
SEATS = 3
VAT = Decimal("0.19")  # Germany, the vendor's country: a domestic sale
OWN_FILE = (
    "Deal,Phase,Value,Opened,Closed,Result,Rep\n"
    "K1,Lead,1000,2026-01-02,,open,Ann\n"
    "K2,Closed Won,4000,2026-01-03,2026-02-01,won,Ann\n"
    "K3,Closed Lost,1500,2026-01-04,2026-02-11,lost,Bob\n"
)


def dollars(cents: int) -> str:
    return f"${Decimal(cents) / 100:,.2f}"


NET = UNIT * SEATS
GROSS = int((Decimal(NET) * (1 + VAT)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@pytest.fixture
def lens(app):
    app.config.update(SANDBOX_RUN_SECONDS=30, SANDBOX_WORKERS=1)
    with app.app_context():
        product = make_product(slug="pipeline-lens", name="Pipeline Lens", recipe="pipeline_lens")
        make_plan(product, name="Team", unit_amount=UNIT)
        db.session.commit()
    yield "pipeline-lens"
    close_queue(app)


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign in")).to_have_count(0)


def buyer_trial_quote_order(page: Page, app, base: str, slug: str, tmp_path: Path) -> None:
    page.goto(f"{base}/signup")
    page.get_by_label("Your name").fill("Dana Schmidt")
    page.get_by_label("Work e-mail").fill("dana@kontor.example")
    page.get_by_label("Company").fill("Kontor Logistik")
    page.get_by_label("Password").fill("a-good-long-passphrase")
    page.get_by_role("button", name="Create account").click()
    confirm_sign_up(page, app, "dana@kontor.example", "a-good-long-passphrase")
    accept_tracking(page)

    own = tmp_path / "kontor.csv"
    own.write_text(OWN_FILE)
    page.goto(f"{base}/try/{slug}")
    page.get_by_label("Your file", exact=True).set_input_files(str(own))
    page.get_by_role("button", name="Upload", exact=True).click()
    page.get_by_role("button", name="Run the demo").click()
    expect(page.get_by_role("heading", name="Key figures")).to_be_visible(timeout=60_000)

    page.goto(f"{base}/products/{slug}")
    page.get_by_label("Seats").fill(str(SEATS))
    page.get_by_role("button", name="Add to cart").click()
    page.goto(f"{base}/cart")
    page.get_by_role("link", name="Request a quote").click()
    page.get_by_label("Company legal name").fill("Kontor Logistik GmbH")
    page.get_by_label("Address").fill("Speicherstadt 5\n20457 Hamburg")
    page.get_by_label("Country", exact=True).select_option("DE")
    page.get_by_role("button", name="Create the quote").click()
    expect(page.locator("[data-quote-total]")).to_have_text(dollars(GROSS))
    page.get_by_label("Your full name").fill("Dana Schmidt")
    page.get_by_label("Your title").fill("Head of Procurement")
    page.get_by_label("Invoice / purchase order").check()
    page.get_by_label("I am authorised to sign for this company").check()
    page.get_by_role("button", name="Accept and place the order").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("is placed")


def timeline(page: Page) -> list[str]:
    return [t.strip() for t in page.locator(".timeline .timeline-line").all_inner_texts()]


def notifications(page: Page, base: str) -> list[str]:
    page.goto(f"{base}/seller/notifications")
    items = page.locator("main .list-group-item .flex-grow-1").all_inner_texts()
    return [item.strip() for item in items]


def board_card(page: Page, base: str):
    page.goto(f"{base}/seller/pipeline?status=all")
    return page.locator(".deal-card", has_text="Kontor Logistik")


def expected_weighted(app, deal_id: int) -> int:
    """Σ open value × stage probability, from the deal row (0 once it is won)."""
    with app.app_context():
        deal = db.session.get(Deal, deal_id)
        stage = db.session.get(Stage, deal.stage_id)
        if stage.is_won or deal.lost_at is not None:
            return 0
        return int((Decimal(deal.value * stage.probability) / 100).quantize(Decimal(1)))


def surfaces(page: Page, base: str, token: str, deal_id: int) -> dict:
    """The deal's value and the weighted pipeline as each surface shows it."""
    page.goto(f"{base}/seller/pipeline?status=all")
    summary = page.locator("body").inner_text()
    board_weighted = re.search(r"weighted pipeline (\S+)", summary).group(1)
    board_open = re.search(r"(\d+) open, (\S+)", summary).groups()
    board_won = (re.search(r"(\d+) won, (\S+)", summary) or re.search("()()", "")).groups()
    page.goto(f"{base}/seller/analytics?days=0")
    analytics_weighted = page.locator("#kpi-weighted").inner_text().strip()
    analytics_open = page.locator("#kpi-open-value").inner_text().strip()
    exported = page.request.get(f"{base}/seller/pipeline/export.csv?status=all").text()
    rows = [r for r in csv.DictReader(io.StringIO(exported)) if r["account"] == "Kontor Logistik"]
    headers = {"Authorization": f"Bearer {token}"}
    api = page.request.get(f"{base}/api/v1/pipeline", headers=headers).json()
    api_deal = page.request.get(f"{base}/api/v1/deals/{deal_id}", headers=headers).json()
    return {
        "board_weighted": board_weighted,
        "board_open": board_open,
        "board_won": board_won,
        "analytics_open": analytics_open,
        "analytics_weighted": analytics_weighted,
        "csv": [(r["value"], r["value_label"]) for r in rows],
        "api_weighted": api["weighted"].get("USD", 0),
        "api_deal": (api_deal["value"], api_deal["value_source"]["label"]),
    }


def test_buyer_pays_an_invoice_and_the_seller_sees_one_true_deal(
    browser: Browser, live_server, app, make_user, lens, tmp_path: Path
):
    base = live_server.url
    seller = make_user(role="seller", email="sam@northwind.example")
    admin = make_user(role="admin", email="ada@northwind.example")
    with app.app_context():
        token = create_token(db.session.get(User, seller.id), "journey test")[1]
        db.session.commit()

    buyer = browser.new_context().new_page()
    buyer_trial_quote_order(buyer, app, base, lens, tmp_path)
    with app.app_context():
        order = db.session.scalar(select(Order))
        assert (order.total, order.payment_method) == (GROSS, "invoice")
        order_id, number = order.id, order.number
        deal_id = db.session.scalar(select(Deal.id))

    seller_page = browser.new_context().new_page()
    sign_in(seller_page, base, seller.email)
    seller_page.goto(f"{base}/seller/deals/{deal_id}")
    value = seller_page.locator("dt:has-text('Value') + dd")
    expect(value).to_have_text(f"{dollars(NET)} — open invoice order {number}")
    assert value.get_by_role("link").get_attribute("href").endswith(f"/seller/orders/{order_id}")
    steps = seller_page.locator("section[aria-labelledby='steps-h']")
    expect(steps).to_contain_text("Check the invoice reached their accounts payable")
    expect(steps).not_to_contain_text("Send the product sheet")
    who = "Dana (kontor.example)"
    assert timeline(seller_page) == [  # newest first, in words, each step once
        f"{who} placed an order of {dollars(GROSS)} to pay by invoice",
        f"{who} accepted a quote of {dollars(GROSS)}",
        f"{who} opened their quote",
        f"{who} asked for a quote of {dollars(GROSS)}",
        f"{who} put {SEATS} × Pipeline Lens Team in the cart",
        f"{who} viewed Pipeline Lens",
        f"{who} ran Pipeline Lens on 3 rows",
        f"{who} started a Pipeline Lens demo",
        f"{who} uploaded 3 rows of their own data (csv) to try Pipeline Lens",
    ]

    card = board_card(seller_page, base)
    expect(card).to_contain_text(f"{dollars(NET)} — open invoice order {number}")
    link = card.locator("a.value-link")
    assert link.get_attribute("href").endswith(f"/seller/orders/{order_id}")

    open_figures = surfaces(seller_page, base, token, deal_id)
    weighted = expected_weighted(app, deal_id)
    assert open_figures["board_open"] == ("1", dollars(NET))
    assert open_figures["analytics_open"] == dollars(NET)
    assert open_figures["board_weighted"] == dollars(weighted)
    assert open_figures["analytics_weighted"] == dollars(weighted)
    assert open_figures["api_weighted"] == weighted
    assert open_figures["csv"] == [(f"{Decimal(NET) / 100:.2f}", f"open invoice order {number}")]
    assert open_figures["api_deal"] == (NET, f"open invoice order {number}")

    # The admin records the transfer.
    admin_page = browser.new_context().new_page()
    sign_in(admin_page, base, admin.email)
    admin_page.goto(f"{base}/seller/orders/{order_id}")
    admin_page.get_by_label("Bank reference").fill("SEPA-2026-118")
    admin_page.get_by_role("button", name="Mark as paid").click()
    expect(admin_page.get_by_role("alert").first).to_contain_text("marked paid")

    seller_page.goto(f"{base}/seller/deals/{deal_id}")
    expect(value).to_have_text(f"{dollars(NET)} — paid order {number}")  # net, not the gross
    expect(steps).not_to_contain_text("Check the invoice reached")
    card = board_card(seller_page, base)
    expect(card).to_contain_text(f"{dollars(NET)} — paid order {number}")
    paid_figures = surfaces(seller_page, base, token, deal_id)
    assert paid_figures["board_open"] == ("0", "$0.00")
    assert paid_figures["board_won"] == ("1", dollars(NET))
    assert paid_figures["analytics_open"] == "$0.00"
    assert paid_figures["csv"] == [(f"{Decimal(NET) / 100:.2f}", f"paid order {number}")]
    assert paid_figures["api_deal"] == (NET, f"paid order {number}")
    weighted = expected_weighted(app, deal_id)
    assert paid_figures["api_weighted"] == weighted
    for key in ("board_weighted", "analytics_weighted"):
        assert paid_figures[key] == dollars(weighted), key

    # Each alert once, newest first: the quote, its acceptance, the order, the stage with
    # alerts on, and one engagement jump (the cool-down holds the others back).
    alerts = notifications(seller_page, base)
    quote = re.search(r"\(Q-[0-9A-F]+\)", alerts[1]).group(0)
    assert alerts[:4] == [
        f"Kontor Logistik placed invoice order {number} of {dollars(NET)}.",
        f"Kontor Logistik accepted a quote {quote} of {dollars(NET)}.",
        f"Kontor Logistik asked for a quote {quote} of {dollars(NET)}.",
        "Kontor Logistik entered Deciding.",
    ]
    assert len(alerts) == 5 and alerts[4].startswith("Kontor Logistik's engagement jumped to")
