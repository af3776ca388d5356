"""The buying committee's room end to end: the champion shortlists two products, invites a
colleague on another domain, runs a demo on their own data (the plan's "try it on our data"
step completes by itself), shares the result with the room and by link, accepts a step the
seller proposed; the colleague signs up through the link and sees the room; the seller sees
the committee, the plan's progress and the "at risk" flag on the deal and the board."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from portal.extensions import db as _db
from portal.mail import read_outbox
from portal.trials.sandbox_gateway import close_queue
from tests.conftest import PASSWORD
from tests.factories import make_plan, make_product

MY_DEALS = (
    "Deal,Stage,Amount,Opened,Closed,Result,Rep\n"
    "D1,Lead,1000,2024-01-02,,open,Ann\n"
    "D2,Proposal,2500,2024-01-05,,open,Bob\n"
    "D3,Closed Won,4000,2024-01-03,2024-02-01,won,Ann\n"
    "D4,Closed Lost,1500,2024-01-04,2024-02-11,lost,Bob\n"
    "D5,Closed Won,3000,2024-01-08,2024-03-01,won,Ann\n"
)


@pytest.fixture
def catalog(app):
    app.config.update(SANDBOX_RUN_SECONDS=30, SANDBOX_WORKERS=1)
    with app.app_context():
        lens = make_product(slug="pipeline-lens", name="Pipeline Lens", recipe="pipeline_lens")
        make_plan(lens, name="Team")
        radar = make_product(slug="churn-radar", name="Churn Radar")
        make_plan(radar, name="Team")
        _db.session.commit()
    yield
    close_queue(app)


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_committee_room_from_invitation_to_the_sellers_board(
    page: Page, browser: Browser, live_server, app, make_user, catalog, tmp_path
):
    base = live_server.url
    make_user(email="ann@acme.example", name="Ann Champion")
    make_user(role="seller", email="sam@vendor.example", name="Sam Seller")

    # The champion shortlists from the product page and from the compare page.
    sign_in(page, base, "ann@acme.example")
    page.goto(f"{base}/products/pipeline-lens")
    page.get_by_role("complementary", name="Next steps").get_by_role(
        "button", name="Add to shortlist"
    ).click()
    expect(page.get_by_role("heading", name="Evaluation plan")).to_be_visible()
    expect(page.locator("#plan-progress")).to_have_text("0 of 6 done")
    page.goto(f"{base}/compare?p=pipeline-lens&p=churn-radar")
    page.locator(".col-product", has_text="Churn Radar").get_by_role(
        "button", name="Add to shortlist"
    ).click()
    expect(page.get_by_role("link", name="Compare the shortlist")).to_be_visible()

    # ...invites a colleague on another domain as finance.
    page.get_by_label("Colleague's e-mail").fill("carol@othercorp.example")
    page.get_by_label("Their role (they can change it)").select_option("finance")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("alert").first).to_contain_text("Invitation sent")

    # ...runs a demo on their own data: the plan's first step completes by itself.
    deals = tmp_path / "our-deals.csv"
    deals.write_text(MY_DEALS)
    page.goto(f"{base}/try/pipeline-lens")
    page.get_by_label("Your file", exact=True).set_input_files(str(deals))
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_label("Amount", exact=True)).to_have_value("Amount")
    page.get_by_role("button", name="Run the demo").click()
    expect(page.get_by_role("heading", name="Key figures")).to_be_visible(timeout=60_000)

    # ...and shares the result with the room, then through a read-only link.
    page.get_by_role("link", name="Share this result").click()
    step = page.locator(".plan-step", has_text="Try it on our data")
    expect(step).to_contain_text("completed by itself")
    expect(page.locator("#plan-progress")).to_have_text("1 of 6 done")
    page.get_by_label("Everyone in our room").check()
    page.get_by_role("button", name="Share the result").click()
    expect(page.get_by_role("alert").first).to_contain_text("Shared with everyone in your room")
    page.get_by_label("Anyone with a read-only link").check()
    page.get_by_label("Link valid for (days)").fill("3")
    page.get_by_role("button", name="Share the result").click()
    link = page.locator("#new-share-link").input_value()
    assert re.search(r"/shared/[A-Za-z0-9_\-]{43,}$", link)

    # Someone outside opens the link: the result, not the file.
    outsider = browser.new_context().new_page()
    outsider.goto(link)
    expect(outsider.get_by_role("heading", name="Key figures")).to_be_visible()
    expect(outsider.get_by_text("The data it was computed from is not shared")).to_be_visible()
    outsider.context.close()

    # The seller proposes a step; the champion accepts it and dates another one in the past.
    seller = browser.new_context().new_page()
    sign_in(seller, base, "sam@vendor.example")
    seller.goto(f"{base}/seller/pipeline")
    seller.get_by_role("link", name="acme.example").first.click()
    seller.get_by_label("Propose a step").fill("Security review call with our CISO")
    seller.get_by_role("button", name="Propose").click()
    expect(seller.get_by_text("Proposed, waiting for the buyer")).to_be_visible()

    page.goto(f"{base}/account/room")
    page.get_by_role("button", name="Accept step Security review call with our CISO").click()
    expect(page.locator("#plan-progress")).to_have_text("1 of 7 done")
    security = page.locator(".plan-step", has_text="Review the security pack")
    security.locator("summary").click()
    late = (datetime.now(UTC).date() - timedelta(days=3)).isoformat()
    security.get_by_label("Due").fill(late)
    security.get_by_role("button", name="Save").click()
    expect(page.locator(".plan-step", has_text="Review the security pack")).to_contain_text(
        "Overdue"
    )

    # The colleague signs up through the link in the e-mail and sees the room.
    mail = [
        m for m in read_outbox(app.config["MAIL_OUTBOX"]) if m["To"] == "carol@othercorp.example"
    ]
    url = re.search(r"http\S+/room/invitations/\S+", mail[-1].get_body(("plain",)).get_content())
    carol = browser.new_context().new_page()
    carol.goto(url.group(0).replace("http://127.0.0.1:5000", base))
    expect(carol.get_by_role("heading", name="Join acme.example's buying room")).to_be_visible()
    carol.get_by_label("Your name").fill("Carol CFO")
    carol.get_by_label("Password", exact=True).fill("a-long-enough-password")
    carol.get_by_role("button", name="Create account and join").click()
    expect(carol.get_by_role("heading", name="acme.example's buying room")).to_be_visible()
    members = carol.locator(".room-member")
    expect(members.filter(has_text="Ann Champion")).to_have_count(1)
    expect(members.filter(has_text="Carol CFO")).to_contain_text("Finance")
    expect(carol.locator(".shortlist-item")).to_have_count(2)
    carol.get_by_role("link", name="Pipeline Lens on our-deals.csv").click()
    expect(carol.get_by_role("heading", name="Key figures")).to_be_visible()
    carol.go_back()
    carol.get_by_role("link", name="Compare the shortlist").click()
    expect(carol.get_by_role("link", name="Churn Radar").first).to_be_visible()

    # The seller sees the committee, the plan's progress and the risk, on the deal and board.
    seller.reload()
    committee = seller.locator("#deal-committee")
    expect(committee).to_contain_text("Carol CFO")
    expect(committee).to_contain_text("Finance")
    expect(seller.locator("#deal-plan-progress")).to_have_text("1 of 7 steps done")
    expect(seller.locator("#deal-plan-risk")).to_contain_text("At risk: a plan step is 3 days")
    seller.goto(f"{base}/seller/pipeline")
    card = seller.locator(".deal-card", has_text="acme.example")
    expect(card.locator(".card-plan")).to_contain_text("Plan 1/7 · 2 in committee")
    expect(card.locator(".plan-risk")).to_have_text("At risk")
    for context in (carol.context, seller.context):
        context.close()
