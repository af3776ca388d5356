"""Reactions to journey signals, and their ``.connect()`` calls (once per process, at import)."""

from __future__ import annotations

from sqlalchemy import delete, func, select, update

from portal.extensions import db
from portal.journey.services import (
    account_erasing,
    data_exporting,
    event_recorded,
    identity_merged,
    user_erasing,
)
from portal.models import ApiToken, Deal, DealNote, Event, Notification, User
from portal.pipeline.deals import fold_event_into_deal
from portal.pipeline.history_figures import note_history_changed
from portal.pipeline.rebuild import rebuild_deals
from portal.pipeline.room_link import alert_new_member, apply_room_summary
from portal.room.signals import member_joined, room_changed


def on_identity_merged(sender, user: User, visitor_id: str | None = None, **_extra) -> None:
    """A visitor's earlier events joined ``user``'s account: replay that account's deal."""
    if user.account_id is not None and visitor_id:
        rebuild_deals([user.account_id])


def on_user_erasing(sender, user: User, **_extra) -> None:
    """Before a user is erased: forget their alerts and tokens, and replay the account's deal
    without their events (when the account lives on; otherwise ``on_account_erasing``)."""
    db.session.execute(delete(Notification).where(Notification.user_id == user.id))
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    db.session.execute(update(Deal).where(Deal.owner_id == user.id).values(owner_id=None))
    db.session.execute(update(DealNote).where(DealNote.author_id == user.id).values(author_id=None))
    # Replay the account's deal as it will be without this person's events.
    others = db.session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.account_id == user.account_id, User.id != user.id)
    )
    if others:
        db.session.execute(delete(Event).where(Event.user_id == user.id))
        rebuild_deals([user.account_id])


def on_data_exporting(sender, user: User, **_extra):
    """A seller's own pipeline data for ``/account/data``: notes written and API tokens."""
    notes = db.session.scalars(select(DealNote).where(DealNote.author_id == user.id)).all()
    tokens = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).all()
    if not notes and not tokens:
        return None
    return (
        "pipeline",
        {
            "notes": [
                {"deal_id": n.deal_id, "body": n.body, "created_at": n.created_at.isoformat()}
                for n in notes
            ],
            "api_tokens": [
                {
                    "name": t.name,
                    "prefix": t.prefix,
                    "created_at": t.created_at.isoformat(),
                    "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
                }
                for t in tokens
            ],
        },
    )


def on_account_erasing(sender, account, **_extra) -> None:
    db.session.execute(delete(Deal).where(Deal.account_id == account.id))
    note_history_changed()  # its stage history and product rows went with it
    db.session.flush()


def on_event_recorded(sender, event: Event, **_extra) -> None:
    fold_event_into_deal(event)


def on_room_changed(sender, account_id: int, summary: dict, at, **_extra) -> None:
    apply_room_summary(account_id, summary, at)


def on_member_joined(sender, account_id: int, user: User, role: str = "", **_extra) -> None:
    alert_new_member(account_id, user, role)


# Connected at import, so once per process however many apps are created.
event_recorded.connect(on_event_recorded)
identity_merged.connect(on_identity_merged)
user_erasing.connect(on_user_erasing)
account_erasing.connect(on_account_erasing)
data_exporting.connect(on_data_exporting)
room_changed.connect(on_room_changed)
member_joined.connect(on_member_joined)
