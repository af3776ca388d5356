"""The web side of tracking: consent and visitor cookies, and the current Actor.

Only this module reads the request for journey purposes; services receive an ``Actor``.
"""

from __future__ import annotations

from flask import Response, current_app, g, request
from flask_login import current_user

from portal.journey.owners import device_key, user_key, visitor_key
from portal.journey.services import Actor, new_visitor_id

CONSENT_COOKIE = "td_consent"
VISITOR_COOKIE = "td_vid"
# Strictly necessary (ePrivacy art. 5(3)): keeps an anonymous cart; no consent needed, not
# tracking: no event ever carries it.
DEVICE_COOKIE = "td_device"
ONE_YEAR = 365 * 24 * 3600
DEVICE_MAX_AGE = 30 * 24 * 3600


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
    return vid if _valid_id(vid) else None


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


def trial_owner_key(create: bool = False) -> str | None:
    """Who owns trial files and runs: the user, else a consenting visitor, else this device.

    Keeping a file someone uploaded for their own trial is strictly necessary, like their
    cart: without consent it belongs to the device (``d…``, never tracked), and moves to the
    user on sign-in. ``create`` as in ``cart_owner_key``.
    """
    return owner_key() or cart_owner_key(create)


def _valid_id(value: str) -> bool:
    return 10 <= len(value) <= 40 and value.replace("-", "").replace("_", "").isalnum()


def cart_owner_key(create: bool = False) -> str | None:
    """Who owns the cart: the signed-in user, else this device (consent or not).

    With ``create`` a device without an id gets one (the cookie is set on the response by
    ``remember_device``); without it, None means there is no cart to find.
    """
    if current_user.is_authenticated:
        return user_key(current_user.id)
    if "new_device_id" in g:
        return device_key(g.new_device_id)
    device = request.cookies.get(DEVICE_COOKIE, "")
    if _valid_id(device):
        return device_key(device)
    if not create:
        return None
    g.new_device_id = new_visitor_id()
    return device_key(g.new_device_id)


def device_owner_key() -> str | None:
    """The device's own owner key (its anonymous cart), whoever is signed in."""
    device = g.get("new_device_id") or request.cookies.get(DEVICE_COOKIE, "")
    return device_key(device) if _valid_id(device) else None


def remember_device(response: Response) -> Response:
    """Set the device cookie when this request gave the device an id."""
    if "new_device_id" in g:
        args = {**_cookie_args(), "max_age": DEVICE_MAX_AGE}
        response.set_cookie(DEVICE_COOKIE, g.new_device_id, **args)
    return response


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
