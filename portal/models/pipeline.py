"""The seller pipeline: one Deal per buying account, stages derived from the buyer's journey.

A Deal is a pre-aggregate of the account's events (counters, score, value), so the board's
cost grows with deals, not events. ``flask pipeline rebuild`` recomputes every Deal from the
raw events and must agree with the incremental path.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.accounts import Account, User
from portal.models.base import Base, TimestampMixin, utcnow

TRANSITION_KINDS = ("entered", "advanced", "lost", "reopened")
NOTIFICATION_KINDS = (
    "order_placed",
    "quote_requested",
    "quote_accepted",
    "quote_expiring",
    "reference",
    "stage",
    "stalled",
    "score_jump",
    "committee",
    "plan_overdue",
    "question",
)
DELIVERY_STATUSES = ("pending", "sending", "delivered", "failed")


class Stage(TimestampMixin, Base):
    """A step of the buyer's process, entered when its criteria on event counts hold."""

    __tablename__ = "stage"
    __table_args__ = (
        CheckConstraint("probability >= 0 AND probability <= 100", name="probability_percent"),
        CheckConstraint("stalled_after_days >= 0", name="stalled_days_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    # Win probability in percent, used by the weighted forecast.
    probability: Mapped[int] = mapped_column(default=0)
    # e.g. "demo_completed >= 1 AND testimonials_viewed >= 1"; empty = always holds.
    criteria: Mapped[str] = mapped_column(String(500), default="")
    # Days without activity after which a deal in this stage is flagged stalled; 0 = never.
    stalled_after_days: Mapped[int] = mapped_column(default=14)
    # The stage that means "bought" (won deals, win rate); the Customer stage by default.
    is_won: Mapped[bool] = mapped_column(default=False)
    # Tell sellers when a deal enters this stage (Deciding by default).
    notify_on_entry: Mapped[bool] = mapped_column(default=False)
    description: Mapped[str] = mapped_column(String(300), default="")


class Deal(Base):
    """Where one buying account is in its buying process."""

    __tablename__ = "deal"
    __table_args__ = (
        Index("ix_deal_stage_score", "stage_id", "score_log"),
        # Also covers the "stalled" filter's totals (stage, last activity, open, value).
        Index("ix_deal_stage_activity", "stage_id", "last_activity_at", "lost_at", "value"),
        # Also covers the forecast (open deals' value by stage, currency and entry day) and the
        # pipeline numbers (count and value by stage, currency, lost or not).
        Index(
            "ix_deal_stage_value", "stage_id", "value", "lost_at", "stage_entered_at", "currency"
        ),
        # Covers the funnel: deals opened in a period, by stage, lost or not.
        Index("ix_deal_stage_opened", "stage_id", "opened_at", "lost_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), unique=True
    )
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stage.id", ondelete="SET NULL"))
    stage_entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    # When the first event arrived and the last one happened.
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_event_id: Mapped[int | None] = mapped_column(default=None)
    # {kind: count}; {product_id (str): {kind: count}}
    counters: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    product_counters: Mapped[dict[str, dict[str, int]]] = mapped_column(JSON, default=dict)
    # User ids of the people whose events made this deal, in order of appearance.
    people: Mapped[list[int]] = mapped_column(JSON, default=list)
    # Engagement score as ln(score) + t * ln2 / half_life (t in days since PIPELINE_EPOCH):
    # one number per deal whose order equals the order of the decayed scores at any moment,
    # so the board can sort and filter by score in SQL. NULL = no weighted activity yet.
    score_log: Mapped[float | None] = mapped_column(Float, default=None)
    # Open cart lines {plan_id (str): quantity}, paid totals {currency: amount}, products tried.
    cart: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    paid: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    tried_products: Mapped[list[int]] = mapped_column(JSON, default=list)
    # The account's orders and quotes as the events told them (portal.pipeline.value):
    # {order_id (str): {...}}, {quote number: {...}}; net amounts, status, refunds.
    orders: Mapped[dict[str, dict]] = mapped_column(JSON, default=dict)
    quotes: Mapped[dict[str, dict]] = mapped_column(JSON, default=dict)
    # Net of tax, from the strongest signal (portal.pipeline.value.SOURCE_KINDS).
    value: Mapped[int] = mapped_column(default=0)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    # "paid", "order", "quote", "cart", "refunded", "tried" or "" (no value yet).
    value_source: Mapped[str] = mapped_column(String(8), default="")
    # The order or quote number behind the value, the id of the order / quote / product
    # tried (the link target), and the words: "open invoice order TD-48".
    value_ref: Mapped[str] = mapped_column(String(40), default="")
    value_ref_id: Mapped[int | None] = mapped_column(default=None)
    value_label: Mapped[str] = mapped_column(String(120), default="")
    lost_at: Mapped[datetime | None] = mapped_column(default=None)
    lost_reason: Mapped[str] = mapped_column(String(300), default="")
    # The buying committee's room as the room last told it (not derived from events): members,
    # distinct roles, plan steps done / total, live shares and the due date of the oldest
    # overdue step (portal.room.summary). Criteria read it; the board shows it.
    room: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Alert bookkeeping (not derived from events): the score when sellers were last told.
    alerted_score_log: Mapped[float | None] = mapped_column(Float, default=None)

    account: Mapped[Account] = relationship()
    stage: Mapped[Stage | None] = relationship()
    owner: Mapped[User | None] = relationship()


class DealProduct(Base):
    """Which products a deal touched: lets the board and analytics filter by product in SQL."""

    __tablename__ = "deal_product"

    deal_id: Mapped[int] = mapped_column(
        ForeignKey("deal.id", ondelete="CASCADE"), primary_key=True
    )
    product_id: Mapped[int] = mapped_column(primary_key=True, index=True)


class StageTransition(Base):
    """A change of a deal's stage, naming the event (or the seller) that caused it."""

    __tablename__ = "stage_transition"
    __table_args__ = (
        Index("ix_stage_transition_deal_occurred", "deal_id", "occurred_at"),
        # Covering index for the median time in stage over a period.
        Index("ix_stage_transition_period", "occurred_at", "from_stage_id", "from_stage_seconds"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deal.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    from_stage_id: Mapped[int | None] = mapped_column(ForeignKey("stage.id", ondelete="SET NULL"))
    to_stage_id: Mapped[int | None] = mapped_column(
        ForeignKey("stage.id", ondelete="SET NULL"), index=True
    )
    # Seconds the deal had spent in ``from_stage`` (median time in stage reads this).
    from_stage_seconds: Mapped[int | None] = mapped_column(default=None)
    # The event that caused it (NULL for a seller's "lost"), and the seller who did.
    event_id: Mapped[int | None] = mapped_column(default=None)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(300), default="")
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)

    from_stage: Mapped[Stage | None] = relationship(foreign_keys=[from_stage_id])
    to_stage: Mapped[Stage | None] = relationship(foreign_keys=[to_stage_id])
    actor: Mapped[User | None] = relationship()


class StageHistoryVersion(Base):
    """One row: a number raised in the same transaction as every change to the stage history
    or to which products deals touched (portal.pipeline.history_figures). Figures computed
    from that history (medians per stage) are cached under it, so a page reads them without
    reading every transition. No row yet = version 0."""

    __tablename__ = "stage_history_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(default=0)


class DealNote(TimestampMixin, Base):
    __tablename__ = "deal_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deal.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(Text)

    author: Mapped[User | None] = relationship()


class Notification(Base):
    """An in-app alert for a seller; the e-mail digest sends the ones not mailed yet."""

    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_user_read", "user_id", "read_at"),
        Index("ix_notification_deal_once", "deal_id", "once_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deal.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # NOTIFICATION_KINDS
    # What the alert is about ("order:48", "stalled:<deal>:<last activity>"): a deal raises
    # an alert with a given key once (portal.pipeline.alerts.notify).
    once_key: Mapped[str] = mapped_column(String(80), default="")
    message: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(default=None)
    emailed_at: Mapped[datetime | None] = mapped_column(default=None, index=True)

    deal: Mapped[Deal | None] = relationship()


class ApiToken(Base):
    """A seller's bearer token for the JSON API. Only a SHA-256 of the secret is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))
    # The first characters, shown so people can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)

    user: Mapped[User] = relationship()


class WebhookEndpoint(TimestampMixin, Base):
    """A URL an admin registered to hear about stage changes, with its signing secret."""

    __tablename__ = "webhook_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(String(200), default="")
    # HMAC-SHA256 key; a shared secret has to be stored as is to sign with it.
    secret: Mapped[str] = mapped_column(String(80))
    is_active: Mapped[bool] = mapped_column(default=True)

    deliveries: Mapped[list[WebhookDelivery]] = relationship(
        back_populates="endpoint", cascade="all, delete-orphan", passive_deletes=True
    )


class WebhookDelivery(Base):
    """One message to one endpoint: the delivery log and the retry queue in one table."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_delivery_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoint.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    last_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    last_status_code: Mapped[int | None] = mapped_column(default=None)
    last_error: Mapped[str] = mapped_column(String(300), default="")
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    endpoint: Mapped[WebhookEndpoint] = relationship(back_populates="deliveries")
