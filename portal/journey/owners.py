"""Owner keys: the one stable key for data a person owns (trial datasets, carts).

A signed-in user owns as ``u<user id>``, a consenting anonymous visitor as ``v<visitor id>``
(trial data). An anonymous cart belongs to the device, ``d<device id>``: a strictly necessary
id set when the person puts something in a cart, with or without tracking consent, and never
used for tracking.
"""

from __future__ import annotations


def user_key(user_id: int) -> str:
    return f"u{user_id}"


def visitor_key(visitor_id: str) -> str:
    return f"v{visitor_id}"


def device_key(device_id: str) -> str:
    return f"d{device_id}"


def user_id_of(owner_key: str) -> int | None:
    """The user id inside a user's owner key; None for a visitor's."""
    return int(owner_key[1:]) if owner_key.startswith("u") and owner_key[1:].isdigit() else None
