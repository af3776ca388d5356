"""Carts, orders, payments and refunds: what a buying account bought, at which price, and
where the payment stands.

Money is integer minor units plus an ISO 4217 currency. The database itself guarantees the
things that must never happen twice: one order per checked-out cart (``Order.cart_key``), one
payment per provider reference, one processed row per webhook event, one credit note per order.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, TimestampMixin, utcnow
from portal.models.catalog import Plan

ORDER_STATUSES = (
    "pending",  # created, card payment not confirmed yet
    "awaiting_payment",  # invoice / purchase order issued
    "paid",
    "failed",
    "cancelled",
    "refunded",
)
# The payment states, defined once: SQL filters and Python checks both use these.
UNPAID_STATUSES = ("pending", "awaiting_payment", "failed")  # may still be paid or cancelled
CARD_DUE_STATUSES = ("pending", "failed")  # a card order the buyer can (re)try paying
SETTLED_STATUSES = ("paid", "refunded")  # the order's document is an invoice, not a quote
PAYMENT_METHODS = ("card", "invoice")
ATTEMPT_STATUSES = (
    "new",  # stored before asking Stripe, so a retry reuses its idempotency key
    "open",  # the PaymentIntent exists and waits for the buyer's card
    "succeeded",
    "failed",  # declined; the buyer may start another attempt
    "error",  # Stripe could not be reached or refused the request
)


class Cart(TimestampMixin, Base):
    """One cart per owner: ``u<user id>`` or ``v<visitor id>`` (a consenting visitor)."""

    __tablename__ = "cart"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_key: Mapped[str] = mapped_column(String(60), unique=True)
    # Set by the first item; one currency per cart.
    currency: Mapped[str | None] = mapped_column(String(3))
    # ISO 3166 alpha-2 country used to estimate tax before checkout.
    country: Mapped[str | None] = mapped_column(String(2))
    # Incremented each time the cart becomes an order: ``<id>:<checkouts>`` names one checkout.
    checkouts: Mapped[int] = mapped_column(default=0)

    items: Mapped[list[CartItem]] = relationship(
        back_populates="cart", order_by="CartItem.id", cascade="all, delete-orphan"
    )

    @property
    def checkout_key(self) -> str:
        return f"{self.id}:{self.checkouts}"


class CartItem(TimestampMixin, Base):
    __tablename__ = "cart_item"
    __table_args__ = (
        UniqueConstraint("cart_id", "plan_id", name="uq_cart_item_cart_plan"),
        CheckConstraint("quantity >= 1", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("cart.id", ondelete="CASCADE"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    quantity: Mapped[int]
    # The unit price the buyer saw (and confirmed); a different current price must be confirmed.
    unit_amount_seen: Mapped[int]

    cart: Mapped[Cart] = relationship(back_populates="items")
    plan: Mapped[Plan] = relationship()


class Order(TimestampMixin, Base):
    """One checkout of a cart; ``status`` says where the payment stands (ORDER_STATUSES)."""

    __tablename__ = "order_record"
    __table_args__ = (
        CheckConstraint("total >= 0", name="total_not_negative"),
        CheckConstraint("subtotal >= 0", name="subtotal_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    # SET NULL: an erased user's orders stay for the books, without the person.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    payment_method: Mapped[str] = mapped_column(String(10))
    currency: Mapped[str] = mapped_column(String(3))
    subtotal: Mapped[int]
    tax: Mapped[int] = mapped_column(default=0)
    total: Mapped[int]
    paid_at: Mapped[datetime | None] = mapped_column(default=None)

    # Which checkout of which cart produced this order: unique, so a double-submitted or
    # concurrent checkout of one cart can only ever create one order.
    cart_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    # Company details, copied at checkout (the books keep them after a user is erased).
    billing_name: Mapped[str] = mapped_column(String(200), default="")
    billing_address: Mapped[str] = mapped_column(Text, default="")
    billing_country: Mapped[str] = mapped_column(String(2), default="")
    tax_id: Mapped[str] = mapped_column(String(40), default="")
    po_number: Mapped[str] = mapped_column(String(60), default="")
    tax_rate_bp: Mapped[int] = mapped_column(default=0)  # basis points: 1900 = 19 %
    # How the VAT was decided (portal.commerce.tax): domestic | reverse_charge | eu_consumer |
    # export, the note printed on the documents, and how the VAT id was checked.
    tax_treatment: Mapped[str] = mapped_column(String(20), default="")
    tax_note: Mapped[str] = mapped_column(String(120), default="")
    vat_check: Mapped[str] = mapped_column(String(10), default="none")  # offline | vies | none
    buyer_is_business: Mapped[bool] = mapped_column(default=True)
    quote_valid_until: Mapped[datetime | None] = mapped_column(default=None)
    cancelled_at: Mapped[datetime | None] = mapped_column(default=None)
    refunded_at: Mapped[datetime | None] = mapped_column(default=None)

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.id", cascade="all, delete-orphan"
    )
    history: Mapped[list[OrderStatusChange]] = relationship(
        back_populates="order", order_by="OrderStatusChange.id", cascade="all, delete-orphan"
    )
    attempts: Mapped[list[PaymentAttempt]] = relationship(
        back_populates="order", order_by="PaymentAttempt.number", cascade="all, delete-orphan"
    )
    payments: Mapped[list[Payment]] = relationship(
        back_populates="order", order_by="Payment.id", cascade="all, delete-orphan"
    )
    credit_note: Mapped[CreditNote | None] = relationship(
        back_populates="order", cascade="all, delete-orphan"
    )

    @property
    def awaiting_card_payment(self) -> bool:
        """A card order whose payment the buyer can start or retry."""
        return self.payment_method == "card" and self.status in CARD_DUE_STATUSES

    @property
    def is_settled(self) -> bool:
        """Paid (or paid and refunded): its document is an invoice."""
        return self.status in SETTLED_STATUSES


class OrderLine(Base):
    __tablename__ = "order_line"
    __table_args__ = (CheckConstraint("quantity >= 1", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order_record.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"))
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int]
    unit_amount: Mapped[int]
    total: Mapped[int]

    order: Mapped[Order] = relationship(back_populates="lines")


class OrderStatusChange(Base):
    """The order's history, shown to the buyer and the seller."""

    __tablename__ = "order_status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("order_record.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(300), default="")
    # Who did it; NULL for the buyer's checkout steps run by the system (webhooks).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[Order] = relationship(back_populates="history")


