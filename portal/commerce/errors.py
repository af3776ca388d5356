"""The commerce area's domain errors: a sentence for the buyer or seller, and the form field."""

from __future__ import annotations

from portal.errors import ServiceError


class CommerceError(ServiceError):
    """Something the buyer or seller can fix; ``message`` says what, in plain words."""


class AlreadyInCart(CommerceError):
    """The plan is in the cart as often as it is sold (one licence): nothing to add. Not a
    fault of the buyer's: the cart answers with the item, and says so."""


class TotalChanged(CommerceError):
    """What the buyer reviewed is not what the order would cost now: show the new review."""

    def __init__(self, pricing):
        super().__init__(
            "The total changed since you reviewed it (a price or the tax is different now). "
            "Check the new total below and place the order again.",
            status=409,
        )
        self.pricing = pricing
