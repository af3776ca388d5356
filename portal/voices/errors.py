"""The voices area's domain errors; the status says how an unhandled one is answered."""

from __future__ import annotations

from portal.errors import ServiceError


class VoicesError(ServiceError):
    """A problem with a message written for the person; ``field`` names the form field."""


class InvalidInput(VoicesError):
    """Bad input: shown next to the field (422)."""

    status = 422


class NotAllowed(VoicesError):
    """The person may not do this (403 with the message)."""

    status = 403


class NotFound(VoicesError):
    """No such thing, or not one this person may see (404)."""

    status = 404


class Conflict(VoicesError):
    """The thing is not in a state that allows this any more (flashed as a warning)."""

    status = 409


class OpenRequestExists(Conflict):
    """The prospect already has an open reference request for this product."""

    def __init__(self, message: str, request_id: int):
        super().__init__(message)
        self.request_id = request_id


# The refusals a page answers as an error page (403/404), not on a form.
PAGE_ERRORS = (NotAllowed, NotFound)
