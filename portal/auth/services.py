"""Accounts and sign-in: users, buying accounts, passwords, reset tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from email_validator import EmailNotValidError, validate_email
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from portal.bounds import MAX_ID, bounded_int
from portal.errors import ServiceError
from portal.extensions import db
from portal.models import ROLES, Account, User

MIN_PASSWORD_LENGTH = 10

FREE_MAIL_DOMAINS = frozenset(
    [
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "yahoo.co.uk",
        "ymail.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.com",
        "zoho.com",
        "yandex.com",
        "yandex.ru",
        "fastmail.com",
        "hey.com",
        "tutanota.com",
        "mail.ru",
        "qq.com",
        "163.com",
    ]
)

# A short list of the passwords people pick most (all at least 10 characters long, since
# shorter ones are already refused by the length rule).
COMMON_PASSWORDS = frozenset(
    [
        "1234567890",
        "0123456789",
        "1234567891",
        "12345678910",
        "1111111111",
        "0000000000",
        "1q2w3e4r5t",
        "qwertyuiop",
        "password12",
        "password123",
        "password1234",
        "passw0rd123",
        "iloveyou12",
        "iloveyou123",
        "abcdefghij",
        "abc1234567",
        "qwerty1234",
        "qwerty12345",
        "1qaz2wsx3edc",
        "zaq12wsxcde",
        "letmein123",
        "welcome123",
        "welcome1234",
        "football12",
        "baseball12",
        "sunshine12",
        "princess12",
        "dragon1234",
        "monkey1234",
        "changeme123",
        "administrator",
        "admin12345",
        "admin123456",
        "testtest12",
        "trustno1234",
        "starwars12",
        "superman12",
        "asdfghjkl1",
        "asdfghjkl;",
        "qazwsxedcr",
        "9876543210",
        "aaaaaaaaaa",
        "passwordpassword",
        "testdrive123",
        "mypassword1",
        "mypassword123",
        "secret1234",
        "secret12345",
    ]
)


class AuthError(ServiceError):
    """A sign-up or sign-in problem with a message meant for the person.

    ``field`` names the form field the message belongs to.
    """

    def __init__(self, message: str, field: str = "email"):
        super().__init__(message, field)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_email(email: str) -> str:
    """The normalised address, or AuthError saying what is wrong with it."""
    try:
        result = validate_email(
            email.strip(), check_deliverability=False, globally_deliverable=False
        )
    except EmailNotValidError as error:
        raise AuthError(f"Enter a valid e-mail address ({error}).") from None
    return result.normalized.lower()


def email_domain(email: str) -> str:
    return normalise_email(email).rsplit("@", 1)[-1]


def password_problem(password: str) -> str | None:
    """Why a password is refused, in words, or None when it is fine."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > 256:
        return "Use at most 256 characters."
    if password.lower() in COMMON_PASSWORDS or len(set(password)) <= 2:
        return "That password is too common. Pick something harder to guess."
    return None


def account_for_email(email: str, company: str | None = None) -> Account:
    """The buying account a new user joins: shared by company domain, personal on free mail."""
    domain = email_domain(email)
    if domain in FREE_MAIL_DOMAINS:
        account = Account(name=company or email.split("@", 1)[0], domain=None, is_personal=True)
        db.session.add(account)
        return account
    account = db.session.scalar(select(Account).where(Account.domain == domain))
    if account is None:
        account = Account(name=company or domain, domain=domain, is_personal=False)
        db.session.add(account)
    return account


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def create_user(
    email: str,
    password: str,
    *,
    name: str = "",
    role: str = "buyer",
    company: str | None = None,
    tracking_consent: bool | None = None,
    password_method: str | None = None,
    password_hash: str | None = None,
    account: Account | None = None,
) -> User:
    """Create a user in the right buying account. Raises AuthError with a readable message.

    ``account`` puts them in that account whatever their domain (an accepted room invitation).
    ``password_method`` overrides the KDF, only for bulk-simulated demo buyers who never sign in.
    ``password_hash`` is a hash made earlier, when the password was checked (a confirmed sign-up).
    """
    if role not in ROLES:
        raise AuthError(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.", "role")
    email = check_email(email)
    if len(email) > 254:
        raise AuthError("Enter a valid e-mail address (at most 254 characters).")
    if password_hash is None and (problem := password_problem(password)):
        raise AuthError(problem, "password")
    if find_user_by_email(email):
        raise AuthError("An account with this e-mail already exists. Sign in instead.")
    user = User(
        email=email,
        name=name.strip()[:120],
        role=role,
        password_hash=password_hash
        or (
            generate_password_hash(password, method=password_method)
            if password_method
            else generate_password_hash(password)
        ),
        account=account or account_for_email(email, company),
        tracking_consent=tracking_consent,
        consent_changed_at=datetime.now(UTC) if tracking_consent is not None else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def check_password(user: User, password: str) -> bool:
    return bool(password) and check_password_hash(user.password_hash, password)


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None. Runs a hash either way (no timing oracle)."""
    user = find_user_by_email(email or "")
    if user is None:
        check_password_hash(_DUMMY_HASH(), password or "")
        return None
    if not check_password(user, password):
        return None
    user.last_login_at = datetime.now(UTC)
    return user


_dummy: list[str] = []


def _DUMMY_HASH() -> str:  # a lazily computed constant
    if not _dummy:
        _dummy.append(generate_password_hash("not-a-real-password"))
    return _dummy[0]


def set_password(user: User, password: str) -> None:
    """Change the password; every session and reset link of the user ends with it."""
    if problem := password_problem(password):
        raise AuthError(problem, "password")
    user.password_hash = generate_password_hash(password)
    user.reset_nonce = None
    end_sessions(user)


def end_sessions(user: User) -> None:
    """Sign the user out everywhere: session and remember cookies carry the old version."""
    user.session_version = (user.session_version or 0) + 1
    db.session.flush()


def user_for_session_id(session_id: str) -> User | None:
    """The user a session or remember cookie names (``"<id>:<version>"``, see
    ``User.get_id``), or None when the user is gone or the version was raised since."""
    user_id, _, version = (session_id or "").partition(":")
    number = bounded_int(user_id, 1, MAX_ID)
    if number is None or not version.isdigit():
        return None
    user = db.session.get(User, number)
    if user is None or (user.session_version or 0) != int(version):
        return None
    return user


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="password-reset")


def _password_fingerprint(user: User) -> str:
    # Binds a token to the current password without putting any of the hash in the link.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:32]


def issue_reset_token(user: User, secret_key: str) -> str:
    """A password-reset token for ``user``. It dies when the password changes, when it
    expires, and when a newer one is issued (only the latest nonce is kept)."""
    user.reset_nonce = secrets.token_hex(16)
    db.session.flush()
    payload = {"uid": user.id, "h": _password_fingerprint(user), "n": user.reset_nonce}
    return _serializer(secret_key).dumps(payload)


def user_for_reset_token(token: str, secret_key: str, max_age: int) -> User | None:
    try:
        data = _serializer(secret_key).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
        return None
    user = db.session.get(User, data["uid"])
    if user is None or not user.reset_nonce:
        return None
    fresh = hmac.compare_digest(str(data.get("n", "")), user.reset_nonce)
    same_password = hmac.compare_digest(str(data.get("h", "")), _password_fingerprint(user))
    return user if fresh and same_password else None
