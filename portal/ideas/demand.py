"""What the board tells sellers: which ideas open deals voted for, the pipeline value behind
them, and the accounts behind an idea's votes.

"Open" is the pipeline's one definition (``portal.pipeline.numbers.open_condition``); a
deal's value is its ``Deal.value`` (net, from ``portal.pipeline.value``). An account with
several voters counts its deal's value once per idea; currencies are never added together.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, distinct, func, select

from portal.extensions import db
from portal.ideas.board import on_board
from portal.models import Account, Deal, Idea, IdeaVote
from portal.pipeline.numbers import open_condition
from portal.pipeline.stages import list_stages

TOP = 10


@dataclass
class IdeaDemand:
    idea: Idea
    open_votes: int = 0  # votes from people whose account has an open deal
    open_deals: int = 0
    value: dict[str, int] = field(default_factory=dict)  # {currency: Σ open deal value}


def ideas_in_demand(limit: int = TOP) -> list[IdeaDemand]:
    """The ideas most voted for by open deals, with the open pipeline value behind each;
    most open-deal votes first, then the most value."""
    is_open = open_condition(list_stages())
    votes = db.session.execute(
        select(IdeaVote.idea_id, func.count(IdeaVote.id), func.count(distinct(Deal.id)))
        .join(Deal, Deal.account_id == IdeaVote.account_id)
        .join(Idea, Idea.id == IdeaVote.idea_id)
        .where(is_open, *on_board())
        .group_by(IdeaVote.idea_id)
    ).all()
    if not votes:
        return []
    pairs = select(IdeaVote.idea_id, IdeaVote.account_id).distinct().subquery()
    values = db.session.execute(
        select(pairs.c.idea_id, Deal.currency, func.sum(Deal.value))
        .join(Deal, Deal.account_id == pairs.c.account_id)
        .where(is_open, pairs.c.idea_id.in_([idea_id for idea_id, _, _ in votes]))
        .group_by(pairs.c.idea_id, Deal.currency)
    ).all()
    by_idea = {idea_id: IdeaDemand(None, n, deals) for idea_id, n, deals in votes}  # type: ignore[arg-type]
    for idea_id, currency, total in values:
        if total:
            by_idea[idea_id].value[currency] = int(total)
    ideas = db.session.scalars(select(Idea).where(Idea.id.in_(by_idea)))
    for idea in ideas:
        by_idea[idea.id].idea = idea
    ranked = sorted(
        by_idea.values(),
        key=lambda d: (-d.open_votes, -max(d.value.values(), default=0), d.idea.id),
    )
    return ranked[:limit]


@dataclass
class AccountVotes:
    account: Account
    votes: int
    customer_votes: int
    deal: Deal | None


def accounts_behind(idea_id: int) -> list[AccountVotes]:
    """The buying accounts whose people voted for the idea, most votes first, with their
    deal (for staff)."""
    rows = db.session.execute(
        select(
            Account,
            func.count(IdeaVote.id),
            func.sum(case((IdeaVote.is_customer, 1), else_=0)),
        )
        .join(IdeaVote, IdeaVote.account_id == Account.id)
        .where(IdeaVote.idea_id == idea_id)
        .group_by(Account.id)
        .order_by(func.count(IdeaVote.id).desc(), Account.name)
    ).all()
    deals = (
        {
            deal.account_id: deal
            for deal in db.session.scalars(
                select(Deal).where(Deal.account_id.in_([account.id for account, _, _ in rows]))
            )
        }
        if rows
        else {}
    )
    return [
        AccountVotes(account, int(n), int(customers or 0), deals.get(account.id))
        for account, n, customers in rows
    ]


def idea_titles(idea_ids) -> dict[int, str]:
    """Titles by id in one query (the deal timeline's "voted for …")."""
    ids = list(set(idea_ids))
    if not ids:
        return {}
    return dict(db.session.execute(select(Idea.id, Idea.title).where(Idea.id.in_(ids))).all())
