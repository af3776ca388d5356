"""Accepting tracking posts the consent form and reloads the page: wait for the new page."""

from playwright.sync_api import Page, expect


def accept_tracking(page: Page) -> None:
    page.get_by_role("region", name="Tracking consent").get_by_role("button", name="Accept").click()
    expect(page.get_by_role("region", name="Tracking consent")).to_have_count(0)
    expect(page.locator("footer")).to_contain_text("tracking on")
