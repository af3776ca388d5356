"""What the room tells other areas (the pipeline listens): no Flask, no database."""

from __future__ import annotations

from blinker import Namespace

signals = Namespace()
#: sent with ``account_id=``, ``summary=`` (``portal.room.summary.room_summary``) and ``at=``
#: (the moment of its ``RoomSnapshot``) after a change of members, roles, plan steps or
#: shares changed the figures, inside the caller's transaction.
room_changed = signals.signal("room-changed")
#: sent with ``account_id=``, ``user=`` and ``role=`` when someone joins an account's room.
member_joined = signals.signal("member-joined")
