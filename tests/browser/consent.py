"""Answering the tracking banner posts the consent form and reloads the page: wait for it."""

from playwright.sync_api import Page, expect


def accept_tracking(page: Page) -> None:
    _answer(page, "Accept", "tracking on")


def decline_tracking(page: Page) -> None:
    _answer(page, "Decline", "tracking off")


def _answer(page: Page, button: str, footer: str) -> None:
    page.get_by_role("region", name="Tracking consent").get_by_role("button", name=button).click()
    expect(page.get_by_role("region", name="Tracking consent")).to_have_count(0)
    expect(page.locator("footer")).to_contain_text(footer)
