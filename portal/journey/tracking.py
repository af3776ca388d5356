"""The web side of tracking: consent and visitor cookies, and the current Actor.

Only this module reads the request for journey purposes; services receive an ``Actor``.
"""

from __future__ import annotations

from flask import Response, current_app, g, request
from flask_login import current_user

from portal.journey.owners import user_key, visitor_key
from portal.journey.services import Actor

CONSENT_COOKIE = "td_consent"
VISITOR_COOKIE = "td_vid"
ONE_YEAR = 365 * 24 * 3600


def consent_state() -> str | None:
    """'accept', 'decline' or None (not asked yet) for whoever is browsing."""
    if current_user.is_authenticated and current_user.tracking_consent is not None:
        return "accept" if current_user.tracking_consent else "decline"
    value = request.cookies.get(CONSENT_COOKIE)
    return value if value in ("accept", "decline") else None


def visitor_id() -> str | None:
    """The anonymous visitor id: exists only after consent was accepted."""
    if "new_visitor_id" in g:
        return g.new_visitor_id
    if request.cookies.get(CONSENT_COOKIE) != "accept":
        return None
    vid = request.cookies.get(VISITOR_COOKIE, "")
    return vid if 10 <= len(vid) <= 40 and vid.replace("-", "").replace("_", "").isalnum() else None


def current_actor() -> Actor | None:
    """The consenting person behind this request, or None (then nothing is recorded)."""
    if current_user.is_authenticated:
        return Actor.for_user(current_user, visitor_id())
    vid = visitor_id()
    return Actor(visitor_id=vid) if vid else None


def owner_key() -> str | None:
    """A stable key for data a person owns (datasets, carts): user first, else visitor."""
    if current_user.is_authenticated:
        return user_key(current_user.id)
    vid = visitor_id()
    return visitor_key(vid) if vid else None


def _cookie_args() -> dict:
    return {
        "max_age": ONE_YEAR,
        "httponly": True,
        "samesite": "Lax",
        "secure": current_app.config["SESSION_COOKIE_SECURE"],
    }


def set_consent_cookies(response: Response, accepted: bool, vid: str | None) -> None:
    response.set_cookie(CONSENT_COOKIE, "accept" if accepted else "decline", **_cookie_args())
    if accepted and vid:
        response.set_cookie(VISITOR_COOKIE, vid, **_cookie_args())
    else:
        response.delete_cookie(VISITOR_COOKIE)
