"""What a seller does to a deal: give it an owner, mark it lost, add a note."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from portal.extensions import db
from portal.models import Deal, DealNote, StageTransition, User
from portal.models.accounts import STAFF_ROLES
from portal.pipeline import outgoing_webhooks
from portal.pipeline.deals import write_state
from portal.pipeline.engine import DealState, apply_lost
from portal.pipeline.errors import PipelineError
from portal.pipeline.history_figures import note_history_changed
from portal.pipeline.rebuild import transition_row


def assign_owner(deal: Deal, owner_id: int | None) -> Deal:
    """Give the deal to a seller (or to nobody)."""
    if owner_id is not None:
        owner = db.session.get(User, owner_id)
        if owner is None or not owner.has_role("seller"):
            raise PipelineError("Choose a seller as the owner.", "owner")
    deal.owner_id = owner_id
    db.session.flush()
    return deal


def mark_lost(deal: Deal, reason: str, actor: User, now: datetime | None = None) -> Deal:
    """Mark a deal lost with a reason. It reopens by itself on the buyer's next activity."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise PipelineError("Say why the deal is lost.", "reason")
    if len(reason) > 300:
        raise PipelineError("Keep the reason under 300 characters.", "reason")
    if deal.lost_at is not None:
        raise PipelineError("This deal is already marked lost.")
    state = DealState.of(deal)
    draft = apply_lost(state, now or datetime.now(UTC), reason, actor.id)
    write_state(deal, state)
    transition = StageTransition(**transition_row(deal.id, draft))
    db.session.add(transition)
    db.session.flush()
    note_history_changed()
    outgoing_webhooks.enqueue_stage_changes(deal, [transition])
    return deal


def add_note(deal: Deal, author: User, body: str) -> DealNote:
    body = (body or "").strip()
    if not body:
        raise PipelineError("Write something in the note.", "body")
    if len(body) > 4000:
        raise PipelineError("Keep notes under 4,000 characters.", "body")
    note = DealNote(deal_id=deal.id, author_id=author.id, body=body)
    db.session.add(note)
    db.session.flush()
    return note


def sellers() -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.role.in_(STAFF_ROLES)).order_by(User.name, User.email)
        )
    )
