"""Peer questions and answers: prospects ask, verified customers (badged) and the vendor's
team answer, the asker is notified, sellers hide abuse.
"""

from __future__ import annotations

import math
import statistics
from datetime import UTC, datetime

from sqlalchemy import Select, func, select

from portal.extensions import db
from portal.journey.services import Actor, record_event
from portal.mail import queue_mail
from portal.models import Answer, Product, Question, User
from portal.models.voices import ANSWER_MAX, QUESTION_BODY_MAX, QUESTION_TITLE_MAX, REASON_MAX
from portal.voices.customers import display_name_for, verified_purchase
from portal.voices.errors import NotAllowed, NotFound
from portal.voices.text import clean_text


def visible_questions(product_id: int) -> Select:
    """A select of a product's visible questions, newest first, for paginate."""
    return (
        select(Question)
        .where(Question.product_id == product_id, Question.is_hidden.is_(False))
        .order_by(Question.created_at.desc(), Question.id.desc())
    )


def ask_question(
    author: User, product: Product, *, title: str, body: str = "", actor: Actor | None = None
) -> Question:
    """A prospect asks the product's customers something."""
    question = Question(
        product_id=product.id,
        author_id=author.id,
        title=clean_text(
            title, label="your question", max_len=QUESTION_TITLE_MAX, min_len=10, field="title"
        ),
        body=clean_text(
            body, label="the details", max_len=QUESTION_BODY_MAX, field="body", multiline=True
        ),
    )
    db.session.add(question)
    db.session.flush()
    record_event(actor, "question_asked", product, question_id=question.id)
    return question


def get_question(question_id: int, product_id: int, viewer: User | None) -> Question:
    """A question of the product; hidden ones only for sellers and their author."""
    question = db.session.get(Question, question_id)
    if question is None or question.product_id != product_id:
        raise NotFound("That question does not exist.")
    if question.is_hidden:
        allowed = viewer is not None and (
            viewer.has_role("seller") or viewer.id == question.author_id
        )
        if not allowed:
            raise NotFound("That question does not exist.")
    return question


def can_answer(user: User | None, product_id: int) -> bool:
    return user is not None and (
        user.has_role("seller") or verified_purchase(user.id, product_id) is not None
    )


def answer_question(author: User, question_id: int, body: str) -> Answer:
    """A verified customer (badged) or a seller answers. The caller notifies the asker."""
    question = db.session.get(Question, question_id)
    if question is None or question.is_hidden:
        raise NotFound("That question does not exist.")
    purchased_at = verified_purchase(author.id, question.product_id)
    if author.has_role("seller"):
        kind, name = "seller", author.display_name
    elif purchased_at is not None:
        kind, name = "customer", display_name_for(author, "initial")
    else:
        raise NotAllowed(
            "Answers come from customers who bought this product and from our team, so "
            "prospects can trust them. You can ask a question of your own instead."
        )
    answer = Answer(
        question_id=question.id,
        author_id=author.id,
        author_kind=kind,
        display_name=name,
        purchased_at=purchased_at if kind == "customer" else None,
        body=clean_text(
            body, label="your answer", max_len=ANSWER_MAX, min_len=10, field="body", multiline=True
        ),
    )
    db.session.add(answer)
    db.session.flush()
    return answer


def send_answer_notification(answer: Answer, url: str) -> bool:
    """Tell the asker that someone answered (not when they answered themselves)."""
    question = answer.question
    asker = question.author
    if asker is None or asker.id == answer.author_id or answer.is_hidden:
        return False
    queue_mail(
        asker.email,
        f"New answer to your question about {question.product.name}",
        "answer_posted",
        asker=asker,
        question=question,
        answer=answer,
        url=url,
    )
    return True


def set_hidden(moderator: User, thing: Question | Answer, hidden: bool, reason: str = "") -> None:
    """Hide abusive content (or show it again). Sellers and admins only."""
    if not moderator.has_role("seller"):
        raise NotAllowed("Only the vendor's team can hide content.")
    thing.is_hidden = hidden
    thing.hidden_reason = (
        clean_text(reason, label="the reason", max_len=REASON_MAX, field="reason") if hidden else ""
    )
    db.session.flush()


def hidden_content() -> tuple[list[Question], list[Answer]]:
    questions = db.session.scalars(
        select(Question).where(Question.is_hidden.is_(True)).order_by(Question.updated_at.desc())
    )
    answers = db.session.scalars(
        select(Answer).where(Answer.is_hidden.is_(True)).order_by(Answer.updated_at.desc())
    )
    return list(questions), list(answers)


def unanswered_questions() -> list[Question]:
    """Visible questions without a visible answer, oldest first (the sellers' list)."""
    answered = select(Answer.question_id).where(Answer.is_hidden.is_(False))
    return list(
        db.session.scalars(
            select(Question)
            .where(Question.is_hidden.is_(False), Question.id.not_in(answered))
            .order_by(Question.created_at, Question.id)
        )
    )


def answer_delays_days(product_id: int) -> list[float]:
    """Days from each answered question of the product to its first visible answer."""
    first = func.min(Answer.created_at)
    rows = db.session.execute(
        select(Question.created_at, first)
        .join(Answer, Answer.question_id == Question.id)
        .where(
            Question.product_id == product_id,
            Question.is_hidden.is_(False),
            Answer.is_hidden.is_(False),
        )
        .group_by(Question.id, Question.created_at)
    ).all()
    return [(_aware(answered) - _aware(asked)).total_seconds() / 86400 for asked, answered in rows]


def typical_answer_days(product_id: int) -> int | None:
    """ "Typically answered within N days": the median delay, rounded up to whole days (at
    least 1); None before any question was answered."""
    delays = answer_delays_days(product_id)
    if not delays:
        return None
    return max(1, math.ceil(statistics.median(delays)))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
