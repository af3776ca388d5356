"""Signing up in the browser: the form, then the link from the outbox and the same password."""

import time

from playwright.sync_api import Page, expect

from tests.conftest import confirmation_link


def confirm_sign_up(page: Page, app, email: str, password: str) -> None:
    """After "Create account": follow the mailed link and confirm with ``password``."""
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    link = None
    for _ in range(100):  # the mail is written just after the page was sent
        link = confirmation_link(app, email)
        if link:
            break
        time.sleep(0.05)
    assert link, f"no confirmation mail to {email}"
    page.goto(link)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Confirm and sign in").click()
