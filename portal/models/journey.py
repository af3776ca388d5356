"""The journey log: what prospects did, recorded server-side after consent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, utcnow


class Event(Base):
    """One thing a buyer did. Append-only; ``props`` hold ids and small codes, never e-mails."""

    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_account_occurred", "account_id", "occurred_at"),
        Index("ix_event_kind_occurred", "kind", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    visitor_id: Mapped[str | None] = mapped_column(String(40), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    # Products are archived, never deleted, so a plain id keeps pointing at them.
    product_id: Mapped[int | None] = mapped_column(index=True)
    props: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
