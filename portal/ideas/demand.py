"""What an idea tells the vendor's team: the buying accounts behind its votes, with their
deals. (The listening view's "most-wanted ideas of open deals" is
``portal.pipeline.listening.ideas_in_demand``.)"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select

from portal.extensions import db
from portal.models import Account, Deal, IdeaVote


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
