"""Ratings and answers where people look, in a real browser: the catalog cards show the stars
of verified reviews (or "No reviews yet"), a reader's "helpful" mark moves an answer up in the
list of questions, and the asker's accept puts theirs first with a badge."""

import statistics

from playwright.sync_api import Browser, Page, expect

from portal.extensions import db
from portal.models import User
from portal.voices import questions
from tests.browser.test_browser_voices_reference import assert_accessible, sign_in
from tests.factories import make_paid_order, make_plan, make_product, make_testimonial

RATINGS = (5, 4, 4)
FIRST, SECOND = "Map each stage once; it takes minutes.", "Merge stages that mean the same."


def test_stars_on_cards_helpful_and_accepted_answers(
    page: Page, browser: Browser, live_server, app, make_user
):
    base = live_server.url
    pat = make_user(email="pat@globex.example", name="Pat Prospect")
    lee = make_user(email="lee@initech.example", name="Lee Prospect")
    customers = [make_user(email=f"c{n}@acme{n}.example", name=f"Casey {n}") for n in range(3)]
    with app.app_context():
        product = make_product(slug="pipeline-lens", name="Pipeline Lens")
        make_plan(make_product(slug="demand-radar", name="Demand Radar"))
        plan = make_plan(product)
        people = [db.session.get(User, c.id) for c in customers]
        for person, rating in zip(people, RATINGS, strict=True):
            make_paid_order(person, plan)
            make_testimonial(product, person, rating=rating)
        question = questions.ask_question(
            db.session.get(User, pat.id), product, title="Does it work with custom stages?"
        )
        for person, body in zip(people, (FIRST, SECOND), strict=False):
            questions.answer_question(person, question.id, body)
        db.session.commit()

    page.goto(f"{base}/products")
    card = page.locator(".product-card", has_text="Pipeline Lens")
    average = f"{statistics.mean(RATINGS):.1f}"
    expect(card).to_contain_text(f"{average} ({len(RATINGS)} verified reviews)")
    expect(page.locator(".product-card", has_text="Demand Radar")).to_contain_text("No reviews yet")

    # A reader marks the second answer helpful: it moves above the first, in the list.
    sign_in(page, base, lee.email)
    page.goto(f"{base}/products/pipeline-lens/questions")
    answers = page.locator(".inline-answers .answer")
    expect(answers.first).to_contain_text(FIRST)
    answers.nth(1).get_by_role("button", name="Helpful").click()
    expect(page.get_by_role("alert").first).to_contain_text("marked as helpful")
    expect(answers.first).to_contain_text(SECOND)
    expect(answers.first).to_contain_text("1 person found this helpful")

    # The asker accepts the first answer: it comes first, badged.
    asker = browser.new_page()
    sign_in(asker, base, pat.email)
    asker.goto(f"{base}/products/pipeline-lens/questions")
    mine = asker.locator(".inline-answers .answer", has_text=FIRST)
    mine.get_by_role("button", name="Accept: this answered my question").click()
    first = asker.locator(".inline-answers .answer").first
    expect(first).to_contain_text(FIRST)
    expect(first).to_contain_text("Accepted by the person who asked")
    assert_accessible(asker)
