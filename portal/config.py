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


def load_config(instance_path: str, environ: Mapping[str, str] | None = None) -> dict:
    """Build the settings dictionary from ``environ`` (default: ``os.environ``)."""
    env = os.environ if environ is None else environ
    mode = env.get("TESTDRIVE_ENV", "production").strip().lower()
    development = mode in {"development", "dev"}
    instance = Path(instance_path)
    secret = env.get("SECRET_KEY")
    return {
        "TESTDRIVE_ENV": "development" if development else mode,
        "SECRET_KEY": secret or secrets.token_hex(32),
        "SECRET_KEY_GENERATED": not secret,
        "SQLALCHEMY_DATABASE_URI": env.get("DATABASE_URL")
        or f"sqlite:///{instance / 'testdrive.sqlite3'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
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
        "SIGNUP_RATE_LIMIT": env.get("SIGNUP_RATE_LIMIT", "5 per minute;30 per hour"),
        "UPLOAD_RATE_LIMIT": env.get("UPLOAD_RATE_LIMIT", "20 per hour"),
        "ROOM_COMMENT_RATE_LIMIT": env.get("ROOM_COMMENT_RATE_LIMIT", "10 per minute;100 per hour"),
        "ROOM_INVITE_RATE_LIMIT": env.get("ROOM_INVITE_RATE_LIMIT", "20 per hour"),
        "ROOM_INVITE_DAYS": _int(env.get("ROOM_INVITE_DAYS"), 7),
        "ROOM_SHARE_MAX_DAYS": _int(env.get("ROOM_SHARE_MAX_DAYS"), 30),
        "MAIL_URL": env.get("MAIL_URL", ""),
        "MAIL_FROM": env.get("MAIL_FROM", "Testdrive <hello@testdrive.example>"),
        "MAIL_OUTBOX": env.get("MAIL_OUTBOX") or str(instance / "outbox"),
        "PASSWORD_RESET_MAX_AGE": _int(env.get("PASSWORD_RESET_MAX_AGE"), 3600),
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        "VENDOR_NAME": env.get("VENDOR_NAME", "Northwind Analytics"),
        "SANDBOX_STORE": env.get("SANDBOX_STORE") or str(instance / "sandbox"),
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
