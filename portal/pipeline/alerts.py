"""Seller alerts: in-app notifications, and an e-mail digest of those not mailed yet.

A seller hears about a deal when it enters a stage marked "notify on entry" (Deciding by
default), when its engagement score jumps by ``PIPELINE_SCORE_JUMP``, or when someone asks to
talk to a customer. The deal's owner is told; a deal without an owner goes to every seller.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from itertools import groupby

from flask import url_for
from sqlalchemy import func, select, update

from portal.extensions import db
from portal.mail import queue_mail
from portal.models import Deal, Event, Notification, User
from portal.models.accounts import STAFF_ROLES
from portal.pipeline.engine import Rules, TransitionLike
from portal.pipeline.scoring import score_at
from portal.pipeline.settings import setting


def after_event(
    deal: Deal, event: Event, transitions: Sequence[TransitionLike], rules: Rules
) -> list[Notification]:
    """Raise the alerts one new event deserves. Old events (history, merged visitors) none."""
    now = datetime.now(UTC)
    if now - event.occurred_at > timedelta(hours=setting("PIPELINE_ALERT_MAX_AGE_HOURS")):
        return []
    messages: list[tuple[str, str]] = []
    name = None

    def account_name() -> str:
        nonlocal name
        name = name or deal.account.name
        return name

    for transition in transitions:
        stage = rules.stage(transition.to_stage_id)
        if stage is not None and stage.notify_on_entry:
            messages.append(("deciding", f"{account_name()} entered {stage.name}."))
    if event.kind == "reference_requested":
        messages.append(("reference", f"{account_name()} asked to talk to a customer."))
    jump = setting("PIPELINE_SCORE_JUMP")
    if jump and deal.score_log is not None:
        half_life = rules.half_life_days
        current = score_at(deal.score_log, event.occurred_at, half_life)
        told = score_at(deal.alerted_score_log, event.occurred_at, half_life)
        if current - told >= jump:
            messages.append(
                (
                    "score_jump",
                    f"{account_name()}'s engagement jumped to {current:.0f} "
                    f"(+{current - told:.0f}).",
                )
            )
            deal.alerted_score_log = deal.score_log
    return notify(deal, messages) if messages else []


def recipients(deal: Deal) -> list[int]:
    if deal.owner_id is not None:
        return [deal.owner_id]
    return list(db.session.scalars(select(User.id).where(User.role.in_(STAFF_ROLES))))


def notify(deal: Deal, messages: list[tuple[str, str]]) -> list[Notification]:
    notes = [
        Notification(user_id=user_id, deal_id=deal.id, kind=kind, message=message)
        for user_id in recipients(deal)
        for kind, message in messages
    ]
    db.session.add_all(notes)
    db.session.flush()
    return notes


def unread_count(user: User) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def notifications_for(user: User):
    """A select of the user's notifications, newest first (the view paginates it)."""
    return (
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


def mark_read(user: User, notification_id: int | None = None) -> int:
    """Mark one notification (or all of them) read. Returns how many changed."""
    query = update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    result = db.session.execute(query.values(read_at=datetime.now(UTC)))
    db.session.flush()
    return result.rowcount or 0


def send_digests(now: datetime | None = None) -> int:
    """E-mail each seller the notifications not mailed yet, one message each. Returns the
    number of e-mails sent. Needs an app context (and a request context for links)."""
    now = now or datetime.now(UTC)
    pending = db.session.execute(
        select(Notification, User)
        .join(User, User.id == Notification.user_id)
        .where(Notification.emailed_at.is_(None))
        .order_by(Notification.user_id, Notification.created_at, Notification.id)
    ).all()
    sent = 0
    for _user_id, rows in groupby(pending, key=lambda row: row[1].id):
        rows = list(rows)
        user = rows[0][1]
        items = [
            {
                "message": note.message,
                "created_at": note.created_at,
                "url": url_for("pipeline.deal", deal_id=note.deal_id, _external=True)
                if note.deal_id
                else None,
            }
            for note, _ in rows
        ]
        count = len(items)
        queue_mail(
            user.email,
            f"Pipeline: {count} new alert{'s' if count != 1 else ''}",
            "pipeline_digest",
            user=user,
            items=items,
            board_url=url_for("pipeline.board", _external=True),
        )
        for note, _ in rows:
            note.emailed_at = now
        sent += 1
    db.session.flush()
    return sent
