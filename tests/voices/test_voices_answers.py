"""The best answer first: the asker accepts one answer, signed-in readers mark answers helpful
once (and take it back), and the list of questions shows the answers inline in that order.
The expected order is worked out in plain Python from the marks given here."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from portal.models import Answer, AnswerHelpfulVote, Question
from tests.voices.conftest import visible_text

URL = "/products/pipeline-lens/questions"
BODIES = ("First answer: map each stage.", "Second answer: use the API.", "Third: ask support.")


def _thread(db, buyer_client, make_customer, login_client, product):
    """A question by the buyer and three customer answers, a day apart (oldest first)."""
    buyer_client.post(URL, data={"title": "Does it work with custom HubSpot stages?"})
    question = db.session.scalar(select(Question))
    customers = [login_client(make_customer(product)) for _ in BODIES]
    for client, body in zip(customers, BODIES, strict=True):
        assert client.post(f"{URL}/{question.id}/answers", data={"body": body}).status_code == 303
    answers = db.session.scalars(select(Answer).order_by(Answer.id)).all()
    start = datetime(2026, 11, 1, tzinfo=UTC)
    for n, answer in enumerate(answers):
        answer.created_at = start + timedelta(days=n)
    db.session.commit()
    return question, answers, customers


def _order_on(page: str) -> list[str]:
    return [b for b in re.findall(r"(First answer|Second answer|Third)", page)]


def _expected_order(answers, accepted_id, helpful_marks) -> list[str]:
    """Accepted first, then most helpful marks, then oldest: plain Python over the inputs."""
    counts = {a.id: sum(1 for answer_id in helpful_marks if answer_id == a.id) for a in answers}
    ranked = sorted(answers, key=lambda a: (a.id != accepted_id, -counts[a.id], a.created_at))
    names = {BODIES[0]: "First answer", BODIES[1]: "Second answer", BODIES[2]: "Third"}
    return [names[a.body] for a in ranked]


def test_helpful_marks_and_the_askers_accept_put_the_best_answer_first(
    db, client, buyer_client, seller_client, make_customer, login_client, product
):
    question, answers, customers = _thread(db, buyer_client, make_customer, login_client, product)
    first, second, third = answers
    base = f"{URL}/{question.id}/answers"
    assert _order_on(client.get(URL).text) == ["First answer", "Second answer", "Third"]

    # Readers mark the third answer helpful twice, the second once; a double mark counts once.
    marks = []
    for reader, answer in ((seller_client, third), (customers[0], third), (buyer_client, second)):
        assert reader.post(f"{base}/{answer.id}/helpful").status_code == 303
        marks.append(answer.id)
    assert seller_client.post(f"{base}/{third.id}/helpful").status_code == 303
    assert db.session.scalar(select(Answer.helpful_count).where(Answer.id == third.id)) == 2
    expected = _expected_order(answers, None, marks)
    assert expected == ["Third", "Second answer", "First answer"]
    assert _order_on(client.get(URL).text) == expected
    assert _order_on(client.get(f"{URL}/{question.id}").text) == expected

    # One's own answer cannot be marked; a mark can be taken back.
    own = customers[2].post(f"{base}/{third.id}/helpful", follow_redirects=True)
    assert "can't mark your own answer" in visible_text(own.text)
    customers[0].post(f"{base}/{third.id}/helpful", data={"helpful": "0"})
    marks.remove(third.id)
    assert db.session.scalar(select(Answer.helpful_count).where(Answer.id == third.id)) == 1

    # Only the asker accepts; accepting another answer moves the pick.
    assert seller_client.post(f"{base}/{first.id}/accept").status_code == 403
    assert buyer_client.post(f"{base}/{second.id}/accept").status_code == 303
    assert buyer_client.post(f"{base}/{first.id}/accept").status_code == 303
    accepted = db.session.scalars(select(Answer.id).where(Answer.is_accepted)).all()
    assert accepted == [first.id]
    expected = _expected_order(answers, first.id, marks)
    assert expected[0] == "First answer"
    page = client.get(f"{URL}/{question.id}").text
    assert _order_on(page) == expected
    assert "Accepted by the person who asked" in visible_text(page)
    assert _order_on(client.get(URL).text) == expected

    # The asker can take the accept back: order falls back to helpful marks.
    buyer_client.post(f"{base}/{first.id}/accept", data={"accepted": "0"})
    assert _order_on(client.get(URL).text) == _expected_order(answers, None, marks)


def test_buttons_need_sign_in_csrf_and_a_visible_answer_of_this_question(
    db, client, buyer_client, seller_client, make_customer, login_client, product
):
    question, answers, _ = _thread(db, buyer_client, make_customer, login_client, product)
    base = f"{URL}/{question.id}/answers/{answers[0].id}"
    assert client.post(f"{base}/helpful").status_code == 302  # to login
    assert seller_client.post(f"{base}/helpful", csrf=False).status_code == 400
    assert buyer_client.post(f"{base}/accept", csrf=False).status_code == 400
    assert db.session.scalar(select(AnswerHelpfulVote)) is None

    other = f"{URL}/{question.id + 1}/answers/{answers[0].id}"
    assert seller_client.post(f"{other}/helpful").status_code == 404
    assert (
        buyer_client.post(f"/products/nope/questions/{question.id}/answers/1/accept").status_code
        == 404
    )
    seller_client.post(f"/seller/moderation/answer/{answers[0].id}/hide", data={"reason": "Spam"})
    assert buyer_client.post(f"{base}/accept").status_code == 404
    assert seller_client.post(f"{base}/helpful").status_code == 404
    listed = client.get(URL).text
    assert BODIES[0] not in listed and "2 answers" in listed


def test_the_list_shows_a_few_answers_inline_and_links_the_rest(
    db, client, buyer_client, make_customer, login_client, product
):
    from portal.voices import answers as answers_service

    question, answers, _ = _thread(db, buyer_client, make_customer, login_client, product)
    extra = login_client(make_customer(product))
    extra.post(f"{URL}/{question.id}/answers", data={"body": "Fourth answer: it just works."})
    page = visible_text(client.get(URL).text)
    assert answers_service.INLINE_ANSWERS == 3
    assert "See all 4 answers" in page
    assert "Fourth answer" not in page  # the newest, with no marks, is past the first three
