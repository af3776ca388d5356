"""Room members: self-chosen roles, invitations by e-mail (any domain) with an expiring
single-use link, joining, declining and removal.

A room belongs to a buying account and its members are the account's users. Services take
the acting user and ids, raise ``RoomError`` / ``RoomNotFound`` and only ``flush()``.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update

from portal.auth.services import AuthError, check_email, create_user, find_user_by_email
from portal.extensions import db
from portal.journey.services import Actor, record_event
from portal.models import (
    COMMITTEE_ROLES,
    Account,
    CommitteeRole,
    PlanStep,
    ResultShare,
    RoomInvitation,
    User,
)
from portal.room.errors import RoomError, RoomNotFound
from portal.room.signals import member_joined
from portal.room.summary import room_updated

MAX_PENDING_INVITATIONS = 50


def token_hash(token: str) -> str:
    """What the database keeps of a link's token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """An unguessable link token: 32 random bytes (256 bits)."""
    return secrets.token_urlsafe(32)


def members_of(account_id: int) -> list[tuple[User, str]]:
    """The account's members with their role code ("" when not said), oldest first."""
    rows = db.session.execute(
        select(User, CommitteeRole.role)
        .outerjoin(CommitteeRole, CommitteeRole.user_id == User.id)
        .where(User.account_id == account_id)
        .order_by(User.created_at, User.id)
    ).all()
    return [(user, role or "") for user, role in rows]


def pending_invitations(account_id: int, now: datetime | None = None) -> list[RoomInvitation]:
    now = now or datetime.now(UTC)
    return list(
        db.session.scalars(
            select(RoomInvitation)
            .where(
                RoomInvitation.account_id == account_id,
                RoomInvitation.status == "pending",
                RoomInvitation.expires_at > now,
            )
            .order_by(RoomInvitation.created_at)
        )
    )


def _check_role(role: str, *, allow_blank: bool = False) -> str:
    role = (role or "").strip()
    if allow_blank and not role:
        return ""
    if role not in COMMITTEE_ROLES:
        raise RoomError("Choose one of the roles in the list.", "role")
    return role


def set_role(user: User, role: str, actor: Actor | None) -> str:
    """The member says which role they play in the purchase."""
    role = _check_role(role)
    row = db.session.get(CommitteeRole, user.id)
    if row is None:
        db.session.add(CommitteeRole(user_id=user.id, role=role))
    else:
        row.role = role
    record_event(actor, "committee_role_set", role=role)
    room_updated(user.account_id)
    return role


