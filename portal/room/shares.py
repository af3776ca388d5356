"""Trial results shared read-only: with the whole account, or through an unguessable link
(``secrets.token_urlsafe(32)``, stored only as its hash) that expires and can be revoked.
Either way only the result is shown, never the uploaded file; the CSV of the result only
when the owner allowed it. Sharing and every view are journey events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.journey.services import Actor, record_event
from portal.models import ResultShare, TrialRun, User
from portal.room.errors import RoomError, RoomNotFound
from portal.room.members import new_token, token_hash
from portal.room.summary import room_updated


def shares_of(account_id: int, now: datetime | None = None) -> list[ResultShare]:
    """The account's live shares, newest first."""
    now = now or datetime.now(UTC)
    rows = db.session.scalars(
        select(ResultShare)
        .where(ResultShare.account_id == account_id, ResultShare.revoked_at.is_(None))
        .order_by(ResultShare.created_at.desc(), ResultShare.id.desc())
    )
    return [share for share in rows if share.live_at(now)]


def shareable_runs(member: User) -> list[TrialRun]:
    """The member's own succeeded runs, newest first."""
    return list(
        db.session.scalars(
            select(TrialRun)
            .where(TrialRun.user_id == member.id, TrialRun.state == "succeeded")
            .order_by(TrialRun.created_at.desc())
            .limit(20)
        )
    )


def share_run(
    member: User,
    run_sandbox_id: str,
    scope: str,
    days: int | None,
    allow_download: bool,
    actor: Actor | None,
    max_days: int,
) -> tuple[ResultShare, str | None]:
    """Share one of the member's own succeeded runs. Returns the share and, for a link, its
    token (shown once: only the hash is kept)."""
    run = db.session.scalar(
        select(TrialRun).where(
            TrialRun.sandbox_id == (run_sandbox_id or ""), TrialRun.user_id == member.id
        )
    )
    if run is None:
        raise RoomNotFound("We could not find that demo run among yours.")
    if run.state != "succeeded":
        raise RoomError("Only a finished demo can be shared.", "run_id")
    if scope not in ("account", "link"):
        raise RoomError("Share with your room or through a link.", "scope")
    now = datetime.now(UTC)
    token = None
    share = ResultShare(
        run_id=run.id,
        account_id=member.account_id,
        created_by_id=member.id,
        scope=scope,
        allow_download=bool(allow_download) and scope == "link",
    )
    if scope == "link":
        if days is None or not 1 <= days <= max_days:
            raise RoomError(f"A link lasts from 1 to {max_days} days.", "days")
        token = new_token()
        share.token_hash = token_hash(token)
        share.expires_at = now + timedelta(days=days)
    db.session.add(share)
    db.session.flush()
    record_event(actor, "result_shared", run.product_id, run_id=run.sandbox_id, scope=scope)
    room_updated(member.account_id)
    return share, token


def revoke_share(member: User, share_id: int, actor: Actor | None) -> ResultShare:
    """The person who shared stops sharing, at once."""
    share = db.session.get(ResultShare, share_id)
    if share is None or share.account_id != member.account_id or share.revoked_at is not None:
        raise RoomNotFound()
    if share.created_by_id != member.id:
        raise RoomError("Only the person who shared a result can stop sharing it.")
    share.revoked_at = datetime.now(UTC)
    db.session.flush()
    record_event(actor, "result_share_revoked", share.run.product_id, run_id=share.run.sandbox_id)
    room_updated(member.account_id)
    return share


def view_account_share(member: User, share_id: int, actor: Actor | None) -> ResultShare:
    """A member opens a result shared with the room (recorded as a view)."""
    share = db.session.get(ResultShare, share_id)
    now = datetime.now(UTC)
    if share is None or share.account_id != member.account_id or not share.live_at(now):
        raise RoomNotFound()
    share.views += 1
    record_event(
        actor, "shared_result_viewed", share.run.product_id, run_id=share.run.sandbox_id, via="room"
    )
    return share


def view_link_share(token: str) -> ResultShare:
    """Someone opens a shared link. The view is recorded for the sharing account (if the
    person who shared consented), never with anything about the viewer: no visitor id, no
    cookie."""
    now = datetime.now(UTC)
    share = db.session.scalar(
        select(ResultShare).where(
            ResultShare.token_hash == token_hash(token or ""), ResultShare.scope == "link"
        )
    )
    if share is None or not share.live_at(now):
        raise RoomNotFound("This link no longer works: it expired or was revoked.")
    share.views += 1
    owner = share.created_by
    if owner is not None and owner.tracking_consent:
        record_event(
            Actor(account_id=share.account_id),
            "shared_result_viewed",
            share.run.product_id,
            run_id=share.run.sandbox_id,
            via="link",
        )
    return share
