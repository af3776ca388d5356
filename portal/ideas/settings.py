"""Ideas settings with their defaults: rate limits (Flask-Limiter strings) and the half-life
of a vote in the "trending" sort. Each can be overridden in the app config, e.g. from the
environment as ``TESTDRIVE_IDEAS_POST_RATE_LIMIT``."""

from __future__ import annotations

from flask import current_app
from flask_limiter.util import get_remote_address
from flask_login import current_user

from portal.extensions import limiter

DEFAULTS = {
    "IDEAS_POST_RATE_LIMIT": "5 per minute;30 per day",
    "IDEAS_VOTE_RATE_LIMIT": "30 per minute;300 per day",
    # A vote counts half as much for "trending" after this many days.
    "IDEAS_TREND_HALF_LIFE_DAYS": 14,
}


def setting(name: str):
    return current_app.config.get(name, DEFAULTS[name])


def _person_key() -> str:
    """Limit a signed-in person across addresses, anyone else by address."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


def rate_limit(name: str):
    """The rate limit ``name`` on a view's POSTs, per person."""
    return limiter.limit(lambda: setting(name), key_func=_person_key, methods=["POST"])
