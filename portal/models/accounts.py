"""People and the buying accounts (committees) they belong to."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, TimestampMixin, utcnow

ROLES = ("buyer", "seller", "admin")
# The vendor's own people: their browsing is not a buying account's journey.
STAFF_ROLES = ("seller", "admin")


class Account(TimestampMixin, Base):
    """A buying account: everyone from one company domain, or one person on free mail."""

    __tablename__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Company domain shared by the committee; NULL for a personal (free-mail) account.
    domain: Mapped[str | None] = mapped_column(String(253), unique=True)
    is_personal: Mapped[bool] = mapped_column(default=False)

    users: Mapped[list[User]] = relationship(back_populates="account")


class User(UserMixin, TimestampMixin, Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    # Indexed: alerts and rebuilds look up the few sellers and admins among many buyers.
    role: Mapped[str] = mapped_column(String(16), default="buyer", index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    # Tracking consent: None = not asked yet, True = accepted, False = declined.
    tracking_consent: Mapped[bool | None] = mapped_column(default=None)
    consent_changed_at: Mapped[datetime | None] = mapped_column(default=None)
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)
    # Part of every session and remember cookie (``get_id``); raising it ends them all.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # Only the reset link carrying the latest nonce works; a new request replaces it.
    reset_nonce: Mapped[str | None] = mapped_column(String(32), default=None)

    account: Mapped[Account] = relationship(back_populates="users")

    def get_id(self) -> str:
        """The id Flask-Login signs into the session and the remember cookie."""
        return f"{self.id}:{self.session_version or 0}"

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@", 1)[0]

    @property
    def is_seller(self) -> bool:
        """Seller or admin (see ``STAFF_ROLES``)."""
        return self.role in STAFF_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def has_role(self, *roles: str) -> bool:
        """Admins hold every seller power as well."""
        return self.role in roles or (self.role == "admin" and "seller" in roles)


class SignupRequest(Base):
    """A sign-up waiting for its address to be confirmed. No user or account exists until
    the link mailed to the address is followed and the same password entered again, so an
    unconfirmed address never joins a company's account and nobody can claim an address
    they cannot read mail for. Followed once (then every request for the address goes)."""

    __tablename__ = "signup_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    company: Mapped[str | None] = mapped_column(String(200), default=None)
    password_hash: Mapped[str] = mapped_column(String(255))
    # Where the sign-up page was to lead (a local path), kept for after the confirmation.
    next_path: Mapped[str | None] = mapped_column(String(500), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
