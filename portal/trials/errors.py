"""The trials area's domain errors: a message meant for the person and an HTTP status."""

from __future__ import annotations

from portal.errors import ServiceError


class TrialError(ServiceError):
    """Something the person can fix; ``code`` says which rule refused (for tests and logs)."""

    def __init__(
        self, message: str, field: str | None = None, status: int | None = None, *, code: str = ""
    ) -> None:
        super().__init__(message, field=field, status=status)
        self.code = code


class QuotaExceeded(TrialError):
    status = 429


class TrialNotFound(TrialError):
    status = 404
