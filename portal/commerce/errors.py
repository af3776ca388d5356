"""The commerce area's domain errors: a sentence for the buyer or seller, and the form field."""

from __future__ import annotations

from portal.errors import ServiceError


class CommerceError(ServiceError):
    """Something the buyer or seller can fix; ``message`` says what, in plain words."""


class TotalChanged(CommerceError):
    """What the buyer reviewed is not what the order would cost now: show the new review."""

    def __init__(self, pricing):
        super().__init__(
            "The total changed since you reviewed it (a price or the tax is different now). "
            "Check the new total below and place the order again.",
            status=409,
        )
        self.pricing = pricing
