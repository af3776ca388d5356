"""A person signs up, accepts tracking, signs out and in again, and mistypes a password."""

from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal.models import Event, User
from tests.browser.signup import confirm_sign_up


def test_signup_consent_logout_login_and_wrong_password(page: Page, live_server, app, db):
    base = live_server.url
    page.goto(f"{base}/signup")
    page.get_by_label("Your name").fill("Robin Buyer")
    page.get_by_label("Work e-mail").fill("robin@acme.example")
    page.get_by_label("Company").fill("Acme")
    page.get_by_label("Password").fill("a-good-long-passphrase")
    page.get_by_role("button", name="Create account").click()
    confirm_sign_up(page, app, "robin@acme.example", "a-good-long-passphrase")
    expect(page.get_by_role("alert").first).to_contain_text("Welcome to Testdrive, Robin Buyer")

    banner = page.get_by_role("region", name="Tracking consent")
    expect(banner.get_by_role("button", name="Accept")).to_be_visible()
    expect(banner.get_by_role("button", name="Decline")).to_be_visible()
    banner.get_by_role("button", name="Accept").click()
    expect(page.get_by_role("region", name="Tracking consent")).to_have_count(0)
    expect(page.locator("footer")).to_contain_text("tracking on")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("alert").first).to_contain_text("You are signed out")

    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("E-mail").fill("robin@acme.example")
    page.get_by_label("Password").fill("a-good-long-passphrase")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert").first).to_contain_text("Signed in as robin@acme.example")

    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill("robin@acme.example")
    page.get_by_label("Password").fill("not-my-password")
    page.get_by_role("button", name="Sign in").click()
    error = page.locator("#password-error")
    expect(error).to_have_text("That e-mail and password do not match an account.")
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")

    user = db.session.scalar(select(User).where(User.email == "robin@acme.example"))
    assert user.tracking_consent is True
    kinds = [e.kind for e in db.session.scalars(select(Event).order_by(Event.id))]
    assert kinds == ["logged_in"]  # sign-up happened before consent, so it was not recorded
