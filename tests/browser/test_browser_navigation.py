"""The main navigation fits: no page scrolls sideways for a visitor, a signed-in buyer (with
Ideas and the buying room in the bar) or a seller, at a laptop, a small laptop and a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from portal.auth.seed import DEMO_PASSWORD, seed_users
from portal.catalog.seed import seed_catalog
from portal.commerce.seed import seed_commerce
from portal.extensions import db

WIDTHS = (1280, 1024, 390)
PAGES = ("/", "/ideas", "/products/pipeline-lens")


@pytest.fixture
def seeded(app):
    with app.app_context():
        for seeder in (seed_users, seed_catalog, seed_commerce):
            seeder()
            db.session.commit()


@pytest.mark.parametrize("who", [None, "dana@globex.example", "seller@northwind.example"])
def test_no_page_scrolls_sideways(browser: Browser, live_server, seeded, who):
    wide = []
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        if who:
            page.goto(f"{live_server.url}/login")
            page.get_by_label("E-mail").fill(who)
            page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_role("alert").first).to_contain_text("Signed in as")
        for path in PAGES:
            page.goto(f"{live_server.url}{path}")
            scroll, inner = page.evaluate(
                "[document.scrollingElement.scrollWidth, window.innerWidth]"
            )
            if scroll > inner:
                wide.append(f"{path} at {width} px: {scroll} px wide")
        context.close()
    assert wide == []
