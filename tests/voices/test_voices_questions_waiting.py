"""Questions that wait: one seller alert after three days unanswered, the sellers' list with
ages, "typically answered within N days" from the measured median, and the rating histogram
as a filter."""

from __future__ import annotations

import math
import statistics
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from portal.models import Answer, Notification, Question
from portal.pipeline.due_alerts import raise_due_alerts
from tests.factories import make_testimonial
from tests.voices.conftest import get_user


def _question(product, author, title, days_ago, answers_after_days=()):
    from portal.extensions import db

    asked = datetime.now(UTC) - timedelta(days=days_ago)
    question = Question(product_id=product.id, author_id=author.id, title=title, created_at=asked)
    db.session.add(question)
    db.session.flush()
    for n, after in enumerate(answers_after_days):
        db.session.add(
            Answer(
                question_id=question.id,
                author_kind="seller",
                body=f"Answer number {n}",
                created_at=asked + timedelta(days=after),
            )
        )
    db.session.flush()
    return question


def test_a_question_unanswered_for_three_days_raises_exactly_one_alert(
    db, make_user, product, login_client
):
    asker, seller = make_user(), make_user(role="seller")
    old = _question(product, get_user(asker.id), "Does it read Salesforce stages?", 67)
    _question(product, get_user(asker.id), "Is there an API for exports?", 1)
    _question(product, get_user(asker.id), "Answered long ago, fine?", 10, [0.5])
    db.session.commit()
    assert raise_due_alerts() >= 1
    db.session.commit()
    assert raise_due_alerts() == 0  # the next run raises nothing new
    db.session.commit()
    notes = db.session.scalars(select(Notification).where(Notification.kind == "question")).all()
    assert [(n.user_id, n.once_key) for n in notes] == [(seller.id, f"question:{old.id}")]
    assert "waited 67 days" in notes[0].message
    page = login_client(seller).get("/seller/questions").text
    assert "Does it read Salesforce stages?" in page and "67 days ago" in page
    assert "Is there an API for exports?" in page
    assert "Answered long ago" not in page
    assert login_client(asker).get("/seller/questions").status_code == 403


def test_typically_answered_within_the_median(db, make_user, product, client):
    asker = make_user()
    delays = [0.4, 2.5, 3.2, 6.0]  # first answers after these days
    for n, delay in enumerate(delays):
        _question(product, get_user(asker.id), f"Question number {n}?", 20, [delay, delay + 1])
    _question(product, get_user(asker.id), "Still waiting?", 30)
    db.session.commit()
    expected = max(1, math.ceil(statistics.median(delays)))  # plain Python: 3
    assert expected == 3
    page = client.get(f"/products/{product.slug}/questions").text
    assert f"Typically answered within {expected} days." in page
    assert (
        f"typically answered within {expected} days" in client.get(f"/products/{product.slug}").text
    )


def test_the_rating_histogram_filters_on_click(db, make_user, make_customer, product, client):
    five, three = make_customer(product), make_customer(product)
    make_testimonial(product, get_user(five.id), title="Five stars here", rating=5)
    make_testimonial(product, get_user(three.id), title="Three stars there", rating=3)
    db.session.commit()
    page = client.get(f"/products/{product.slug}").text
    link = f"/products/{product.slug}/testimonials?rating=3"
    assert f'href="{link}"' in page
    filtered = client.get(link).text
    assert "Three stars there" in filtered and "Five stars here" not in filtered
