"""Vendor replies: the vendor's team answers a published review once, in public; the reply
is moderated like reviews and shows under the review once approved."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import select

from portal.extensions import db
from portal.models import Testimonial, User, VendorReply
from portal.models.voices import REPLY_MAX
from portal.voices.errors import Conflict, NotAllowed, NotFound
from portal.voices.text import clean_text


def _staff(user: User) -> None:
    if not user.has_role("seller"):
        raise NotAllowed("Only the vendor's team can reply to reviews.")


def write_reply(author: User, testimonial_id: int, body: str) -> VendorReply:
    """Write (or rewrite) the one reply to a published review; it waits for moderation."""
    _staff(author)
    testimonial = db.session.get(Testimonial, testimonial_id)
    if testimonial is None or testimonial.status != "approved":
        raise NotFound("That review does not exist.")
    text = clean_text(
        body, label="your reply", max_len=REPLY_MAX, min_len=10, field="body", multiline=True
    )
    reply = db.session.scalar(
        select(VendorReply).where(VendorReply.testimonial_id == testimonial_id)
    )
    if reply is None:
        reply = VendorReply(testimonial_id=testimonial_id)
        db.session.add(reply)
    reply.author_id, reply.body, reply.status = author.id, text, "pending"
    reply.moderated_by_id = reply.moderated_at = None
    db.session.flush()
    return reply


def moderate_reply(moderator: User, reply_id: int, approve: bool) -> VendorReply:
    """Publish a pending reply, or reject it."""
    _staff(moderator)
    reply = db.session.get(VendorReply, reply_id)
    if reply is None:
        raise NotFound("That reply does not exist.")
    if reply.status != "pending":
        raise Conflict("Someone already decided on this reply.")
    reply.status = "approved" if approve else "rejected"
    reply.moderated_by_id, reply.moderated_at = moderator.id, datetime.now(UTC)
    db.session.flush()
    return reply


def pending_replies() -> list[VendorReply]:
    return list(
        db.session.scalars(
            select(VendorReply)
            .where(VendorReply.status == "pending")
            .order_by(VendorReply.created_at, VendorReply.id)
        )
    )


def replies_for(testimonial_ids: Iterable[int], include_pending: bool = False) -> dict:
    """{testimonial id: reply} for a page of reviews, in one query (approved ones only,
    unless ``include_pending`` for the team)."""
    ids = list(testimonial_ids)
    if not ids:
        return {}
    query = select(VendorReply).where(VendorReply.testimonial_id.in_(ids))
    if not include_pending:
        query = query.where(VendorReply.status == "approved")
    return {reply.testimonial_id: reply for reply in db.session.scalars(query)}
