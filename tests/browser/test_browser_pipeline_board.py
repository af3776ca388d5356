"""A prospect's journey in one browser moves their card across the board that a seller
watches in another, without the seller reloading.

Every step is a page action of the prospect on the demo catalog: sign up and accept tracking,
read product pages, run a demo on their own file, read the testimonials, put seats in the cart.
The areas behind those pages record the journey; the test records nothing itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from portal.catalog.seed import seed_catalog
from portal.extensions import db
from portal.trials.sandbox_gateway import close_queue
from tests.browser.consent import accept_tracking
from tests.browser.signup import confirm_sign_up
from tests.conftest import PASSWORD

# 240 opportunities whose columns the trial engine maps by itself.
MY_DEALS = "\n".join(
    ["Opportunity,Stage,Amount,Created,Closed,Status,Owner"]
    + [
        f"OPP-{n},{stage},{1000 + 37 * n},2026-0{1 + n % 8}-1{n % 9},"
        f"{'2026-10-01' if status != 'open' else ''},{status},{owner}"
        for n, (stage, status, owner) in enumerate(
            [
                ("Qualified", "open", "Ann"),
                ("Proposal", "open", "Bob"),
                ("Closed Won", "won", "Ann"),
                ("Closed Lost", "lost", "Cid"),
                ("Negotiation", "open", "Bob"),
                ("Closed Won", "won", "Cid"),
            ]
            * 40
        )
    ]
)


@pytest.fixture
def demo_catalog(app):
    app.config.update(PIPELINE_BOARD_POLL_SECONDS=1, SANDBOX_WORKERS=1)
    with app.app_context():
        seed_catalog()
        db.session.commit()
    yield
    close_queue(app)


def test_prospect_journey_moves_the_card_on_the_sellers_board(
    browser: Browser, live_server, app, make_user, demo_catalog, tmp_path: Path
):
    seller = make_user(role="seller", email="sam@northwind.example")
    base = live_server.url

    seller_page = browser.new_context().new_page()
    seller_page.goto(f"{base}/login?next=/seller/pipeline")
    seller_page.get_by_label("E-mail").fill(seller.email)
    seller_page.get_by_label("Password").fill(PASSWORD)
    seller_page.get_by_role("button", name="Sign in").click()
    expect(seller_page.get_by_role("heading", name="Pipeline", exact=True)).to_be_visible()
    expect(seller_page.get_by_text("No deals yet")).to_be_visible()

    def column(stage: str):
        return seller_page.locator(f'section[data-stage="{stage}"]')

    def card_in(stage: str):
        return column(stage).locator(".deal-card", has_text="Acme Logistics")

    card = seller_page.locator(".deal-card", has_text="Acme Logistics")

    # Signs up, accepts tracking, signs in again (the auth area records it).
    prospect = browser.new_context().new_page()
    prospect.goto(f"{base}/signup")
    prospect.get_by_label("Your name").fill("Robin Buyer")
    prospect.get_by_label("Work e-mail").fill("robin@acme.example")
    prospect.get_by_label("Company").fill("Acme Logistics")
    prospect.get_by_label("Password").fill("a-good-long-passphrase")
    prospect.get_by_role("button", name="Create account").click()
    confirm_sign_up(prospect, app, "robin@acme.example", "a-good-long-passphrase")
    accept_tracking(prospect)
    prospect.get_by_role("button", name="Sign out").click()
    prospect.get_by_role("link", name="Sign in").click()
    prospect.get_by_label("E-mail").fill("robin@acme.example")
    prospect.get_by_label("Password").fill("a-good-long-passphrase")
    prospect.get_by_role("button", name="Sign in").click()
    expect(prospect.get_by_role("alert").first).to_contain_text("Signed in as")
    expect(card_in("Exploring")).to_be_visible()

    # Reads product pages: three views make them a researcher.
    for slug, name in (
        ("pipeline-lens", "Pipeline Lens"),
        ("data-doctor", "Data Doctor"),
        ("pipeline-lens", "Pipeline Lens"),
    ):
        prospect.goto(f"{base}/products/{slug}")
        expect(prospect.get_by_role("heading", name=name, level=1)).to_be_visible()
    expect(card_in("Researching")).to_be_visible()
    expect(card).to_contain_text("Pipeline Lens")
    expect(card_in("Exploring")).to_have_count(0)

    # Tries Pipeline Lens on their own export, from the product page.
    mine = tmp_path / "my-pipeline.csv"
    mine.write_text(MY_DEALS)
    prospect.get_by_role("link", name="Try it on your data").click()
    prospect.get_by_label("Your file", exact=True).set_input_files(str(mine))
    prospect.get_by_role("button", name="Upload", exact=True).click()
    expect(prospect.get_by_label("Amount", exact=True)).to_have_value("Amount")
    expect(card_in("Trying")).to_be_visible()
    expect(card).to_contain_text("$49.00")  # the cheapest plan of the product tried
    prospect.get_by_role("button", name="Run the demo").click()
    expect(prospect.get_by_role("heading", name="Key figures")).to_be_visible(timeout=60_000)

    # Reads what customers say: a completed demo and testimonials make them validate.
    prospect.goto(f"{base}/products/pipeline-lens")
    prospect.get_by_role("link", name="Talk to a customer", exact=True).click()
    expect(prospect.get_by_role("heading", name="What Pipeline Lens customers say")).to_be_visible()
    expect(card_in("Validating")).to_be_visible()

    # Puts four Starter seats in the cart from the product page.
    prospect.goto(f"{base}/products/pipeline-lens")
    starter = prospect.get_by_role("form", name="Starter")
    starter.get_by_label("Seats").fill("4")
    starter.get_by_role("button", name="Add to cart").click()
    expect(prospect.get_by_role("alert").first).to_contain_text("Added to your cart")
    expect(card_in("Deciding")).to_be_visible()
    expect(card).to_contain_text("$196.00")
    for stage in ("Exploring", "Researching", "Trying", "Validating"):
        expect(card_in(stage)).to_have_count(0)

    # The seller follows the card to the deal's timeline, in plain words.
    card.get_by_role("link", name="Acme Logistics").click()
    timeline = seller_page.get_by_role("region", name="Timeline")
    expect(
        timeline.get_by_text("Robin (acme.example) ran Pipeline Lens on 240 rows")
    ).to_be_visible()
    expect(seller_page.locator("#deal-stage")).to_have_text("Deciding")
