"""A prospect researches alone: browse → filter → compare two products → open one → sheet."""

import io
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlalchemy import select

from portal.catalog.seed import seed_catalog
from portal.models import Event
from tests.browser.consent import accept_tracking


def assert_accessible(page: Page) -> None:
    # The shared footer is left out: its contrast belongs to the base layout, not the catalog.
    results = Axe().run(page, context={"exclude": [["footer"]]})
    assert results.violations_count == 0, results.generate_report()


def test_browse_filter_compare_open_and_download_the_sheet(page: Page, live_server, app, db):
    seed_catalog()
    db.session.commit()

    page.goto(f"{live_server.url}/")
    accept_tracking(page)
    page.get_by_role("link", name="Browse products").click()
    expect(page.get_by_role("heading", name="Products", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("4 products")

    page.get_by_label("Use case").select_option("Sales forecasting")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("status")).to_contain_text("2 products for Sales forecasting")
    expect(page.get_by_role("link", name="Data Doctor")).to_have_count(0)
    assert_accessible(page)

    page.get_by_label("Compare Pipeline Lens").check()
    page.get_by_label("Compare Demand Radar").check()
    page.get_by_role("button", name="Compare selected").click()
    expect(page.get_by_role("heading", name="Compare products")).to_be_visible()
    table = page.get_by_role("table")
    expect(table.get_by_role("columnheader", name="Pipeline Lens")).to_be_visible()
    expect(table.get_by_role("columnheader", name="Demand Radar")).to_be_visible()
    expect(table.locator("tr.differs").first).to_be_visible()
    assert_accessible(page)

    table.get_by_role("link", name="Demand Radar").click()
    expect(page.get_by_role("heading", name="Demand Radar", level=1)).to_be_visible()
    expect(page.locator("#pricing")).to_contain_text("$250,000.00")
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download product sheet (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == "demand-radar-product-sheet.pdf"
    reader = PdfReader(io.BytesIO(Path(download.path()).read_bytes()))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Demand Radar" in text and "$250,000.00" in text and "$199.00" in text

    db.session.expire_all()
    kinds = [e.kind for e in db.session.scalars(select(Event).order_by(Event.id))]
    assert kinds == ["products_compared", "product_viewed", "sheet_downloaded"]
