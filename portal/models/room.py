"""The buying committee's room: roles, invitations, the shortlist and its comments, shared
trial results, and the mutual evaluation plan.

Membership is the account itself: the room of an account is open to its users
(``User.account_id``); removing a member moves them to a personal account of their own, so
access ends with the same change that ends membership.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.accounts import Account, User
from portal.models.base import Base, utcnow
from portal.models.catalog import Product
from portal.models.trials import TrialRun

# The role a person says they play in the purchase (chosen by themselves).
COMMITTEE_ROLES = {
    "champion": "Champion",
    "decision_maker": "Decision-maker",
    "finance": "Finance",
    "it_security": "IT / security",
    "user": "User",
    "other": "Other",
}
INVITATION_STATUSES = ("pending", "accepted", "declined", "revoked")
SHARE_SCOPES = ("account", "link")
STEP_STATUSES = ("active", "proposed", "declined")
# Steps that complete themselves when the matching journey event arrives.
STEP_AUTO_KINDS = {
    "own_data_demo": "a demo run on your own data",
    "reference_call": "a reference call held",
    "quote_accepted": "a quote accepted",
    "order_paid": "an order paid",
}


class CommitteeRole(Base):
    """A member's self-chosen role; no row means "not said yet"."""

    __tablename__ = "committee_role"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RoomInvitation(Base):
    """An invitation to join a buying account's room, by e-mail; the link's token is stored
    only as its SHA-256, so the table cannot be turned back into working links."""

    __tablename__ = "room_invitation"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'accepted', 'declined', 'revoked')", name="status_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(20), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    responded_at: Mapped[datetime | None] = mapped_column(default=None)
    accepted_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    account: Mapped[Account] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])


class ShortlistItem(Base):
    """A product the committee is considering."""

    __tablename__ = "shortlist_item"
    __table_args__ = (UniqueConstraint("account_id", "product_id", name="uq_shortlist_product"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    added_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    product: Mapped[Product] = relationship()
    added_by: Mapped[User | None] = relationship()
    comments: Mapped[list[ShortlistComment]] = relationship(
        back_populates="item",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ShortlistComment.created_at, ShortlistComment.id",
    )


class ShortlistComment(Base):
    """Plain text about a shortlisted product (escaped when shown). Erasing the author
    removes the text and the link to them."""

    __tablename__ = "shortlist_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("shortlist_item.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[ShortlistItem] = relationship(back_populates="comments")
    author: Mapped[User | None] = relationship()


class ResultShare(Base):
    """A trial run's result shared read-only: with the account, or through a link whose token
    is stored only as its SHA-256. Links expire and can be revoked."""

    __tablename__ = "result_share"
    __table_args__ = (CheckConstraint("scope IN ('account', 'link')", name="scope_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("trial_run.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE")
    )
    scope: Mapped[str] = mapped_column(String(8))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    allow_download: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    views: Mapped[int] = mapped_column(default=0)

    run: Mapped[TrialRun] = relationship()
    created_by: Mapped[User | None] = relationship()

    def live_at(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class PlanTemplate(Base):
    """A product's proposed evaluation plan (admin-edited), one step per line."""

    __tablename__ = "plan_template"

    product_id: Mapped[int] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE"), primary_key=True
    )
    # Lines "Title" or "Title | auto kind" (see STEP_AUTO_KINDS).
    steps: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PlanStep(Base):
    """One step of the account's mutual evaluation plan. The buyer owns active steps; a
    seller's proposal stays "proposed" until a member accepts it."""

    __tablename__ = "plan_step"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'proposed', 'declined')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(120))
    auto_kind: Mapped[str] = mapped_column(String(20), default="")
    status: Mapped[str] = mapped_column(String(10), default="active")
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    due_on: Mapped[date | None] = mapped_column(Date, default=None)
    done_at: Mapped[datetime | None] = mapped_column(default=None)
    done_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # Set when the step completed itself: what did it ("a demo run on your own data").
    done_by_event: Mapped[str] = mapped_column(String(40), default="")
    proposed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    overdue_alerted_on: Mapped[date | None] = mapped_column(Date, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    done_by: Mapped[User | None] = relationship(foreign_keys=[done_by_id])
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])
    comments: Mapped[list[PlanComment]] = relationship(
        back_populates="step",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="PlanComment.created_at, PlanComment.id",
    )

    @property
    def done(self) -> bool:
        return self.done_at is not None


class PlanComment(Base):
    """A comment on a plan step, by a member or a seller."""

    __tablename__ = "plan_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("plan_step.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    step: Mapped[PlanStep] = relationship(back_populates="comments")
    author: Mapped[User | None] = relationship()


class RoomSnapshot(Base):
    """The room's figures (``portal.room.summary.room_summary``) from a moment on: one row per
    change. The pipeline replays them with the events, so a rebuilt deal sees the room as it
    was at each point, and a deal opened after the room's first changes starts with them.
    Counts and a date only: nothing about a person."""

    __tablename__ = "room_snapshot"
    __table_args__ = (Index("ix_room_snapshot_account_at", "account_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
