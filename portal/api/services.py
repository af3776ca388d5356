"""API tokens: created and revoked by sellers; only a SHA-256 of each secret is stored.

The secrets are 256 random bits, so a fast hash is enough (there is nothing to brute-force);
looking a token up by its hash also avoids comparing secrets at all.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from portal.errors import ServiceError
from portal.extensions import db
from portal.models import ApiToken, User

PREFIX = "td_"


class TokenError(ServiceError):
    """A token action that cannot be done; the message is meant for the seller."""


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for ``user``. Returns it with the secret, which is shown only once."""
    if not user.has_role("seller"):
        raise TokenError("Only sellers and admins can use the API.")
    name = " ".join((name or "").split())[:80]
    if not name:
        raise TokenError("Name the token.")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, prefix=secret[:10], token_hash=hash_token(secret))
    db.session.add(token)
    db.session.flush()
    return token, secret


def tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())
        )
    )


def revoke_token(user: User, token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise LookupError("No such token.")
    if token.revoked_at is None:
        token.revoked_at = datetime.now(UTC)
        db.session.flush()
    return token


def authenticate(secret: str | None, now: datetime | None = None) -> ApiToken | None:
    """The live token for a bearer secret, or None (unknown, revoked, or not a seller now)."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if token is None or token.revoked_at is not None or not token.user.has_role("seller"):
        return None
    now = now or datetime.now(UTC)
    # Note the use at most once a minute: no write per request.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
        db.session.flush()
    return token
