"""Co-creation in a real browser: a prospect posts an idea, a customer votes, the team merges
a duplicate into it and plans it, each voter gets one e-mail, and the listening view shows
the open pipeline behind the idea (checked in plain Python over the deals made here)."""

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from portal.extensions import db
from portal.ideas import ideas as idea_service
from portal.ideas import votes
from portal.journey.services import Actor
from portal.mail import read_outbox
from portal.models import Idea, User
from tests.browser.test_browser_voices_reference import assert_accessible, sign_in
from tests.factories import make_paid_order, make_plan, make_product, record

# The open deals' quotes, net of tax (cents, USD): account domain -> value.
QUOTES = {"initech.example": 1_200_000_00, "globex.example": 240_000_00}
TITLE = "Single sign-on with Okta and Azure AD"


def _quote(user: User, net: int, quote_id: int) -> None:
    record(user, "quote_requested", quote_id=quote_id, number=f"Q-{quote_id}", amount=net,
           net=net, currency="USD")  # fmt: skip


def test_post_vote_merge_plan_and_listen(page: Page, browser: Browser, live_server, app, make_user):
    base = live_server.url
    pat = make_user(email="pat@globex.example", name="Pat Prospect")
    lee = make_user(email="lee@initech.example", name="Lee Prospect")
    casey = make_user(email="casey@acme.example", name="Casey Customer")
    make_user(role="seller", email="sam@northwind.example", name="Sam Seller")
    with app.app_context():
        product = make_product(slug="pipeline-lens", name="Pipeline Lens")
        make_paid_order(db.session.get(User, casey.id), make_plan(product))
        for n, user in enumerate((lee, pat), start=1):
            _quote(db.session.get(User, user.id), QUOTES[user.email.split("@")[1]], n)
        duplicate = idea_service.post_idea(
            db.session.get(User, lee.id), title="Log in with our company SSO"
        )
        db.session.flush()
        votes.vote(
            db.session.get(User, lee.id),
            duplicate.id,
            Actor(user_id=lee.id, account_id=lee.account_id),
        )
        db.session.commit()
        duplicate_id = duplicate.id

    # A prospect posts an idea.
    sign_in(page, base, "pat@globex.example")
    page.goto(f"{base}/ideas")
    form = page.get_by_role("region", name="Post an idea")
    form.get_by_label("Your idea in a sentence").fill(TITLE)
    form.get_by_label("Why it matters to you").fill("Our IT team **requires** SSO.")
    form.get_by_label("Product", exact=True).select_option(label="Pipeline Lens")
    form.get_by_role("button", name="Post idea").click()
    expect(page.get_by_role("alert").first).to_contain_text("Idea posted")
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    assert_accessible(page)
    with app.app_context():
        idea_id = db.session.scalar(select(Idea.id).where(Idea.title == TITLE))

    # A customer votes; the count says who the votes come from.
    customer = browser.new_page()
    sign_in(customer, base, "casey@acme.example")
    customer.goto(f"{base}/ideas?sort=newest")
    customer.get_by_role("button", name=f"Vote for {TITLE}").click()
    expect(customer.get_by_role("alert").first).to_contain_text("Vote counted")
    expect(customer.get_by_text("1 vote · 1 from customers")).to_be_visible()
    assert_accessible(customer)

    # The team merges the duplicate into it and plans it.
    seller = browser.new_page()
    sign_in(seller, base, "sam@northwind.example")
    seller.goto(f"{base}/ideas/{duplicate_id}")
    seller.get_by_label("Merge into idea number").fill(str(idea_id))
    seller.get_by_role("button", name="Merge").click()
    expect(seller.get_by_role("alert").first).to_contain_text("Merged into")
    expect(seller.locator("#idea-votes")).to_have_text("2 votes · 1 from customers")
    seller.get_by_label("Status", exact=True).select_option(label="Planned")
    seller.get_by_label("Public note").fill("SAML and OIDC sign-in ship in Q1.")
    seller.get_by_role("button", name="Save status").click()
    expect(seller.get_by_role("alert").first).to_contain_text("Status set to Planned")
    expect(seller.locator("#idea-status")).to_have_text("Planned")
    assert_accessible(seller)

    # Each voter (and the author) finds exactly one e-mail.
    mails = read_outbox(app.config["MAIL_OUTBOX"])
    per_person = {}
    for mail in mails:
        per_person.setdefault(mail["To"], []).append(mail)
    for voter in ("casey@acme.example", "lee@initech.example"):
        assert len(per_person[voter]) == 1, voter
        text = per_person[voter][0].get_body(("plain",)).get_content()
        assert "is now planned" in text and "SAML and OIDC sign-in ship in Q1." in text
    assert "merged into" in per_person["lee@initech.example"][0].get_body(("plain",)).get_content()

    # The listening view shows the open pipeline behind the idea: the voters' open deals.
    voters_domains = {"initech.example"}  # Casey's deal is a customer's (won), Pat only posted
    expected = sum(QUOTES[d] for d in voters_domains)
    seller.goto(f"{base}/seller/listening")
    row = seller.locator("tr.idea-demand", has_text=TITLE)
    expect(row).to_contain_text(f"${expected / 100:,.2f} of open pipeline voted for {TITLE}")
    assert_accessible(seller)


