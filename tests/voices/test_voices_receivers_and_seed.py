"""Erasure and export of a person's voices data, and the demo seed."""

import json

import pytest
from sqlalchemy import func, select

from portal import models
from portal.journey.services import erase_user
from portal.models import (
    Answer,
    HelpfulVote,
    Order,
    Product,
    Question,
    ReferenceProfile,
    ReferenceRequest,
    User,
)
from portal.voices import customers as voices_customers
from portal.voices import introductions, questions, references, testimonials
from portal.voices.seed import seed_voices
from tests.factories import make_plan, make_product, make_reference_profile, make_testimonial
from tests.voices.conftest import PASSWORD, get_user


def count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_erasure_removes_or_anonymises_everything_voices_holds(
    db, make_user, make_customer, product
):
    customer = get_user(
        make_customer(product, name="Riley Reference", email="riley@harborline.example").id
    )
    voter_id = make_user(email="val@voter.example").id
    other_id = make_customer(product, email="olly@other.example").id
    asker_id = make_user(email="ash@asker.example").id
    seller = get_user(make_user(role="seller").id)
    voter, other, asker = get_user(voter_id), get_user(other_id), get_user(asker_id)

    own = make_testimonial(product, customer)
    others = make_testimonial(product, other)
    testimonials.vote_helpful(voter, own.id)
    testimonials.vote_helpful(customer, others.id)
    make_reference_profile(customer)
    proposed = references.request_reference(
        asker, product, industry="retail", company_size="1-50", role="", topics=[],
        message="What did the rollout look like?",
    )  # fmt: skip
    introductions.propose_reference(seller, proposed.id, customer.id)
    mine = references.request_reference(
        customer, make_product(), industry="retail", company_size="1-50", role="", topics=[],
        message="A request of my own, for another product",
    )  # fmt: skip
    question = questions.ask_question(asker, product, title="What about onboarding?", body="")
    answered = questions.ask_question(customer, product, title="Does it export to CSV?", body="")
    unanswered = questions.ask_question(
        customer, product, title="Anyone on the EU region?", body=""
    )
    questions.answer_question(other, answered.id, "Yes, every table exports as CSV.")
    questions.answer_question(customer, question.id, "Two weeks for our team of twelve.")
    db.session.commit()
    ids = {"answered": answered.id, "unanswered": unanswered.id, "mine": mine.id}

    erase_user(customer)
    db.session.commit()

    assert db.session.get(User, customer.id) is None
    assert testimonials.own_testimonial(customer.id, product.id) is None
    assert count(db, HelpfulVote) == 0  # votes on their testimonial and votes they cast
    db.session.refresh(others)
    assert others.helpful_count == 0
    assert count(db, ReferenceProfile) == 0
    assert db.session.get(ReferenceRequest, ids["mine"]) is None
    db.session.refresh(proposed)
    assert (proposed.status, proposed.reference_id) == ("declined", None)
    # Threads stay useful but anonymous; a question nobody answered goes.
    assert db.session.get(Question, ids["unanswered"]) is None
    assert db.session.get(Question, ids["answered"]).author_id is None
    theirs = db.session.scalar(select(Answer).where(Answer.question_id == question.id))
    assert (theirs.author_id, theirs.display_name) == (None, "")
    # Their orders stay for the books (commerce's rule), without the person.
    assert count(db, Order, Order.user_id == customer.id) == 0


def test_export_contains_the_persons_voices(db, make_customer, auth, client, product):
    customer = make_customer(product, email="riley@harborline.example")
    user = get_user(customer.id)
    make_testimonial(product, user, title="My own words", status="rejected", rejection_reason="X")
    make_reference_profile(user, availability="Fridays")
    questions.ask_question(user, product, title="Can I ask this here?", body="")
    db.session.commit()
    auth.login(customer.email, PASSWORD)
    data = json.loads(client.get("/account/data").data)
    voices = data["voices"]
    assert voices["testimonials"][0]["title"] == "My own words"
    assert voices["testimonials"][0]["rejection_reason"] == "X"
    assert voices["reference_profile"]["availability"] == "Fridays"
    assert voices["questions"][0]["title"] == "Can I ask this here?"


