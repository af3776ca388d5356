"""The best answer first: the asker accepts one answer, readers mark answers helpful.

"Best" has one definition, ``best_first``: the accepted answer, then the most helpful marks,
then the oldest. The list of questions shows their answers inline in that order, fetched for
the whole page in one query.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import Answer, AnswerHelpfulVote, Question, User
from portal.voices.errors import NotAllowed, NotFound

INLINE_ANSWERS = 3  # answers shown under a question in the list; the rest are a click away


def best_first() -> tuple:
    """SQL ORDER BY of "best answer first" (accepted, most helpful, oldest)."""
    return (
        Answer.is_accepted.desc(),
        Answer.helpful_count.desc(),
        Answer.created_at,
        Answer.id,
    )


def answers_of(question_id: int, include_hidden: bool = False) -> list[Answer]:
    """A question's answers, best first (hidden ones only for the team)."""
    query = select(Answer).where(Answer.question_id == question_id)
    if not include_hidden:
        query = query.where(Answer.is_hidden.is_(False))
    return list(db.session.scalars(query.order_by(*best_first())))


def inline_answers(question_ids: Iterable[int]) -> dict[int, list[Answer]]:
    """The visible answers of these questions, best first, in one query: question → answers."""
    ids = list(question_ids)
    if not ids:
        return {}
    rows = db.session.scalars(
        select(Answer)
        .where(Answer.question_id.in_(ids), Answer.is_hidden.is_(False))
        .order_by(Answer.question_id, *best_first())
    )
    grouped: dict[int, list[Answer]] = {question_id: [] for question_id in ids}
    for answer in rows:
        grouped[answer.question_id].append(answer)
    return grouped


def _visible_answer(answer_id: int, question_id: int, product_id: int) -> Answer:
    answer = db.session.get(Answer, answer_id)
    if (
        answer is None
        or answer.is_hidden
        or answer.question_id != question_id
        or answer.question.is_hidden
        or answer.question.product_id != product_id
    ):
        raise NotFound("That answer does not exist.")
    return answer


def accept_answer(
    asker: User, answer_id: int, question_id: int, product_id: int, accepted: bool = True
) -> Answer:
    """The asker picks the answer that helped them (one per question; picking another moves
    the pick), or takes the pick back."""
    answer = _visible_answer(answer_id, question_id, product_id)
    question: Question = answer.question
    if question.author_id != asker.id:
        raise NotAllowed("Only the person who asked can accept an answer.")
    db.session.execute(
        update(Answer)
        .where(Answer.question_id == question.id, Answer.id != answer.id)
        .values(is_accepted=False)
        .execution_options(synchronize_session=False)
    )
    answer.is_accepted = accepted
    db.session.flush()
    db.session.expire(question, ["answers"])
    return answer


def set_helpful(
    user: User, answer_id: int, question_id: int, product_id: int, helpful: bool = True
) -> bool:
    """Mark an answer helpful (once per person) or take the mark back. Returns whether
    anything changed; the answer's count is recounted from the marks either way.

    The unique (answer, user) pair is the guard: a double click fails its insert inside a
    savepoint and never counts twice.
    """
    answer = _visible_answer(answer_id, question_id, product_id)
    if answer.author_id == user.id:
        raise NotAllowed("You can't mark your own answer as helpful.")
    if helpful:
        try:
            with db.session.begin_nested():
                db.session.add(AnswerHelpfulVote(answer_id=answer.id, user_id=user.id))
            changed = True
        except IntegrityError:
            changed = False
    else:
        result = db.session.execute(
            delete(AnswerHelpfulVote).where(
                AnswerHelpfulVote.answer_id == answer.id, AnswerHelpfulVote.user_id == user.id
            )
        )
        changed = bool(result.rowcount)
    answer.helpful_count = db.session.scalar(
        select(func.count())
        .select_from(AnswerHelpfulVote)
        .where(AnswerHelpfulVote.answer_id == answer.id)
    )
    db.session.flush()
    return changed


def helpful_ids(user: User | None, answer_ids: Iterable[int]) -> set[int]:
    """Which of these answers the person marked helpful, in one query."""
    ids = list(answer_ids)
    if user is None or not getattr(user, "is_authenticated", False) or not ids:
        return set()
    return set(
        db.session.scalars(
            select(AnswerHelpfulVote.answer_id).where(
                AnswerHelpfulVote.user_id == user.id, AnswerHelpfulVote.answer_id.in_(ids)
            )
        )
    )