class PaymentAttempt(TimestampMixin, Base):
    """One try at paying an order by card: one Stripe PaymentIntent."""

    __tablename__ = "payment_attempt"
    __table_args__ = (UniqueConstraint("order_id", "number", name="uq_payment_attempt_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("order_record.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    # Sent to Stripe as the Idempotency-Key: a retried request can never create a second intent.
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    provider_ref: Mapped[str | None] = mapped_column(String(80), unique=True)  # pi_...
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(12), default="new")
    failure_message: Mapped[str] = mapped_column(String(300), default="")

    order: Mapped[Order] = relationship(back_populates="attempts")


class Payment(Base):
    """Money received for an order: a succeeded card payment or a bank transfer."""

    __tablename__ = "payment"
    __table_args__ = (
        UniqueConstraint("provider", "reference", name="uq_payment_provider_reference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("order_record.id", ondelete="CASCADE"), index=True
    )
    provider: Mapped[str] = mapped_column(String(20))  # stripe | bank_transfer
    reference: Mapped[str] = mapped_column(String(80))
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[Order] = relationship(back_populates="payments")


class CreditNote(Base):
    """A refund: one per order (full refunds). Card refunds also name the Stripe refund."""

    __tablename__ = "credit_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("order_record.id", ondelete="CASCADE"), unique=True
    )
    number: Mapped[str] = mapped_column(String(24), unique=True)
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(String(300), default="")
    stripe_refund_id: Mapped[str | None] = mapped_column(String(80), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[Order] = relationship(back_populates="credit_note")


class ProcessedWebhookEvent(Base):
    """A provider event handled once: its id is unique, so a redelivery is a no-op."""

    __tablename__ = "processed_webhook_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(60))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("order_record.id", ondelete="SET NULL"))
    outcome: Mapped[str] = mapped_column(String(40))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
