"""The room's refusals."""

from __future__ import annotations

from portal.errors import ServiceError


class RoomError(ServiceError):
    """A room action refused, with a message for the person."""


class RoomNotFound(RoomError):
    """Another account's (or a removed member's, or an expired) object: looks missing."""

    status = 404

    def __init__(self, message: str = "We could not find that in your buying room."):
        super().__init__(message, None, 404)