def invite(
    inviter: User, email: str, role: str, actor: Actor | None, days: int
) -> tuple[RoomInvitation, str]:
    """Invite someone (any domain: a consultant too) to the inviter's room. Returns the
    invitation and the link's token, which is stored only as a hash and mailed once."""
    try:
        email = check_email(email or "")
    except AuthError as error:
        raise RoomError(error.message, "email") from None
    role = _check_role(role, allow_blank=True)
    existing = find_user_by_email(email)
    if existing is not None and existing.account_id == inviter.account_id:
        raise RoomError("That person is already in your room.", "email")
    now = datetime.now(UTC)
    if len(pending_invitations(inviter.account_id, now)) >= MAX_PENDING_INVITATIONS:
        raise RoomError("Your room has many open invitations: revoke some first.", "email")
    # A new invitation to the same address replaces the open one.
    db.session.execute(
        update(RoomInvitation)
        .where(
            RoomInvitation.account_id == inviter.account_id,
            RoomInvitation.email == email,
            RoomInvitation.status == "pending",
        )
        .values(status="revoked", responded_at=now)
    )
    token = new_token()
    invitation = RoomInvitation(
        account_id=inviter.account_id,
        email=email,
        role=role,
        token_hash=token_hash(token),
        invited_by_id=inviter.id,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(invitation)
    db.session.flush()
    record_event(actor, "committee_invited", invitation_id=invitation.id)
    return invitation, token


def invitation_for_token(token: str, now: datetime | None = None) -> RoomInvitation:
    """The open invitation behind a link; used, declined, revoked or expired ones are not
    found (the page says only that the link no longer works)."""
    now = now or datetime.now(UTC)
    invitation = db.session.scalar(
        select(RoomInvitation).where(RoomInvitation.token_hash == token_hash(token or ""))
    )
    if invitation is None or invitation.status != "pending" or invitation.expires_at <= now:
        raise RoomNotFound("This invitation link no longer works. Ask for a new one.")
    return invitation


def _close(invitation: RoomInvitation, status: str, user: User | None = None) -> None:
    """Use the invitation up, once: a conditional UPDATE so a double click cannot use it twice."""
    result = db.session.execute(
        update(RoomInvitation)
        .where(RoomInvitation.id == invitation.id, RoomInvitation.status == "pending")
        .values(
            status=status,
            responded_at=datetime.now(UTC),
            accepted_user_id=user.id if user else None,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise RoomNotFound("This invitation link no longer works. Ask for a new one.")
    db.session.refresh(invitation)


def _join(user: User, invitation: RoomInvitation, actor_for) -> User:
    """Move ``user`` into the invitation's account and tell who needs to know."""
    _close(invitation, "accepted", user)
    old_account = user.account_id
    if old_account != invitation.account_id:
        _leave_account(user, old_account)
        user.account_id = invitation.account_id
        db.session.flush()
        db.session.expire(user, ["account"])
    if invitation.role and db.session.get(CommitteeRole, user.id) is None:
        db.session.add(CommitteeRole(user_id=user.id, role=invitation.role))
    record_event(actor_for(user), "committee_joined", role=invitation.role or None)
    member_joined.send(
        invitation.account_id, account_id=invitation.account_id, user=user, role=invitation.role
    )
    room_updated(invitation.account_id)
    if old_account != invitation.account_id:
        room_updated(old_account)
    return user


def accept_invitation(user: User, token: str, actor_for) -> User:
    """A signed-in person accepts: only the person the invitation was sent to can. Anyone
    else sees the same "no longer works" as for a used link, so nothing leaks."""
    invitation = invitation_for_token(token)
    if user.email.lower() != invitation.email.lower():
        raise RoomNotFound(
            "This invitation was sent to another address. Sign in with that address."
        )
    if user.is_seller:
        raise RoomNotFound("The vendor's team cannot join a buying room.")
    return _join(user, invitation, actor_for)


def sign_up_with_invitation(
    token: str, password: str, name: str, tracking_consent: bool | None, actor_for
) -> User:
    """Create the invited person's user in the inviting account (not a personal one or
    their domain's), and join the room. Their own consent choice applies to them."""
    invitation = invitation_for_token(token)
    account = db.session.get(Account, invitation.account_id)
    user = create_user(
        invitation.email,
        password,
        name=name or "",
        account=account,
        tracking_consent=tracking_consent,
    )
    return _join(user, invitation, actor_for)


def decline_invitation(token: str) -> RoomInvitation:
    """The invited person says no (no sign-in needed: the link is theirs)."""
    invitation = invitation_for_token(token)
    _close(invitation, "declined")
    return invitation


def revoke_invitation(member: User, invitation_id: int) -> RoomInvitation:
    invitation = db.session.get(RoomInvitation, invitation_id)
    if invitation is None or invitation.account_id != member.account_id:
        raise RoomNotFound()
    if invitation.status != "pending":
        raise RoomError("That invitation is no longer open.")
    _close(invitation, "revoked")
    return invitation


def _leave_account(user: User, account_id: int) -> None:
    """What a person leaves behind in a room: their role, their steps' assignment and the
    results they shared with it."""
    db.session.execute(delete(CommitteeRole).where(CommitteeRole.user_id == user.id))
    db.session.execute(
        update(PlanStep)
        .where(PlanStep.account_id == account_id, PlanStep.assignee_id == user.id)
        .values(assignee_id=None)
    )
    db.session.execute(
        update(ResultShare)
        .where(
            ResultShare.account_id == account_id,
            ResultShare.created_by_id == user.id,
            ResultShare.revoked_at.is_(None),
        )
        .values(revoked_at=datetime.now(UTC))
    )


def remove_member(member: User, user_id: int, actor: Actor | None) -> User:
    """Take someone out of the room at once: they move to a personal account of their own
    (so every room page is a 404 for them from the next request on)."""
    target = db.session.get(User, user_id)
    if target is None or target.account_id != member.account_id:
        raise RoomNotFound()
    if target.id == member.id:
        raise RoomError("You cannot remove yourself.")
    account_id = member.account_id
    _leave_account(target, account_id)
    own = Account(name=target.email.split("@", 1)[0], domain=None, is_personal=True)
    db.session.add(own)
    db.session.flush()
    target.account_id = own.id
    db.session.flush()
    db.session.expire(target, ["account"])
    record_event(actor, "committee_member_removed")
    room_updated(account_id)
    return target
