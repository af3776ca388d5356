"""Votes: one per person and idea, withdrawable; a customer's vote is marked as one.

The idea keeps its counts and its trending score (``Idea.trend_log``) up to date, recounted
from its votes on every change, so the board never counts votes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.ideas.errors import Conflict, NotAllowed
from portal.ideas.ideas import is_staff, open_idea
from portal.ideas.settings import setting
from portal.journey.services import Actor, record_event
from portal.models import Idea, IdeaVote, User
from portal.pipeline.scoring import add_log, score_term
from portal.voices.customers import is_customer


def trend_log_of(moments: Iterable[datetime], half_life_days: float) -> float | None:
    """ln(Σ 2^(t / half-life)) over the votes' moments: the stored form of the decayed count."""
    result = None
    for moment in moments:
        result = add_log(result, score_term(1.0, moment, half_life_days))
    return result


def recount(idea: Idea) -> None:
    """Count the idea's votes again (all, from customers) and its trending score."""
    rows = db.session.execute(
        select(IdeaVote.created_at, IdeaVote.is_customer).where(IdeaVote.idea_id == idea.id)
    ).all()
    idea.vote_count = len(rows)
    idea.customer_vote_count = sum(1 for _, customer in rows if customer)
    idea.trend_log = trend_log_of(
        (at for at, _ in rows), float(setting("IDEAS_TREND_HALF_LIFE_DAYS"))
    )


def vote(user: User, idea_id: int, actor: Actor | None = None) -> bool:
    """Vote for an idea (``idea_voted`` journey event). False if the person already had."""
    if is_staff(user):
        raise NotAllowed("Votes come from customers and prospects; the team does not vote.")
    idea = open_idea(idea_id)
    if idea.merged_into_id is not None:
        raise Conflict("This idea was merged into another one: vote there.")
    if _has_voted(user.id, idea.id):
        return False
    try:
        with db.session.begin_nested():
            db.session.add(
                IdeaVote(
                    idea_id=idea.id,
                    user_id=user.id,
                    account_id=user.account_id,
                    is_customer=is_customer(user.id),
                )
            )
    except IntegrityError:  # a double click that raced the check above
        return False
    recount(idea)
    record_event(actor, "idea_voted", idea.product_id, idea_id=idea.id)
    db.session.flush()
    return True


def withdraw_vote(user: User, idea_id: int) -> bool:
    """Take one's vote back. False if there was none."""
    idea = open_idea(idea_id)
    result = db.session.execute(
        delete(IdeaVote).where(IdeaVote.idea_id == idea.id, IdeaVote.user_id == user.id)
    )
    if not result.rowcount:
        return False
    recount(idea)
    db.session.flush()
    return True


def _has_voted(user_id: int, idea_id: int) -> bool:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(IdeaVote)
            .where(IdeaVote.idea_id == idea_id, IdeaVote.user_id == user_id)
        )
        > 0
    )


def voted_ids(user: User | None, idea_ids: Iterable[int]) -> set[int]:
    """Which of ``idea_ids`` the person voted for, in one query."""
    ids = list(idea_ids)
    if user is None or not getattr(user, "is_authenticated", False) or not ids:
        return set()
    return set(
        db.session.scalars(
            select(IdeaVote.idea_id).where(IdeaVote.user_id == user.id, IdeaVote.idea_id.in_(ids))
        )
    )
