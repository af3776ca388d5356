"""The room's reactions to journey signals: plan steps that complete themselves, a member's
room data in their export, and erasure of their comments' personal data."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from portal.extensions import db
from portal.journey.services import (
    Actor,
    data_exporting,
    event_recorded,
    user_erasing,
)
from portal.models import (
    CommitteeRole,
    Event,
    PlanComment,
    PlanStep,
    ResultShare,
    RoomInvitation,
    ShortlistComment,
    TrialRun,
    User,
)
from portal.room.plan import complete_by_event

ERASED_TEXT = "(comment removed)"
# Journey event kind -> the automatic plan step it completes.
COMPLETING_KINDS = {
    "demo_completed": "own_data_demo",
    "reference_call_held": "reference_call",
    "quote_accepted": "quote_accepted",
    "order_paid": "order_paid",
}


def _on_own_data(event: Event) -> bool:
    run = db.session.scalar(
        select(TrialRun).where(TrialRun.sandbox_id == str((event.props or {}).get("run_id")))
    )
    return run is not None and not run.dataset.is_sample


def on_event_recorded(sender, event: Event, **_extra) -> None:
    """A matching event completes the account's open steps of that kind, and says so."""
    auto_kind = COMPLETING_KINDS.get(event.kind)
    if auto_kind is None or event.account_id is None:
        return
    if event.kind == "demo_completed" and not _on_own_data(event):
        return  # our sample data proves nothing about theirs
    actor = Actor(visitor_id=event.visitor_id, user_id=event.user_id, account_id=event.account_id)
    complete_by_event(event.account_id, auto_kind, event.user_id, actor)


def on_user_erasing(sender, user: User, **_extra) -> None:
    """The text of their comments goes with the link to them; invitations sent to their
    address are deleted; the rest follows the foreign keys (roles, shares)."""
    for model in (ShortlistComment, PlanComment):
        db.session.execute(
            update(model).where(model.author_id == user.id).values(body=ERASED_TEXT, author_id=None)
        )
    db.session.execute(delete(RoomInvitation).where(RoomInvitation.email == user.email))
    db.session.flush()


def on_data_exporting(sender, user: User, **_extra):
    """The member's room data for ``/account/data``."""
    role = db.session.get(CommitteeRole, user.id)
    comments = [
        {"product_id": c.item.product_id, "body": c.body, "created_at": c.created_at.isoformat()}
        for c in db.session.scalars(
            select(ShortlistComment).where(ShortlistComment.author_id == user.id)
        )
    ]
    step_comments = [
        {"step": c.step.title, "body": c.body, "created_at": c.created_at.isoformat()}
        for c in db.session.scalars(select(PlanComment).where(PlanComment.author_id == user.id))
    ]
    invitations = [
        {"email": i.email, "role": i.role, "status": i.status, "sent_at": i.created_at.isoformat()}
        for i in db.session.scalars(
            select(RoomInvitation).where(RoomInvitation.invited_by_id == user.id)
        )
    ]
    shares = [
        {
            "run_id": s.run.sandbox_id,
            "scope": s.scope,
            "created_at": s.created_at.isoformat(),
            "expires_at": s.expires_at.isoformat() if s.expires_at else None,
            "revoked_at": s.revoked_at.isoformat() if s.revoked_at else None,
            "views": s.views,
        }
        for s in db.session.scalars(select(ResultShare).where(ResultShare.created_by_id == user.id))
    ]
    steps = [
        {
            "title": s.title,
            "due_on": s.due_on.isoformat() if s.due_on else None,
            "done_at": s.done_at.isoformat() if s.done_at else None,
        }
        for s in db.session.scalars(
            select(PlanStep).where(
                (PlanStep.assignee_id == user.id) | (PlanStep.done_by_id == user.id)
            )
        )
    ]
    if not (role or comments or step_comments or invitations or shares or steps):
        return None
    return (
        "room",
        {
            "role": role.role if role else None,
            "shortlist_comments": comments,
            "plan_comments": step_comments,
            "invitations_sent": invitations,
            "shared_results": shares,
            "plan_steps": steps,
        },
    )


event_recorded.connect(on_event_recorded)
user_erasing.connect(on_user_erasing)
data_exporting.connect(on_data_exporting)
