"""Demo ideas for ``seed-demo``: a few ideas with votes from demo customers and prospects,
one duplicate already merged, statuses with public notes.

Runs after the voices seeder (its customers vote); safe to run again: ideas are looked up
by title, votes by person.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from portal.auth.services import find_user_by_email
from portal.extensions import db
from portal.ideas.votes import recount
from portal.models import Idea, IdeaVote, Product
from portal.voices.customers import is_customer

# (title, product slug or None, author, status, note, voters, days ago)
IDEAS = (
    (
        "Single sign-on with Okta and Azure AD",
        None,
        "dana@globex.example",
        "planned",
        "We are building SAML and OIDC sign-in; first customers get it in Q1.",
        ("customer@acme.example", "priya.raman@harborline.example", "lee@initech.example",
         "marcus.webb@brightcart.example", "hannah.schmidt@alpenbank.example"),
        40,
    ),
    (
        "Export forecasts straight to Excel",
        "demand-radar",
        "lee@initech.example",
        "under_review",
        "",
        ("dana@globex.example", "sofia.lindqvist@nordhaus-tools.example"),
        12,
    ),
    (
        "Scheduled data refresh from our warehouse",
        "pipeline-lens",
        "customer@acme.example",
        "new",
        "",
        ("daniel.okafor@ledgerleaf.example", "lee@initech.example", "dana@globex.example"),
        5,
    ),
    (
        "Dark mode for the whole portal",
        None,
        "dana@globex.example",
        "shipped",
        "Follows your system setting since November.",
        ("kenji.watanabe@kitsune-outdoor.example",),
        70,
    ),
)  # fmt: skip
DUPLICATE = ("Log in with our company SSO", "lee@initech.example", 30)


def _when(days: int, hour: int = 10) -> datetime:
    return datetime.now(UTC).replace(hour=hour, minute=0, second=0, microsecond=0) - timedelta(
        days=days
    )


def _ensure_idea(title: str, product_id: int | None, author_email: str, days: int) -> Idea:
    idea = db.session.scalar(select(Idea).where(Idea.title == title))
    if idea is None:
        author = find_user_by_email(author_email)
        idea = Idea(
            title=title,
            product_id=product_id,
            author_id=author.id if author else None,
            created_at=_when(days),
        )
        db.session.add(idea)
        db.session.flush()
    return idea


def _ensure_votes(idea: Idea, emails, days: int) -> None:
    have = set(db.session.scalars(select(IdeaVote.user_id).where(IdeaVote.idea_id == idea.id)))
    for n, address in enumerate(emails):
        user = find_user_by_email(address)
        if user is None or user.id in have:
            continue
        db.session.add(
            IdeaVote(
                idea_id=idea.id,
                user_id=user.id,
                account_id=user.account_id,
                is_customer=is_customer(user.id),
                created_at=_when(max(days - 2 * n, 0), hour=11),
            )
        )
    db.session.flush()
    recount(idea)


def seed_ideas() -> list[str]:
    """Create the demo ideas once; return what was added."""
    before = db.session.scalar(select(db.func.count()).select_from(Idea))
    slugs = {p.slug: p.id for p in db.session.scalars(select(Product))}
    first = None
    for title, slug, author, status, note, voters, days in IDEAS:
        idea = _ensure_idea(title, slugs.get(slug) if slug else None, author, days)
        if idea.status == "new" and status != "new":
            idea.status, idea.status_note = status, note
            idea.status_changed_at = _when(max(days - 7, 0))
        _ensure_votes(idea, voters, days)
        first = first or idea
    title, author, days = DUPLICATE
    duplicate = _ensure_idea(title, None, author, days)
    if duplicate.merged_into_id is None and first is not None:
        duplicate.merged_into_id = first.id
        recount(duplicate)
    db.session.flush()
    added = db.session.scalar(select(db.func.count()).select_from(Idea)) - before
    return [f"Ideas: {added} demo ideas added."]
