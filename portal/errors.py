"""Domain errors and friendly error pages: no stack traces, a sentence saying what happened
and what to do."""

from __future__ import annotations

import math
import time

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError, default_exceptions

from portal.extensions import db, limiter


class ServiceError(Exception):
    """A service refused: ``message`` is written for the person, ``field`` names the form field
    it belongs to (None = the whole form), ``status`` is the HTTP code a route answers with.

    Every area's domain error extends this; ``portal.boundary.perform`` turns it into a form
    error or a flash, and an uncaught one becomes the error page with its status and message.
    """

    status = 422

    def __init__(self, message: str, field: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if status is not None:
            self.status = status


MESSAGES = {
    400: ("That request didn't make sense", "Something in it was missing or malformed."),
    403: ("You can't open this page", "Your account doesn't have access to it."),
    404: ("We couldn't find that page", "It may have moved, or the link is mistyped."),
    405: ("That action isn't allowed here", "Use the buttons on the page instead."),
    413: ("That file is too large", "Try a smaller file, or split it into parts."),
    429: ("Slow down a little", "Too many attempts in a short time. Wait a minute and retry."),
    500: ("Something went wrong on our side", "We've logged it. Please try again shortly."),
}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


def _render(code: int, detail: str | None = None):
    title, hint = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    if _wants_json():
        return jsonify(error=title, detail=detail or hint, status=code), code
    return render_template("errors/error.html", code=code, title=title, hint=detail or hint), code


def abort_with(code: int, message: str):
    """Abort with a message written for the person (shown on the error page)."""
    error = default_exceptions[code](description=message)
    error.show_detail = True
    raise error


def _retry_hint() -> str:
    """ "Too many attempts…" with the wait of the limit that was hit (the same words for every
    address, so it tells nothing about who has an account)."""
    limit = limiter.current_limit
    # reset_at is rounded up by a second; a 15-minute window should read "15 minutes".
    wait = max(limit.reset_at - 1 - time.time(), 1) if limit is not None else 60
    minutes = math.ceil(wait / 60)
    return (
        "Too many attempts in a short time. "
        f"Try again in {minutes} minute{'s' if minutes != 1 else ''}."
    )


# How long a client (or Stripe, or a load balancer) should wait before retrying an outage.
RETRY_AFTER_SECONDS = 5
UNAVAILABLE = "The database or a service we depend on is busy or down. Please retry in a moment."


def outage_errors() -> tuple[type[Exception], ...]:
    """Exceptions that mean "a dependency is down or busy", not "a bug": the database
    refused (locked, timed out, connection lost, pool exhausted) or Redis does not answer."""
    errors: list[type[Exception]] = [OperationalError, DisconnectionError, PoolTimeout]
    try:
        import redis
    except ImportError:
        return tuple(errors)
    return (*errors, redis.ConnectionError, redis.TimeoutError)


def _unavailable():
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if _wants_json():
        body = jsonify(error="Temporarily unavailable", detail=UNAVAILABLE, status=503)
        return body, 503, headers
    # Standalone template: base.html would ask the (unavailable) database for the user.
    return render_template("errors/unavailable.html", hint=UNAVAILABLE), 503, headers


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _render(
            400, "The form expired or came from another site. Go back, reload and try again."
        )

    @app.errorhandler(ServiceError)
    def service_error(error: ServiceError):
        db.session.rollback()
        return _render(error.status, error.message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        detail = error.description if getattr(error, "show_detail", False) else None
        if error.code == 429:
            detail = _retry_hint()
        return _render(error.code or 500, detail)

    def outage(error: Exception):
        app.logger.warning(
            "dependency unavailable on %s %s: %s", request.method, request.path, error
        )
        try:
            db.session.rollback()
        except Exception:  # the connection itself may be gone; the pool replaces it
            app.logger.debug("rollback after an outage failed", exc_info=True)
        return _unavailable()

    for error_class in outage_errors():
        app.register_error_handler(error_class, outage)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        try:
            db.session.rollback()
        except Exception:  # the connection may be gone too; the friendly 500 still goes out
            app.logger.debug("rollback after an unhandled error failed", exc_info=True)
        return _render(InternalServerError.code)
