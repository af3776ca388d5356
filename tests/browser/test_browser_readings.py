"""A prospect uploads a file whose dates could be day-first or month-first, sees which reading
we chose and why, switches it, and sees the demo's figures follow the new reading."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from statistics import mean

import pytest
from playwright.sync_api import Page, expect

from portal.extensions import db as _db
from portal.trials.sandbox_gateway import close_queue
from tests.browser.consent import accept_tracking
from tests.factories import make_plan, make_product

# Every day and month is 12 or less and every deal closes after it opened either way, so
# nothing in the file settles the order: the engine must say it chose, and let us change it.
DEALS = [
    ("D1", "Closed Won", 1000, "02/01/2024", "03/02/2024"),
    ("D2", "Closed Won", 2000, "05/03/2024", "10/04/2024"),
    ("D3", "Closed Won", 1500, "01/06/2024", "12/07/2024"),
    ("D4", "Closed Lost", 500, "04/02/2024", "06/03/2024"),
    ("D5", "Proposal", 800, "07/08/2024", ""),
    ("D6", "Lead", 300, "09/09/2024", ""),
]


def _csv() -> str:
    lines = ["Deal,Stage,Amount,Created,Closed"]
    lines += [",".join(str(v) for v in deal) for deal in DEALS]
    return "\n".join(lines) + "\n"


def _parse(text: str, day_first: bool) -> date:
    a, b, year = (int(p) for p in text.split("/"))
    day, month = (a, b) if day_first else (b, a)
    return date(year, month, day)


def sales_cycle(day_first: bool) -> str:
    """Average days from created to closed of the won deals, as the result page shows it."""
    days = [
        (_parse(closed, day_first) - _parse(created, day_first)).days
        for _, stage, _, created, closed in DEALS
        if stage == "Closed Won"
    ]
    return f"{mean(days):,.2f} days"


@pytest.fixture
def product(app):
    app.config.update(SANDBOX_RUN_SECONDS=30, SANDBOX_WORKERS=1)
    with app.app_context():
        lens = make_product(slug="pipeline-lens", name="Pipeline Lens", recipe="pipeline_lens")
        make_plan(lens, name="Team")
        _db.session.commit()
    yield "pipeline-lens"
    close_queue(app)


def _reading(page: Page, column: str):
    return page.locator(f"#readings li.reading[data-column='{column}']")


def _run_and_read_cycle(page: Page) -> str:
    page.get_by_role("button", name="Run the demo").click()
    expect(page.get_by_role("heading", name="Key figures")).to_be_visible(timeout=60_000)
    card = page.locator(".kpi-tile", has_text="Sales cycle")
    expect(card).to_be_visible()
    return card.inner_text()


def test_see_the_chosen_date_reading_switch_it_and_the_result_follows(
    page: Page, live_server, product, tmp_path: Path
):
    page.goto(f"{live_server.url}/try/{product}")
    accept_tracking(page)
    deals = tmp_path / "ambiguous-dates.csv"
    deals.write_text(_csv())
    page.get_by_label("Your file", exact=True).set_input_files(str(deals))
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_role("heading", name="How we read your columns")).to_be_visible()

    created = _reading(page, "Created")
    expect(created).to_contain_text("Please check")  # ambiguous, and said so
    label = created.locator(".reading-label").inner_text()
    assert "day-month-year" in label or "month-day-year" in label, label
    chosen_day_first = "day-month-year" in label
    reason = created.locator(".reading-reason")
    expect(reason).to_contain_text("day first" if chosen_day_first else "month first")
    assert any(created_on in reason.inner_text() for _, _, _, created_on, _ in DEALS)
    page.screenshot(path=str(tmp_path / "readings.png"), full_page=True)

    first = _run_and_read_cycle(page)
    assert sales_cycle(chosen_day_first) in first, first

    page.go_back()
    other = "month-day-year" if chosen_day_first else "day-month-year"
    # Only "Created" is changed: "Closed", read in the same layout, follows it.
    select = page.get_by_label("Read 'Created' as")
    option = select.locator("option", has_text=other).first
    select.select_option(value=option.get_attribute("value"))
    page.get_by_role("button", name="Read the columns this way").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "So is 'Closed', which was read in the same layout"
    )
    for column in ("Created", "Closed"):
        expect(_reading(page, column).locator(".reading-label")).to_contain_text(other)
        expect(_reading(page, column)).to_contain_text("Your choice")
    page.screenshot(path=str(tmp_path / "readings-changed.png"), full_page=True)

    second = _run_and_read_cycle(page)
    assert sales_cycle(not chosen_day_first) in second, second
    assert sales_cycle(chosen_day_first) != sales_cycle(not chosen_day_first)
