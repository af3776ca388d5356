"""The seeded board fits a laptop and a phone, and every seller page passes axe.

The demo seed fills the board (300 simulated accounts by default; fewer here for time). At
1280 px and at 390 px the page itself never scrolls sideways — the board scrolls inside its
own container — and axe finds nothing serious or critical on any seller page.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from portal.auth.seed import DEMO_PASSWORD
from portal.extensions import db
from portal.models import Deal

SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/pipeview-shots"))
SIZES = {"laptop": (1280, 800), "phone": (390, 844)}


@pytest.fixture
def seeded(app):
    """The demo as ``make run`` seeds it (the test is marked ``seeded_demo``): its top deal."""
    with app.app_context():
        return db.session.scalar(select(Deal.id).order_by(Deal.value.desc()))


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert").first).to_contain_text("Signed in as")


def serious(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def page_scroll_width(page: Page) -> tuple[int, int]:
    return page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")


@pytest.mark.seeded_demo
@pytest.mark.parametrize("size", SIZES)
def test_seeded_board_fits_without_page_scroll(browser: Browser, live_server, seeded, size: str):
    width, height = SIZES[size]
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    sign_in(page, live_server.url, "seller@northwind.example")
    page.goto(f"{live_server.url}/seller/pipeline")
    expect(page.locator(".deal-card").first).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"board-{size}.png"))
    page.screenshot(path=str(SHOTS / f"board-{size}-full.png"), full_page=True)
    scroll_width, inner_width = page_scroll_width(page)
    assert scroll_width <= inner_width
    # Every stage is reachable: the last column is on the page (in the board's own scroller).
    customer = page.locator('section[data-stage="Customer"]')
    customer.scroll_into_view_if_needed()
    expect(customer.get_by_role("heading", name="Customer")).to_be_visible()
    assert page_scroll_width(page)[0] <= inner_width
    # The navigation: collapsed behind a button on a phone, the search box at full width.
    toggle = page.get_by_role("button", name="Toggle navigation")
    search = page.get_by_label("Search products")
    if size == "phone":
        expect(search).to_be_hidden()
        page.evaluate("window.scrollTo(0, 0)")
        toggle.click()
        expect(page.locator("#nav-main")).to_have_class(re.compile(r"\bshow\b"))
    else:
        expect(toggle).to_be_hidden()
    expect(search).to_be_visible()
    assert search.bounding_box()["width"] >= 200
    page.screenshot(path=str(SHOTS / f"nav-{size}.png"))


SELLER_PAGES = (
    "/seller/pipeline",
    "/seller/deals/{deal}",
    "/seller/analytics",
    "/seller/listening",
    "/seller/listening/deals?kind=product_viewed&label=Product+views",
    "/seller/references",
    "/seller/notifications",
    "/seller/api-tokens",
    "/seller/orders",
    "/seller/moderation",
    "/seller/moderation/import",
    "/admin/stages",
)


@pytest.mark.seeded_demo
def test_every_seller_page_passes_axe_at_both_sizes(browser: Browser, live_server, seeded):
    found = {}
    for size, (width, height) in SIZES.items():
        page = browser.new_context(viewport={"width": width, "height": height}).new_page()
        # The admin sees every seller page and the longest navigation.
        sign_in(page, live_server.url, "admin@northwind.example")
        for path in SELLER_PAGES:
            url = live_server.url + path.format(deal=seeded)
            assert page.goto(url).ok, url
            if problems := serious(page):
                found[f"{size} {path}"] = problems
            if path in ("/seller/deals/{deal}", "/seller/listening"):
                name = path.strip("/").split("/")[1].split("?")[0]
                page.screenshot(path=str(SHOTS / f"{name}-{size}.png"), full_page=True)
            scroll_width, inner_width = page_scroll_width(page)
            if scroll_width > inner_width:
                wide = page.evaluate(
                    "[...document.querySelectorAll('body *')].filter(e =>"
                    " e.getBoundingClientRect().right > innerWidth + 1).slice(-3)"
                    ".map(e => e.tagName + '.' + e.className)"
                )
                found[f"{size} {path}"] = [f"scrolls sideways: {scroll_width}", *wide]
    assert found == {}


@pytest.mark.seeded_demo
def test_admin_previews_criteria_from_the_builder_before_saving(
    browser: Browser, live_server, seeded
):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    errors: list[str] = []
    # Script errors and CSP refusals (htmx must work under the nonce policy).
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if "Refused" in m.text else None)
    sign_in(page, live_server.url, "admin@northwind.example")
    page.goto(f"{live_server.url}/admin/stages")
    page.get_by_role("link", name="Edit Trying").click()
    expect(page.get_by_label("Event or metric (group 1, condition 1)")).to_have_value(
        "demo_uploaded"
    )
    # The text view, then the builder follows it; the preview names the deals.
    page.get_by_label("Write them as text (advanced)").check()
    page.get_by_label("Criteria as text").fill("product_viewed >= 1")
    page.get_by_role("button", name="Update and preview").click()
    preview = page.locator("#criteria-preview")
    expect(preview).to_contain_text(re.compile(r"\d+ deals? would move from \w+ to Trying"))
    expect(page.get_by_label("Event or metric (group 1, condition 1)")).to_have_value(
        "product_viewed"
    )
    assert serious(page) == []
    page.screenshot(path=str(SHOTS / "criteria-builder.png"), full_page=True)
    assert errors == []
