"""Posting, reading and commenting on ideas.

Signed-in buyers (prospects and customers) post and comment; the vendor's team comments too,
marked as the team. A hidden idea is seen only by staff and its author; a merged one
leads to the idea it was merged into.
"""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.ideas.errors import NotAllowed, NotFound
from portal.ideas.text import clean_text
from portal.journey.services import Actor, record_event
from portal.models import Idea, IdeaComment, Product, User
from portal.models.ideas import IDEA_BODY_MAX, IDEA_COMMENT_MAX, IDEA_TITLE_MAX


def is_staff(user: User | None) -> bool:
    return user is not None and user.has_role("seller")


def post_idea(
    author: User,
    *,
    title: str,
    description: str = "",
    product: Product | None = None,
    actor: Actor | None = None,
) -> Idea:
    """A buyer posts an idea (``idea_posted`` journey event)."""
    if is_staff(author):
        raise NotAllowed(
            "The board is for customers and prospects; answer their ideas with a status "
            "or a comment instead."
        )
    idea = Idea(
        product_id=product.id if product is not None else None,
        author_id=author.id,
        title=clean_text(title, label="a title", max_len=IDEA_TITLE_MAX, min_len=8, field="title"),
        description_md=clean_text(
            description,
            label="the description",
            max_len=IDEA_BODY_MAX,
            field="description",
            multiline=True,
        ),
    )
    db.session.add(idea)
    db.session.flush()
    record_event(actor, "idea_posted", idea.product_id, idea_id=idea.id)
    return idea


def get_idea(idea_id: int, viewer: User | None) -> Idea:
    """An idea the viewer may see (hidden ones: staff and the author only)."""
    idea = db.session.get(Idea, idea_id)
    if idea is None:
        raise NotFound("That idea does not exist.")
    if idea.is_hidden and not (is_staff(viewer) or (viewer and viewer.id == idea.author_id)):
        raise NotFound("That idea does not exist.")
    return idea


def open_idea(idea_id: int) -> Idea:
    """An idea that takes votes and comments: visible and not merged."""
    idea = db.session.get(Idea, idea_id)
    if idea is None or idea.is_hidden:
        raise NotFound("That idea does not exist.")
    return idea


def comments_of(idea: Idea, viewer: User | None) -> list[IdeaComment]:
    query = select(IdeaComment).where(IdeaComment.idea_id == idea.id)
    if not is_staff(viewer):
        query = query.where(IdeaComment.is_hidden.is_(False))
    return list(db.session.scalars(query.order_by(IdeaComment.created_at, IdeaComment.id)))


def add_comment(author: User, idea_id: int, body: str) -> IdeaComment:
    idea = open_idea(idea_id)
    if idea.merged_into_id is not None:
        idea = open_idea(idea.merged_into_id)
    comment = IdeaComment(
        idea_id=idea.id,
        author_id=author.id,
        is_staff=is_staff(author),
        body=clean_text(
            body,
            label="your comment",
            max_len=IDEA_COMMENT_MAX,
            min_len=2,
            field="body",
            multiline=True,
        ),
    )
    db.session.add(comment)
    idea.comment_count += 1
    db.session.flush()
    return comment


def set_hidden(moderator: User, idea_id: int, hidden: bool) -> Idea:
    """Hide an abusive idea (or show it again). Staff only."""
    if not is_staff(moderator):
        raise NotAllowed("Only the vendor's team can hide ideas.")
    idea = db.session.get(Idea, idea_id)
    if idea is None:
        raise NotFound("That idea does not exist.")
    idea.is_hidden = hidden
    db.session.flush()
    return idea
