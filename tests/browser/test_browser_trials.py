"""A prospect tries a product on their own file: upload, correct a mapping, run, see a chart
drawn, download the CSV, delete the data. Then the trial pages pass axe."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from portal.extensions import db as _db
from portal.models import TrialDataset
from portal.trials.sandbox_gateway import close_queue
from tests.browser.consent import accept_tracking
from tests.factories import make_plan, make_product

# "Zahl" (German for "number") names no field: the engine cannot guess it, the person maps it.
DEALS = (
    "Deal,Phase,Zahl,Opened,Closed,Result,Rep\n"
    "D1,Lead,1000,2024-01-02,,open,Ann\n"
    "D2,Proposal,2500,2024-01-05,,open,Bob\n"
    "D3,Closed Won,4000,2024-01-03,2024-02-01,won,Ann\n"
    "D4,Closed Lost,1500,2024-01-04,2024-02-11,lost,Bob\n"
    "D5,Closed Won,3000,2024-01-08,2024-03-01,won,Ann\n"
    "D6,Demo,800,2024-02-01,,open,Cid\n"
)

PAINTED_PIXELS = """(canvas) => {
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted++;
  return painted;
}"""


@pytest.fixture
def product(app):
    app.config.update(SANDBOX_RUN_SECONDS=30, SANDBOX_WORKERS=1)
    with app.app_context():
        lens = make_product(slug="pipeline-lens", name="Pipeline Lens", recipe="pipeline_lens")
        make_plan(lens, name="Team")
        _db.session.commit()
    yield "pipeline-lens"
    close_queue(app)


def serious_violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


def test_try_upload_map_run_chart_download_delete(
    page: Page, live_server, app, product, tmp_path: Path
):
    base = live_server.url
    page.goto(f"{base}/try/{product}")
    expect(page.locator("#device-note")).to_contain_text("kept privately for this browser")
    assert serious_violations(page) == []
    accept_tracking(page)
    expect(page.get_by_role("heading", name="Upload your file")).to_be_visible()

    # The browser refuses a file over the limit before sending it.
    app.config["SANDBOX_MAX_UPLOAD_BYTES"] = 100
    page.reload()
    big = tmp_path / "big.csv"
    big.write_text(DEALS)
    page.get_by_label("Your file", exact=True).set_input_files(str(big))
    expect(page.locator("#upload-client-error")).to_contain_text("larger than 100 bytes")
    app.config["SANDBOX_MAX_UPLOAD_BYTES"] = 10 * 1024 * 1024
    page.reload()

    deals = tmp_path / "deals.csv"
    deals.write_text(DEALS)
    page.get_by_label("Your file", exact=True).set_input_files(str(deals))
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_role("heading", name="Check your data")).to_be_visible()
    expect(page.get_by_role("region", name="First 6 rows")).to_contain_text("Zahl")
    assert serious_violations(page) == []

    amount = page.get_by_label("Amount", exact=True)
    expect(amount).to_have_value("")  # nothing suggested: the person maps it
    expect(page.get_by_label("Stage", exact=True)).to_have_value("Phase")  # suggestion preselected
    amount.select_option("Zahl")
    page.get_by_role("button", name="Run the demo").click()

    expect(page.get_by_role("heading", name="Key figures")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Won deals out of all closed deals")).to_be_visible()
    canvas = page.locator("canvas.trial-chart").first
    expect(canvas).to_be_visible()
    assert canvas.evaluate(PAINTED_PIXELS) > 500
    assert serious_violations(page) == []

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    csv = Path(download.value.path()).read_text(encoding="utf-8")
    assert csv.startswith("KPI,Value,Unit,Explanation")
    assert "Win rate" in csv

    page.get_by_role("link", name="My trials").first.click()
    expect(page.get_by_role("heading", name="deals.csv")).to_be_visible()
    assert serious_violations(page) == []
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete now deals.csv").click()
    expect(page.get_by_role("alert").first).to_contain_text("deleted")
    expect(page.get_by_text("No files yet")).to_be_visible()

    store = Path(app.config["SANDBOX_STORE"])
    assert not [p for p in store.rglob("*") if p.is_file() and "datasets" in p.parts]
    assert not list((store / "runs").iterdir())
    with app.app_context():
        assert _db.session.scalar(select(func.count()).select_from(TrialDataset)) == 0


def test_try_ours_in_one_click_and_failed_run_page_are_accessible(page: Page, live_server, product):
    base = live_server.url
    page.goto(f"{base}/try/{product}")
    accept_tracking(page)
    page.get_by_role("button", name="Try ours").click()
    expect(page.get_by_role("heading", name="Match your columns and run")).to_be_visible()
    # Map the amount to a text column: the run fails with a plain message naming the column.
    page.get_by_label("Amount", exact=True).select_option("owner")
    page.get_by_role("button", name="Run the demo").click()
    expect(page.get_by_role("heading", name="The demo could not finish")).to_be_visible(
        timeout=60_000
    )
    expect(page.get_by_text("Column 'owner' has text in")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_role("link", name="Run again with another mapping").click()
    expect(page.get_by_label("Amount", exact=True)).to_have_value("owner")


DROP_FILE = """(zone, text) => {
  const transfer = new DataTransfer();
  transfer.items.add(new File([text], "dropped.csv", { type: "text/csv" }));
  zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, bubbles: true }));
  zone.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true }));
}"""


def test_drag_and_drop_uploads_the_file(page: Page, live_server, product):
    page.goto(f"{live_server.url}/try/{product}")
    accept_tracking(page)
    # Drop only once trials.js has bound its handlers on the reloaded page.
    zone = page.locator("#dropzone[data-ready='true']")
    expect(zone).to_be_visible()
    zone.evaluate(DROP_FILE, DEALS)
    expect(page.get_by_role("heading", name="Check your data")).to_be_visible()
    expect(page.get_by_text("dropped.csv").first).to_be_visible()
