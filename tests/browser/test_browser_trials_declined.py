"""A visitor declines tracking and still tries a product on their own file: upload, run, the
right key figure; nothing is recorded; after signing up the same file is in the account."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from portal.extensions import db as _db
from portal.models import Event, TrialDataset, User
from portal.trials.sandbox_gateway import close_queue
from tests.browser.consent import decline_tracking
from tests.browser.signup import confirm_sign_up
from tests.browser.test_browser_trials import serious_violations
from tests.factories import make_plan, make_product

DEALS = (
    "Deal,Phase,Value,Opened,Closed,Result,Rep\n"
    "Q1,Lead,1200,2024-03-02,,open,Ann\n"
    "Q2,Closed Won,5000,2024-03-05,2024-04-01,won,Bob\n"
    "Q3,Closed Lost,700,2024-03-03,2024-04-11,lost,Ann\n"
    "Q4,Closed Lost,900,2024-03-04,2024-04-12,lost,Cid\n"
    "Q5,Closed Won,3100,2024-03-08,2024-05-01,won,Ann\n"
    "Q6,Closed Lost,400,2024-03-09,2024-05-02,lost,Bob\n"
    "Q7,Closed Won,2600,2024-03-10,2024-05-03,won,Cid\n"
    "Q8,Closed Won,1800,2024-03-11,2024-05-04,won,Ann\n"
)


def expected_win_rate(text: str) -> str:
    """Won deals out of all closed deals, from the file written above."""
    results = [row["Result"] for row in csv.DictReader(io.StringIO(text))]
    won, closed = results.count("won"), results.count("won") + results.count("lost")
    return f"{100 * won / closed:.2f}".rstrip("0").rstrip(".") + " %"


@pytest.fixture
def product(app):
    app.config.update(SANDBOX_RUN_SECONDS=30, SANDBOX_WORKERS=1)
    with app.app_context():
        lens = make_product(slug="pipeline-lens", name="Pipeline Lens", recipe="pipeline_lens")
        make_plan(lens, name="Team")
        _db.session.commit()
    yield "pipeline-lens"
    close_queue(app)


def kpi_tile(page: Page, label: str):
    heading = page.get_by_role("heading", name=label, exact=True)
    return page.locator(".kpi-tile").filter(has=heading).locator(".kpi-value")


def events(app) -> int:
    with app.app_context():
        return _db.session.scalar(select(func.count()).select_from(Event))


def test_declined_visitor_tries_sees_the_kpi_signs_up_and_keeps_the_file(
    page: Page, live_server, app, product, tmp_path: Path
):
    base = live_server.url
    page.goto(f"{base}/try/{product}")
    decline_tracking(page)
    note = page.locator("#device-note")
    expect(note).to_contain_text("kept privately for this browser")
    expect(note.get_by_role("link", name="Create a free account")).to_be_visible()
    expect(note.get_by_role("link", name="sign in")).to_be_visible()
    expect(page.get_by_role("button", name="Accept and try it")).to_have_count(0)

    deals = tmp_path / "quarter.csv"
    deals.write_text(DEALS)
    page.get_by_label("Your file", exact=True).set_input_files(str(deals))
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_role("heading", name="Check your data")).to_be_visible()
    expect(page.get_by_role("region", name="First 8 rows")).to_contain_text("Q8")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Run the demo").click()

    expect(page.get_by_role("heading", name="Key figures")).to_be_visible(timeout=60_000)
    expect(kpi_tile(page, "Win rate")).to_contain_text(expected_win_rate(DEALS))  # 4 of 7: 57.14 %
    assert events(app) == 0

    page.goto(f"{base}/try/{product}")
    page.locator("#device-note").get_by_role("link", name="Create a free account").click()
    page.get_by_label("Your name").fill("Dana Decline")
    page.get_by_label("Work e-mail").fill("dana@initech.example")
    page.get_by_label("Password").fill("a-good-long-passphrase")
    page.get_by_role("button", name="Create account").click()
    # The link in the mail, opened in this browser: the file kept for it moves to the account.
    confirm_sign_up(page, app, "dana@initech.example", "a-good-long-passphrase")
    expect(page.get_by_role("alert").first).to_contain_text("Welcome to Testdrive")

    page.get_by_role("link", name="My trials").first.click()
    expect(page.get_by_role("heading", name="quarter.csv")).to_be_visible()
    expect(page.locator("#device-note")).to_have_count(0)
    page.get_by_role("link", name="Open result").first.click()
    expect(kpi_tile(page, "Win rate")).to_contain_text(expected_win_rate(DEALS))
    with app.app_context():
        user = _db.session.scalar(select(User).where(User.email == "dana@initech.example"))
        dataset = _db.session.scalar(select(TrialDataset))
        assert (dataset.filename, dataset.owner_key) == ("quarter.csv", f"u{user.id}")
        assert user.tracking_consent is False
    assert events(app) == 0
