"""The room's figures in one place: what criteria read (``criteria.ROOM_METRICS``) and the
due date the board's "at risk" flag is computed from. Each change is kept as a
``RoomSnapshot`` (the room's history, which the pipeline replays) and sent to the pipeline."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, or_, select

from portal.extensions import db
from portal.models import CommitteeRole, PlanStep, ResultShare, RoomSnapshot, User
from portal.room.signals import room_changed


def room_summary(account_id: int) -> dict[str, Any]:
    """Members, distinct roles, active plan steps done / total, live shares, and the due
    date of the oldest open step (ISO, or None)."""
    now = datetime.now(UTC)
    members = db.session.scalar(
        select(func.count()).select_from(User).where(User.account_id == account_id)
    )
    roles = db.session.scalar(
        select(func.count(func.distinct(CommitteeRole.role)))
        .join(User, User.id == CommitteeRole.user_id)
        .where(User.account_id == account_id)
    )
    steps = db.session.execute(
        select(PlanStep.done_at, PlanStep.due_on).where(
            PlanStep.account_id == account_id, PlanStep.status == "active"
        )
    ).all()
    shares = db.session.scalar(
        select(func.count())
        .select_from(ResultShare)
        .where(
            ResultShare.account_id == account_id,
            ResultShare.revoked_at.is_(None),
            or_(ResultShare.expires_at.is_(None), ResultShare.expires_at > now),
        )
    )
    open_due = [due for done, due in steps if done is None and due is not None]
    return {
        "committee_members": members or 0,
        "committee_roles": roles or 0,
        "plan_steps_done": sum(1 for done, _ in steps if done is not None),
        "plan_steps_total": len(steps),
        "shares": shares or 0,
        "next_due": min(open_due).isoformat() if open_due else None,
    }


def latest_figures(account_id: int) -> dict[str, Any] | None:
    """The figures of the account's latest snapshot (None before the room's first change)."""
    return db.session.scalar(
        select(RoomSnapshot.figures)
        .where(RoomSnapshot.account_id == account_id)
        .order_by(RoomSnapshot.at.desc(), RoomSnapshot.id.desc())
        .limit(1)
    )


def room_updated(account_id: int) -> dict[str, Any]:
    """Record the room's figures when they changed (flushes first) and tell the other areas,
    with the moment they hold from. Returns the summary."""
    db.session.flush()
    summary = room_summary(account_id)
    if latest_figures(account_id) != summary:
        at = datetime.now(UTC)
        db.session.add(RoomSnapshot(account_id=account_id, at=at, figures=summary))
        db.session.flush()
        room_changed.send(account_id, account_id=account_id, summary=summary, at=at)
    return summary
