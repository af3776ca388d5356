"""The ideas area's domain errors; the status says how an unhandled one is answered."""

from __future__ import annotations

from portal.errors import ServiceError


class IdeasError(ServiceError):
    """A problem with a message written for the person; ``field`` names the form field."""


class InvalidInput(IdeasError):
    """Bad input: shown next to the field (422)."""

    status = 422


class NotAllowed(IdeasError):
    """The person may not do this (403 with the message)."""

    status = 403


class NotFound(IdeasError):
    """No such idea, or not one this person may see (404)."""

    status = 404


class Conflict(IdeasError):
    """The idea is not in a state that allows this (merged, already merged …)."""

    status = 409


# The refusals a page answers as an error page (403/404), not on a form.
PAGE_ERRORS = (NotAllowed, NotFound)
