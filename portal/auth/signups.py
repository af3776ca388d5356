"""E-mail-confirmed sign-up: a request waits until its address proves it reads the mail.

The sign-up form answers the same "check your inbox" for every address; what happens next
runs after the response (see ``portal.boundary.perform_after_response``): a new address gets
a confirmation link, an address that already has an account gets a note saying someone tried
to sign up with it. Following the link and entering the same password creates the user.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete
from werkzeug.security import check_password_hash

from portal.auth import services
from portal.auth.services import AuthError, create_user, find_user_by_email, normalise_email
from portal.bounds import MAX_ID
from portal.extensions import db
from portal.models import SignupRequest, User


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="signup-confirm")


def request_signup(
    email: str,
    password: str,
    *,
    name: str = "",
    company: str | None = None,
    next_path: str | None = None,
    max_age: int,
) -> SignupRequest | User:
    """Record a sign-up for ``email`` (already validated), or return the existing user of
    that address. Requests older than ``max_age`` seconds are cleared on the way."""
    clear_expired_signups(max_age)
    email = normalise_email(email)
    user = find_user_by_email(email)
    if user is not None:
        return user
    signup = SignupRequest(
        email=email,
        name=(name or "").strip()[:120],
        company=(company or "").strip()[:200] or None,
        password_hash=services.generate_password_hash(password),  # the one KDF setting
        next_path=(next_path or "")[:500] or None,
    )
    db.session.add(signup)
    db.session.flush()
    return signup


def clear_expired_signups(max_age: int, now: datetime | None = None) -> int:
    """Delete the sign-up requests older than ``max_age`` seconds (their links no longer
    work, and each holds a password hash); return how many. Runs on every sign-up and on the
    ``flask worker`` purge schedule, so they go even when nobody signs up."""
    cutoff = (now or datetime.now(UTC)) - timedelta(seconds=max_age)
    return db.session.execute(
        delete(SignupRequest).where(SignupRequest.created_at < cutoff)
    ).rowcount


def confirmation_token(signup: SignupRequest, secret_key: str) -> str:
    return _serializer(secret_key).dumps({"sid": signup.id})


def signup_for_token(token: str, secret_key: str, max_age: int) -> SignupRequest | None:
    """The waiting request a confirmation link names, or None when the link is forged,
    expired or was used (a used request is gone)."""
    try:
        data = _serializer(secret_key).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    sid = data.get("sid") if isinstance(data, dict) else None
    if not isinstance(sid, int) or not 1 <= sid <= MAX_ID:
        return None
    return db.session.get(SignupRequest, sid)


def confirm_signup(signup: SignupRequest, password: str) -> User:
    """Create the user of a confirmed request. The password must be the one chosen at
    sign-up: whoever started a sign-up with someone else's address cannot have it confirmed
    by that person's click. Every waiting request for the address ends with it."""
    if not password or not check_password_hash(signup.password_hash, password):
        raise AuthError("That is not the password chosen for this sign-up.", "password")
    email = signup.email
    if find_user_by_email(email) is not None:
        _forget(email)
        raise AuthError("This address has an account already. Sign in instead.", "password")
    user = create_user(
        email,
        password,
        name=signup.name,
        company=signup.company,
        password_hash=signup.password_hash,
    )
    _forget(email)
    return user


def _forget(email: str) -> None:
    db.session.execute(
        delete(SignupRequest)
        .where(SignupRequest.email == email)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
