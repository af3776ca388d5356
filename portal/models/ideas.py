"""The ideas board: buyers post ideas, vote and comment; staff merge duplicates and set a
status with a public note; voters and the author hear about each change.

Vote counts are kept on the idea (``vote_count``, ``customer_vote_count``, ``trend_log``) so
the board lists ideas without counting votes: its cost grows with the page, not the votes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.accounts import Account, User
from portal.models.base import Base, TimestampMixin, utcnow
from portal.models.catalog import Product

# Codes are stored, labels shown; the order is the board's "status" sort.
IDEA_STATUSES: dict[str, str] = {
    "new": "New",
    "under_review": "Under review",
    "planned": "Planned",
    "in_progress": "In progress",
    "shipped": "Shipped",
    "declined": "Declined",
}
IDEA_TITLE_MAX = 140
IDEA_BODY_MAX = 5000
IDEA_NOTE_MAX = 1000
IDEA_COMMENT_MAX = 2000

_STATUS_CHECK = "status IN ({})".format(", ".join(f"'{code}'" for code in IDEA_STATUSES))


class Idea(TimestampMixin, Base):
    """One idea; ``merged_into_id`` set means it was a duplicate and its votes moved."""

    __tablename__ = "idea"
    __table_args__ = (
        CheckConstraint(_STATUS_CHECK, name="status_known"),
        CheckConstraint("vote_count >= 0 AND customer_vote_count >= 0", name="votes_positive"),
        Index("ix_idea_board_votes", "merged_into_id", "is_hidden", "vote_count"),
        Index("ix_idea_board_trend", "merged_into_id", "is_hidden", "trend_log"),
        Index("ix_idea_product_status", "product_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # NULL: an idea about the portal or the vendor as a whole.
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id", ondelete="SET NULL"))
    # NULL once the author erased their account (the idea stays, anonymised).
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(IDEA_TITLE_MAX))
    # Limited Markdown as typed; rendered through the sanitiser when shown.
    description_md: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="new")
    status_note: Mapped[str] = mapped_column(Text, default="")
    status_changed_at: Mapped[datetime | None] = mapped_column(default=None)
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("idea.id", ondelete="SET NULL"), index=True
    )
    is_hidden: Mapped[bool] = mapped_column(default=False)
    vote_count: Mapped[int] = mapped_column(default=0)
    customer_vote_count: Mapped[int] = mapped_column(default=0)
    comment_count: Mapped[int] = mapped_column(default=0)
    # ln(Σ 2^(t_vote / half-life)), t in days since the epoch: ordering by it equals ordering
    # by the time-decayed vote count at any moment (portal.ideas.trending). NULL = no votes.
    trend_log: Mapped[float | None] = mapped_column(Float, default=None)

    product: Mapped[Product | None] = relationship()
    author: Mapped[User | None] = relationship()
    merged_into: Mapped[Idea | None] = relationship(remote_side=[id])

    @property
    def status_label(self) -> str:
        return IDEA_STATUSES.get(self.status, self.status)


class IdeaVote(Base):
    """One person's vote; ``is_customer``: they had a paid order when they voted."""

    __tablename__ = "idea_vote"
    __table_args__ = (UniqueConstraint("idea_id", "user_id", name="uq_idea_vote_idea_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    is_customer: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    account: Mapped[Account] = relationship()


class IdeaComment(TimestampMixin, Base):
    """A comment under an idea, plain text (escaped when shown)."""

    __tablename__ = "idea_comment"
    __table_args__ = (Index("ix_idea_comment_idea_created", "idea_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    is_staff: Mapped[bool] = mapped_column(default=False)
    body: Mapped[str] = mapped_column(Text)
    is_hidden: Mapped[bool] = mapped_column(default=False)

    author: Mapped[User | None] = relationship()


class IdeaNotice(Base):
    """Something a voter or author should hear about an idea (a status change, a merge).

    Notices wait here until ``send_idea_updates`` mails each person one message with all
    of theirs: one change is one e-mail, several changes at once are one digest.
    """

    __tablename__ = "idea_notice"
    __table_args__ = (Index("ix_idea_notice_pending", "sent_at", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))  # "status" or "merged"
    message: Mapped[str] = mapped_column(String(IDEA_NOTE_MAX + 300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)

    user: Mapped[User] = relationship()
    idea: Mapped[Idea] = relationship()
