"""Quotes: a non-binding offer a buyer requests from the cart, numbered and versioned, with
its lines, the PDF exactly as issued, and the buyer's signed acceptance.

A quote never changes once issued: a new price or an expired validity makes a new version of
the same number. Its acceptance is an audit record the database refuses to update or delete
(triggers on SQLite and PostgreSQL, created with the table and by the migration).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DDL,
    CheckConstraint,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, TimestampMixin, utcnow

QUOTE_STATUSES = (
    "awaiting_approval",  # above the approval amount: a seller approves before the buyer can accept
    "sent",  # issued to the buyer
    "viewed",  # the buyer opened it
    "accepted",  # signed online; the order exists
    "expired",  # its validity date passed unaccepted
)
# The statuses a buyer may still accept from, once approved (defined once, for SQL and Python).
ACCEPTABLE_STATUSES = ("sent", "viewed")
OPEN_STATUSES = ("awaiting_approval", "sent", "viewed")  # not accepted, not expired


class Quote(TimestampMixin, Base):
    """One version of a numbered quote: ``number`` stays, ``version`` counts renewals."""

    __tablename__ = "quote"
    __table_args__ = (
        UniqueConstraint("number", "version", name="uq_quote_number_version"),
        CheckConstraint("total >= 0", name="total_not_negative"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), index=True)
    version: Mapped[int] = mapped_column(default=1)
    # SET NULL: an erased user's quotes stay with the seller's records, without the person.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default="sent", index=True)
    currency: Mapped[str] = mapped_column(String(3))
    subtotal: Mapped[int]
    tax: Mapped[int] = mapped_column(default=0)
    total: Mapped[int]
    tax_rate_bp: Mapped[int] = mapped_column(default=0)
    tax_treatment: Mapped[str] = mapped_column(String(20), default="domestic")
    tax_note: Mapped[str] = mapped_column(String(300), default="")
    vat_check: Mapped[str] = mapped_column(String(10), default="none")
    # Buyer details, copied when the quote is issued.
    billing_name: Mapped[str] = mapped_column(String(200))
    billing_address: Mapped[str] = mapped_column(Text, default="")
    billing_country: Mapped[str] = mapped_column(String(2))
    tax_id: Mapped[str] = mapped_column(String(40), default="")
    po_number: Mapped[str] = mapped_column(String(60), default="")
    business: Mapped[bool] = mapped_column(default=True)
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")

    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    valid_until: Mapped[datetime] = mapped_column(index=True)
    payment_terms_days: Mapped[int] = mapped_column(default=30)
    viewed_at: Mapped[datetime | None] = mapped_column(default=None)
    expired_at: Mapped[datetime | None] = mapped_column(default=None)
    needs_approval: Mapped[bool] = mapped_column(default=False)
    approved_at: Mapped[datetime | None] = mapped_column(default=None)
    approved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    renewed_from_id: Mapped[int | None] = mapped_column(ForeignKey("quote.id"), unique=True)
    # The PDF exactly as issued: what the buyer reads, hashes and signs.
    document: Mapped[bytes] = mapped_column(LargeBinary)
    document_sha256: Mapped[str] = mapped_column(String(64))

    lines: Mapped[list[QuoteLine]] = relationship(
        back_populates="quote", order_by="QuoteLine.id", cascade="all, delete-orphan"
    )
    acceptance: Mapped[QuoteAcceptance | None] = relationship(back_populates="quote")

    @property
    def label(self) -> str:
        """The number buyers and sellers quote: ``Q-1A2B3C4D v2``."""
        return f"{self.number} v{self.version}"

    def is_past_validity(self, now: datetime) -> bool:
        """Past its validity date and never accepted: it expires (the one rule, see
        ``portal.commerce.quotes.expire_due_quotes`` for its SQL twin)."""
        return self.status in OPEN_STATUSES and self.valid_until <= now

    def status_at(self, now: datetime) -> str:
        """The status as of ``now``, for pages that only read (expiry not yet written)."""
        return "expired" if self.is_past_validity(now) else self.status


class QuoteLine(Base):
    __tablename__ = "quote_line"
    __table_args__ = (CheckConstraint("quantity >= 1", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quote.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"))
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int]
    unit_amount: Mapped[int]
    total: Mapped[int]

    quote: Mapped[Quote] = relationship(back_populates="lines")


class QuoteAcceptance(Base):
    """Who accepted which document, when and from where: written once, never changed.

    ``quote_id`` is unique (one acceptance per quote version) and so is ``order_id``. It has
    no link to the user row on purpose: erasing a user must not rewrite a signed record.
    """

    __tablename__ = "quote_acceptance"

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quote.id"), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order_record.id"), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    authorised: Mapped[bool]
    accepted_at: Mapped[datetime] = mapped_column(default=utcnow)
    ip_address: Mapped[str] = mapped_column(String(45))
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    document_sha256: Mapped[str] = mapped_column(String(64))

    quote: Mapped[Quote] = relationship(back_populates="acceptance")


class ImmutableRecord(RuntimeError):
    """Raised when code tries to change or delete a signed acceptance."""


@event.listens_for(QuoteAcceptance, "before_update")
@event.listens_for(QuoteAcceptance, "before_delete")
def _refuse_change(mapper, connection, target) -> None:
    raise ImmutableRecord("A quote acceptance is an audit record: it is never changed.")


# The database refuses too, whoever writes (raw SQL, another tool). The migration runs the
# same statements.
IMMUTABLE_SQLITE = [
    f"CREATE TRIGGER quote_acceptance_no_{verb.lower()} BEFORE {verb} ON quote_acceptance "
    "BEGIN SELECT RAISE(ABORT, 'quote_acceptance is immutable'); END"
    for verb in ("UPDATE", "DELETE")
]
IMMUTABLE_POSTGRES = [
    "CREATE OR REPLACE FUNCTION quote_acceptance_immutable() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'quote_acceptance is immutable'; END; $$ LANGUAGE plpgsql",
    "CREATE TRIGGER quote_acceptance_immutable BEFORE UPDATE OR DELETE ON quote_acceptance "
    "FOR EACH ROW EXECUTE FUNCTION quote_acceptance_immutable()",
]
for _statement in IMMUTABLE_SQLITE:
    event.listen(
        QuoteAcceptance.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite")
    )
for _statement in IMMUTABLE_POSTGRES:
    event.listen(
        QuoteAcceptance.__table__,
        "after_create",
        DDL(_statement).execute_if(dialect="postgresql"),
    )
