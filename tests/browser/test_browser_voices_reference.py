"""A prospect filters testimonials and asks for a reference; a seller proposes a customer;
the customer accepts; both introduction e-mails are in the outbox."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from portal.extensions import db
from portal.mail import read_outbox
from portal.models import User
from tests.conftest import PASSWORD
from tests.factories import (
    make_paid_order,
    make_plan,
    make_product,
    make_reference_profile,
    make_testimonial,
)


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert").first).to_contain_text(f"Signed in as {email}")


def assert_accessible(page: Page) -> None:
    """No axe violations in the page's own content (the shared footer is checked elsewhere)."""
    results = Axe().run(page, context={"exclude": [["footer"]]})
    assert results.violations_count == 0, results.generate_report()


def test_prospect_asks_seller_proposes_customer_accepts(
    page: Page, browser: Browser, live_server, app, make_user
):
    base = live_server.url
    riley = make_user(email="riley@harborline.example", name="Riley Reference", company="Harbor")
    author = make_user(email="morgan@brightcart.example", name="Morgan Shop", company="BrightCart")
    make_user(role="seller", email="sam@northwind.example", name="Sam Seller")
    make_user(email="pat@globex.example", name="Pat Prospect", company="Globex")
    with app.app_context():
        product = make_product(slug="pipeline-lens", name="Pipeline Lens")
        plan = make_plan(product)
        riley_row, author_row = db.session.get(User, riley.id), db.session.get(User, author.id)
        for user in (riley_row, author_row):
            make_paid_order(user, plan)
        make_testimonial(product, riley_row, title="Forecast calls got short", industry="logistics")
        make_testimonial(
            product, author_row, title="Great for a small shop", industry="retail", rating=4
        )
        make_reference_profile(riley_row, industry="logistics", company_size="201-1000")
        db.session.commit()

    # The prospect reads testimonials, filters them, and asks to talk to a customer.
    sign_in(page, base, "pat@globex.example")
    page.goto(f"{base}/products/pipeline-lens/testimonials")
    expect(page.get_by_role("heading", name="Forecast calls got short")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Industry", exact=True).select_option("retail")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("heading", name="Great for a small shop")).to_be_visible()
    expect(page.get_by_role("heading", name="Forecast calls got short")).to_have_count(0)

    talk = page.get_by_role("region", name="Talk to a customer like you")
    talk.get_by_label("Your industry").select_option("logistics")
    talk.get_by_label("Your company size").select_option("201-1000")
    talk.get_by_label("Onboarding and rollout").check()
    talk.get_by_label("What do you want to learn?").fill(
        "How long until your reps trusted the stalled-deal alerts?"
    )
    talk.get_by_role("button", name="Ask for an introduction").click()
    expect(page.get_by_role("alert").first).to_contain_text("Request sent")
    expect(page.get_by_text("Looking for a customer")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("riley@harborline.example")

    # The seller sees the request with Riley ranked first and proposes the introduction.
    seller = browser.new_page()
    sign_in(seller, base, "sam@northwind.example")
    seller.get_by_role("button", name="Selling").click()
    seller.get_by_role("link", name="Reference requests").click()
    request_card = seller.get_by_role("article", name="Pat Prospect at Globex — Pipeline Lens")
    expect(request_card).to_contain_text("Strong fit")
    assert_accessible(seller)
    expect(request_card.get_by_label("Riley Reference", exact=False)).to_be_checked()
    request_card.get_by_label("Note to the customer").fill("You did the same rollout last year.")
    request_card.get_by_role("button", name="Propose introduction").click()
    expect(seller.get_by_role("alert").first).to_contain_text("Asked Riley Reference")

    # The customer accepts in their account area.
    customer = browser.new_page()
    sign_in(customer, base, "riley@harborline.example")
    customer.goto(f"{base}/account/references")
    waiting = customer.get_by_role("article", name="A prospect evaluating Pipeline Lens")
    expect(waiting).to_contain_text("How long until your reps trusted the stalled-deal alerts?")
    expect(waiting).to_contain_text("You did the same rollout last year.")
    assert_accessible(customer)
    waiting.get_by_role("button", name="Accept introduction").click()
    expect(customer.get_by_role("alert").first).to_contain_text("We've e-mailed you and Pat")

    # Both introduction e-mails are in the outbox, each with the other's contact details.
    mails = read_outbox(app.config["MAIL_OUTBOX"])
    intros = {m["To"]: m for m in mails if "Introduction" in m["Subject"] or "Meet" in m["Subject"]}
    assert set(intros) == {"pat@globex.example", "riley@harborline.example"}
    to_pat = intros["pat@globex.example"].get_body(("plain",)).get_content()
    to_riley = intros["riley@harborline.example"].get_body(("plain",)).get_content()
    assert "riley@harborline.example" in to_pat
    assert "pat@globex.example" in to_riley

    page.reload()
    expect(page.get_by_text("Introduced", exact=True)).to_be_visible()
    expect(page.locator("main")).to_contain_text("riley@harborline.example")
    seller.close()
    customer.close()