def test_review_in_depth_vendor_reply_histogram_and_waiting_question(
    page: Page, browser: Browser, live_server, app, make_user
):
    from datetime import UTC, datetime, timedelta

    from portal.models import Notification, Question
    from portal.pipeline.due_alerts import raise_due_alerts
    from tests.factories import make_testimonial

    base = live_server.url
    casey = make_user(email="casey@acme.example", name="Casey Customer")
    robin = make_user(email="robin@brightcart.example", name="Robin Shop")
    pat = make_user(email="pat@globex.example", name="Pat Prospect")
    seller_user = make_user(role="seller", email="sam@northwind.example", name="Sam Seller")
    with app.app_context():
        product = make_product(slug="pipeline-lens", name="Pipeline Lens")
        plan = make_plan(product)
        for user in (casey, robin):
            make_paid_order(db.session.get(User, user.id), plan)
        make_testimonial(product, db.session.get(User, robin.id), title="Good, not great", rating=3)
        asked = datetime.now(UTC) - timedelta(days=5)
        db.session.add(
            Question(
                product_id=product.id,
                author_id=pat.id,
                title="Does it read custom Salesforce stages?",
                created_at=asked,
            )
        )
        db.session.commit()

    # A customer writes a review in depth.
    sign_in(page, base, "casey@acme.example")
    page.goto(f"{base}/products/pipeline-lens/testimonials/write")
    page.get_by_label("5 stars").check()
    page.get_by_label("Headline").fill("Forecast calls got short")
    page.get_by_label("Your experience").fill(
        "We stopped arguing about gut feelings in the Monday forecast call within a month."
    )
    page.get_by_label("Ease of use").select_option("5")
    page.get_by_label("Quality of support").select_option("4")
    page.get_by_label("Value for money").select_option("4")
    page.get_by_label("How likely are you to recommend it to a peer?").select_option("9")
    page.get_by_label("What you like").fill("Set up in a day; reps trust the numbers.")
    page.get_by_label("What could be better").fill("Exports to Excel are clumsy.")
    page.get_by_label("Your role").fill("VP Sales")
    page.get_by_label("Industry", exact=True).select_option("logistics")
    page.get_by_label("Company size", exact=True).select_option("201-1000")
    page.get_by_role("button", name="Send for review").click()
    expect(page.get_by_role("alert").first).to_contain_text("with our moderators")

    # The team approves it, replies in public, and the reply is moderated too.
    seller = browser.new_page()
    sign_in(seller, base, "sam@northwind.example")
    seller.goto(f"{base}/seller/moderation")
    seller.get_by_role("button", name="Approve “Forecast calls got short”").click()
    seller.goto(f"{base}/products/pipeline-lens/testimonials")
    card = seller.locator("article", has_text="Forecast calls got short")
    card.get_by_text("Reply publicly").click()
    card.get_by_label("Public reply from the team").fill(
        "Thank you, Casey! Better exports ship in Q1."
    )
    card.get_by_role("button", name="Send reply for moderation").click()
    expect(seller.get_by_role("alert").first).to_contain_text("once a moderator approves")
    seller.goto(f"{base}/seller/moderation")
    seller.get_by_role("button", name="Publish reply to Forecast calls got short").click()
    expect(seller.get_by_role("alert").first).to_contain_text("Reply published")

    page.goto(f"{base}/products/pipeline-lens/testimonials")
    review = page.locator("article", has_text="Forecast calls got short")
    expect(review).to_contain_text("Pros: Set up in a day")
    expect(review).to_contain_text("Cons: Exports to Excel are clumsy.")
    expect(review).to_contain_text("Ease of use")
    reply = review.get_by_role("complementary", name="Reply from")
    expect(reply).to_contain_text("Better exports ship in Q1.")
    expect(page.locator(".nps")).to_contain_text("NPS 100 (1 answer)")  # one promoter (9)
    assert_accessible(page)

    # The rating histogram filters on click.
    page.goto(f"{base}/products/pipeline-lens")
    page.get_by_role("link", name="Show the 3-star testimonials").click()
    expect(page.get_by_role("heading", name="Good, not great")).to_be_visible()
    expect(page.get_by_role("heading", name="Forecast calls got short")).to_have_count(0)

    # The old unanswered question raises exactly one seller alert, however often the job runs.
    with app.app_context():
        raise_due_alerts()
        db.session.commit()
        raise_due_alerts()
        db.session.commit()
        notes = db.session.scalars(
            select(Notification).where(Notification.user_id == seller_user.id)
        ).all()
        question_notes = [n for n in notes if n.kind == "question"]
        assert len(question_notes) == 1
    seller.goto(f"{base}/seller/questions")
    expect(seller.locator("tr.unanswered")).to_contain_text(
        "Does it read custom Salesforce stages?"
    )
    expect(seller.locator("tr.unanswered")).to_contain_text("5 days ago")
