"""The committee's shortlist: products under consideration, one comment thread each.

The first product shortlisted starts the evaluation plan from its template."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.journey.services import Actor, record_event
from portal.models import Product, ShortlistComment, ShortlistItem, User
from portal.room.errors import RoomError, RoomNotFound
from portal.room.plan import start_plan
from portal.room.text import clean_text

COMMENT_MAX = 2000
# Besides the route's rate limit, a person's comments per minute (any worker, any device).
COMMENTS_PER_MINUTE = 10


def shortlist_of(account_id: int) -> list[ShortlistItem]:
    return list(
        db.session.scalars(
            select(ShortlistItem)
            .where(ShortlistItem.account_id == account_id)
            .order_by(ShortlistItem.created_at, ShortlistItem.id)
        )
    )


def item_of(member: User, item_id: int) -> ShortlistItem:
    """One item of the member's own shortlist; anyone else's is not found."""
    item = db.session.get(ShortlistItem, item_id)
    if item is None or item.account_id != member.account_id:
        raise RoomNotFound()
    return item


def add_to_shortlist(member: User, product_id: int, actor: Actor | None) -> ShortlistItem:
    """Shortlist a product on sale (again: no change); the first one starts the plan."""
    product = db.session.get(Product, product_id)
    if product is None or not product.is_active:
        raise RoomNotFound("We could not find that product.")
    item = db.session.scalar(
        select(ShortlistItem).where(
            ShortlistItem.account_id == member.account_id, ShortlistItem.product_id == product.id
        )
    )
    if item is not None:
        return item
    item = ShortlistItem(account_id=member.account_id, product_id=product.id, added_by_id=member.id)
    db.session.add(item)
    db.session.flush()
    record_event(actor, "shortlist_added", product)
    start_plan(member, product, actor)
    return item


def remove_from_shortlist(member: User, item_id: int) -> Product:
    item = item_of(member, item_id)
    product = item.product
    db.session.delete(item)
    db.session.flush()
    return product


def add_comment(member: User, item_id: int, body: str, actor: Actor | None) -> ShortlistComment:
    """A plain-text comment on a shortlisted product (at most ``COMMENTS_PER_MINUTE``)."""
    item = item_of(member, item_id)
    body = clean_text(body, max_len=COMMENT_MAX, field="body", label="a comment")
    since = datetime.now(UTC) - timedelta(minutes=1)
    recent = db.session.scalar(
        select(func.count())
        .select_from(ShortlistComment)
        .where(ShortlistComment.author_id == member.id, ShortlistComment.created_at > since)
    )
    if recent >= COMMENTS_PER_MINUTE:
        raise RoomError("That is a lot of comments at once: wait a minute.", "body", 429)
    comment = ShortlistComment(item_id=item.id, author_id=member.id, body=body)
    db.session.add(comment)
    db.session.flush()
    record_event(actor, "shortlist_commented", item.product_id, comment_id=comment.id)
    return comment


def compare_slugs(items: list[ShortlistItem]) -> list[str]:
    """The shortlisted products the compare page can show (on sale ones)."""
    return [item.product.slug for item in items if item.product.is_active]
