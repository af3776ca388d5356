"""Settings read from the environment (12-factor).

The defaults are the *embedded* mode: a SQLite file in the instance folder, an in-process
sandbox worker pool, e-mails written to an outbox folder. Nothing here runs at import time:
``load_config`` is called by ``create_app``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

SECRET_KEY_FILE = "secret_key"

ROOT = Path(__file__).resolve().parent.parent


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


def _list(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def load_config(instance_path: str, environ: Mapping[str, str] | None = None) -> dict:
    """Build the settings dictionary from ``environ`` (default: ``os.environ``)."""
    env = os.environ if environ is None else environ
    mode = env.get("TESTDRIVE_ENV", "production").strip().lower()
    development = mode in {"development", "dev"}
    instance = Path(instance_path)
    return {
        "TESTDRIVE_ENV": "development" if development else mode,
        # Unset: create_app reads (or creates once) the key file in the instance folder.
        "SECRET_KEY": env.get("SECRET_KEY") or None,
        "SQLALCHEMY_DATABASE_URI": env.get("DATABASE_URL")
        or f"sqlite:///{instance / 'testdrive.sqlite3'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Bounded waits (see portal.db_setup): PostgreSQL ends a statement or a lock wait after
        # these many milliseconds; SQLite waits at most this long for its write lock.
        "DATABASE_STATEMENT_TIMEOUT_MS": _int(env.get("DATABASE_STATEMENT_TIMEOUT_MS"), 15_000),
        "DATABASE_LOCK_TIMEOUT_MS": _int(env.get("DATABASE_LOCK_TIMEOUT_MS"), 5_000),
        "SQLITE_BUSY_TIMEOUT_MS": _int(env.get("SQLITE_BUSY_TIMEOUT_MS"), 5_000),
        # /healthz waits at most this long for the write lock (SQLite) or a lock (PostgreSQL).
        "HEALTHZ_TIMEOUT_MS": _int(env.get("HEALTHZ_TIMEOUT_MS"), 1_000),
        # Outgoing webhooks may target loopback/private addresses only when this is on.
        "WEBHOOKS_ALLOW_PRIVATE": _bool(env.get("WEBHOOKS_ALLOW_PRIVATE"), False),
        # Product page bodies rendered once per content version (portal.catalog.page_cache);
        # off renders every view in full (the reference the cache is tested against).
        "PRODUCT_PAGE_CACHE": _bool(env.get("PRODUCT_PAGE_CACHE"), True),
        "PRODUCT_PAGE_CACHE_SIZE": max(1, _int(env.get("PRODUCT_PAGE_CACHE_SIZE"), 256)),
        "PRODUCT_PAGE_VERSION_FEED": _bool(env.get("PRODUCT_PAGE_VERSION_FEED"), True),
        # Cookies: HttpOnly always, SameSite=Lax, Secure everywhere but development.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE"), not development),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE"), not development),
        "WTF_CSRF_TIME_LIMIT": 4 * 3600,
        "MAX_CONTENT_LENGTH": _int(env.get("MAX_UPLOAD_BYTES"), 200 * 1024 * 1024),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), True),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour"),
        # Failed sign-ins per e-mail address, from any IP (known and unknown addresses alike).
        "LOGIN_ACCOUNT_RATE_LIMIT": env.get("LOGIN_ACCOUNT_RATE_LIMIT", "10 per 15 minutes"),
        "SIGNUP_RATE_LIMIT": env.get("SIGNUP_RATE_LIMIT", "5 per minute;30 per hour"),
        # Sign-up mails per e-mail address, from any IP (new and known addresses alike).
        "SIGNUP_ADDRESS_RATE_LIMIT": env.get("SIGNUP_ADDRESS_RATE_LIMIT", "5 per hour"),
        "UPLOAD_RATE_LIMIT": env.get("UPLOAD_RATE_LIMIT", "20 per hour"),
        "ROOM_COMMENT_RATE_LIMIT": env.get("ROOM_COMMENT_RATE_LIMIT", "10 per minute;100 per hour"),
        "ROOM_INVITE_RATE_LIMIT": env.get("ROOM_INVITE_RATE_LIMIT", "20 per hour"),
        "ROOM_INVITE_DAYS": _int(env.get("ROOM_INVITE_DAYS"), 7),
        "ROOM_SHARE_MAX_DAYS": _int(env.get("ROOM_SHARE_MAX_DAYS"), 30),
        "MAIL_URL": env.get("MAIL_URL", ""),
        "MAIL_FROM": env.get("MAIL_FROM", "Testdrive <hello@testdrive.example>"),
        "MAIL_OUTBOX": env.get("MAIL_OUTBOX") or str(instance / "outbox"),
        "PASSWORD_RESET_MAX_AGE": _int(env.get("PASSWORD_RESET_MAX_AGE"), 3600),
        "SIGNUP_CONFIRM_MAX_AGE": _int(env.get("SIGNUP_CONFIRM_MAX_AGE"), 24 * 3600),
        # Every absolute link (mails, PDFs, API) starts here; its host is a trusted Host.
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        "EXTRA_TRUSTED_HOSTS": _list(env.get("TRUSTED_HOSTS")),
        # Reverse proxies in front of the app (X-Forwarded-For/-Proto are believed that deep).
        "TRUSTED_PROXIES": _int(env.get("TRUSTED_PROXIES"), 0),
        "VENDOR_NAME": env.get("VENDOR_NAME", "Northwind Analytics"),
        "SANDBOX_STORE": env.get("SANDBOX_STORE") or str(instance / "sandbox"),
        # Seconds the admin page keeps its check of the sandbox's isolation on this host.
        "SANDBOX_CHECK_MAX_AGE": _int(env.get("SANDBOX_CHECK_MAX_AGE"), 3600),
        # Uploaded catalog PDFs (datasheets, guides): a volume shared by web instances at scale.
        "CATALOG_FILES": env.get("CATALOG_FILES") or str(instance / "catalog_files"),
        "QUEUE_URL": env.get("QUEUE_URL", ""),
        # Try before you buy: per-owner quotas (an owner is a signed-in user or a visitor).
        "TRIAL_UPLOADS_PER_HOUR": _int(env.get("TRIAL_UPLOADS_PER_HOUR"), 10),
        "TRIAL_CONCURRENT_RUNS": _int(env.get("TRIAL_CONCURRENT_RUNS"), 2),
        "TRIAL_MAX_BYTES_PER_OWNER": _int(env.get("TRIAL_MAX_BYTES_PER_OWNER"), 500 * 1024**2),
        # Sandbox limits for uploads and runs (see sandbox.Limits).
        "SANDBOX_MAX_UPLOAD_BYTES": _int(env.get("SANDBOX_MAX_UPLOAD_BYTES"), 100 * 1024**2),
        "SANDBOX_MAX_COLUMNS": _int(env.get("SANDBOX_MAX_COLUMNS"), 500),
        "SANDBOX_MAX_ROWS": _int(env.get("SANDBOX_MAX_ROWS"), 5_000_000),
        "SANDBOX_RUN_SECONDS": _int(env.get("SANDBOX_RUN_SECONDS"), 60),
        "SANDBOX_CPU_SECONDS": _int(env.get("SANDBOX_CPU_SECONDS"), 120),
        "SANDBOX_MEMORY_MB": _int(env.get("SANDBOX_MEMORY_MB"), 3072),
        "SANDBOX_TTL_HOURS": _int(env.get("SANDBOX_TTL_HOURS"), 72),
        "SANDBOX_WORKERS": _int(env.get("SANDBOX_WORKERS"), 2),
        "SANDBOX_QUEUE_NAME": env.get("SANDBOX_QUEUE_NAME", "sandbox"),
        "SANDBOX_PURGE_MINUTES": _int(env.get("SANDBOX_PURGE_MINUTES"), 15),
        "STRIPE_SECRET_KEY": env.get("STRIPE_SECRET_KEY", ""),
        "STRIPE_PUBLISHABLE_KEY": env.get("STRIPE_PUBLISHABLE_KEY", ""),
        "STRIPE_WEBHOOK_SECRET": env.get("STRIPE_WEBHOOK_SECRET", ""),
        "STRIPE_API_BASE": env.get("STRIPE_API_BASE", ""),
    }


def instance_secret_key(instance_path: str) -> str:
    """The key in ``<instance>/secret_key``, created once (mode 0600) and reused after.

    Written to a private temporary file and linked into place, so two workers starting at
    once agree on one key and nobody reads a half-written file.
    """
    path = Path(instance_path) / SECRET_KEY_FILE
    if not path.exists():
        tmp = path.with_name(f".{SECRET_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
                handle.flush()
                os.fsync(handle.fileno())
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            tmp.unlink(missing_ok=True)
    return path.read_text().strip()
