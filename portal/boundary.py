"""The one transaction boundary of a request: call a service, commit, or show its refusal.

Services only ``flush()`` and raise ``ServiceError``; routes call them through ``perform``,
which commits once on success (mail queued meanwhile goes out after that commit, see
``portal.mail``) and, on a refusal, rolls back and puts the message where the person sees it:
on the form field it names, on the form as a whole, or as a flash.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import after_this_request, current_app, flash

from portal.errors import ServiceError
from portal.extensions import db

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What ``perform`` returns: the service's value, or the error that refused it."""

    value: Any = None
    error: ServiceError | None = None

    def __bool__(self) -> bool:
        return self.error is None

    @property
    def message(self) -> str:
        return self.error.message if self.error else ""

    @property
    def status(self) -> int:
        return self.error.status if self.error else 200


def show_on_form(form: Any, error: ServiceError, fallback_field: str | None = None) -> None:
    """Put a refusal on the field it names (when the form has it), else on ``fallback_field``,
    else on the whole form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is None and fallback_field:
        field = getattr(form, fallback_field)
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors = [*getattr(form, "form_errors", []), error.message]


def perform(
    call: Callable[..., Any],
    /,
    *args: Any,
    form: Any = None,
    fallback_field: str | None = None,
    flash_category: str | None = None,
    let_through: tuple[type[ServiceError], ...] = (),
    **kwargs: Any,
) -> Outcome:
    """Run ``call(*args, **kwargs)`` and commit; on a ``ServiceError`` roll back instead.

    The refusal goes on ``form`` when given (see ``show_on_form``), is flashed with
    ``flash_category`` when given, and is always returned in the ``Outcome`` (falsy) for the
    route to choose its response.
    Errors in ``let_through`` are re-raised after the rollback (for example a not-found that
    the blueprint's error handler answers).
    """
    try:
        value = call(*args, **kwargs)
    except ServiceError as error:
        db.session.rollback()
        if isinstance(error, let_through):
            raise
        if form is not None:
            show_on_form(form, error, fallback_field)
        if flash_category:
            flash(error.message, flash_category)
        return Outcome(error=error)
    db.session.commit()
    return Outcome(value=value)


def perform_after_response(call: Callable[..., Any], /, *args: Any, **kwargs: Any) -> None:
    """Run ``call(*args, **kwargs)`` and commit once this request's response has been sent,
    so its cost (a lookup, a mail over SMTP) neither delays nor shows in the answer.

    It runs in a fresh request context on ``PUBLIC_BASE_URL`` (templates and ``url_for``
    work as in a request); a refusal or failure is logged, never shown.
    """
    app = current_app._get_current_object()

    def run() -> None:
        with app.test_request_context(base_url=app.config["PUBLIC_BASE_URL"]):
            try:
                outcome = perform(call, *args, **kwargs)
                if not outcome:
                    log.info("%s refused after the response: %s", call.__name__, outcome.message)
            except Exception:
                db.session.rollback()
                log.exception("%s failed after the response", call.__name__)

    @after_this_request
    def schedule(response):
        response.call_on_close(run)
        return response
