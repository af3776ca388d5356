"""Voices settings with their defaults: the rate limits of posting, voting and asking for a
reference (Flask-Limiter strings). Each can be overridden in the app config, e.g. from the
environment as ``TESTDRIVE_VOICES_POST_RATE_LIMIT``."""

from __future__ import annotations

from flask import current_app
from flask_limiter.util import get_remote_address
from flask_login import current_user

from portal.extensions import limiter

DEFAULTS = {
    "VOICES_POST_RATE_LIMIT": "10 per minute;60 per day",
    "VOICES_VOTE_RATE_LIMIT": "30 per minute;500 per day",
    "REFERENCE_REQUEST_RATE_LIMIT": "5 per hour;20 per day",
}


def setting(name: str) -> str:
    return current_app.config.get(name, DEFAULTS[name])


def _person_key() -> str:
    """Limit a signed-in person across addresses, anyone else by address."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


def post_limit(name: str):
    """The rate limit ``name`` on a view's POSTs, per person."""
    return limiter.limit(lambda: setting(name), key_func=_person_key, methods=["POST"])
