"""The commerce area's domain errors: a sentence for the buyer or seller, and the form field."""

from __future__ import annotations

from portal.errors import ServiceError


class CommerceError(ServiceError):
    """Something the buyer or seller can fix; ``message`` says what, in plain words."""


class PricesChanged(CommerceError):
    """A price changed since it was added: the buyer must confirm the new one."""