def _demo_catalog(db):
    for slug in ("pipeline-lens", "data-doctor", "demand-radar", "segment-studio"):
        product = make_product(slug=slug, name=slug.replace("-", " ").title())
        make_plan(product, billing="one_time", unit_amount=1_000_000, per_seat=False)
        make_plan(product, billing="monthly", min_quantity=2, max_quantity=20)
    db.session.commit()


def test_seed_skips_without_the_catalog(db):
    lines = seed_voices()
    assert "catalog is missing" in lines[0]
    assert count(db, models.Testimonial) == 0


def test_seed_is_realistic_and_idempotent(app, db):
    from portal.auth.seed import seed_users

    seed_users()
    _demo_catalog(db)
    first = seed_voices()
    db.session.commit()
    approved = db.session.scalars(
        select(models.Testimonial).where(models.Testimonial.status == "approved")
    ).all()
    assert len(approved) >= 20
    assert {t.product.slug for t in approved} == {
        "pipeline-lens",
        "data-doctor",
        "demand-radar",
        "segment-studio",
    }
    assert len({t.industry for t in approved}) >= 6
    assert len({t.company_size for t in approved}) >= 4
    assert {t.rating for t in approved} >= {2, 3, 4, 5}
    assert any(not t.is_verified and t.source_note for t in approved)
    # Every verified testimonial is backed by a paid order of its author for its product.
    for t in approved:
        if t.is_verified:
            assert voices_customers.verified_purchase(t.author_id, t.product_id) is not None
            assert t.helpful_count == count(db, HelpfulVote, HelpfulVote.testimonial_id == t.id)
    # Demo customers have .example company domains; orders use the recurring plan.
    customers = db.session.scalars(select(User).where(User.email.like("%harborline%"))).all()
    assert customers and all(u.email.endswith(".example") for u in customers)
    assert count(db, ReferenceProfile, ReferenceProfile.is_active.is_(True)) >= 5
    answered = db.session.scalars(select(Question).where(Question.answers.any())).all()
    assert len(answered) >= 3
    casey = db.session.scalar(select(User).where(User.email == "customer@acme.example"))
    waiting, _accepted = references.introductions_for(casey.id)
    assert len(waiting) == 1
    assert count(db, models.Testimonial, models.Testimonial.status == "pending") >= 1
    # The reviews have depth: sub-ratings, recommend, pros, cons and a use case; some
    # carry the vendor's published reply; the first question has an accepted answer.
    verified = [t for t in approved if t.is_verified]
    for t in verified:
        assert None not in (t.ease_of_use, t.support_rating, t.value_rating, t.recommend)
        assert t.pros and t.cons and t.use_case
    assert {t.recommend for t in verified} & {0, 1, 2, 3, 4, 5, 6}  # detractors too
    replies = db.session.scalars(select(models.VendorReply)).all()
    assert len(replies) >= 3 and all(r.status == "approved" for r in replies)
    assert min(r.testimonial.rating for r in replies) <= 3  # answering the critical ones
    assert count(db, Answer, Answer.is_accepted.is_(True)) == 1

    totals = {
        model: count(db, model)
        for model in (
            models.Testimonial,
            Order,
            ReferenceRequest,
            Question,
            Answer,
            HelpfulVote,
            models.VendorReply,
        )
    }
    second = seed_voices()
    db.session.commit()
    assert {model: count(db, model) for model in totals} == totals
    assert "0 testimonials" in second[0] and first != second
    assert "0 reviews given sub-ratings, pros and cons, 0 vendor replies" in second[0]


@pytest.mark.seeded_demo
def test_seed_demo_includes_the_voices(db, seed_demo_output):
    assert "Trusted voices" in seed_demo_output
    assert count(db, Product) == 4
    assert count(db, models.Testimonial, models.Testimonial.status == "approved") >= 20
