"""Reactions to journey signals: carts follow a device or visitor that signs in, leave with
an erased user, and appear in the data export. Connected once, when the blueprint module is
imported."""

from __future__ import annotations

from portal.commerce.account import erase_commerce_data, export_commerce_data, forget_visitor_cart
from portal.commerce.cart import merge_carts
from portal.journey.owners import visitor_key
from portal.journey.services import (
    data_exporting,
    device_attached,
    identity_merged,
    user_erasing,
    visitor_forgotten,
)


@identity_merged.connect
def _merge_visitor_cart(sender, user, visitor_id, **_):
    # Carts made before anonymous carts belonged to the device (``d…``) were the visitor's.
    merge_carts(user, visitor_key(visitor_id), visitor_id)


@device_attached.connect
def _merge_device_cart(sender, user, owner_key, **_):
    merge_carts(user, owner_key)


@user_erasing.connect
def _erase_cart(sender, user, **_):
    erase_commerce_data(user)


@data_exporting.connect
def _export_orders(sender, user, **_):
    return "commerce", export_commerce_data(user)


@visitor_forgotten.connect
def _forget_visitor_cart(sender, visitor_id, **_):
    forget_visitor_cart(visitor_id)
