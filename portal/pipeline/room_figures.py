"""A deal's buying-room figures (members, plan steps, shares) and the moment they hold
from, as ``Deal.room`` keeps them and a ``RoomSnapshot`` records each change."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

# The key of ``Deal.room`` that says from when its figures hold (ISO 8601, UTC).
ROOM_AT = "at"


@dataclass(frozen=True)
class RoomChange:
    """The room's figures from ``at`` on (one ``RoomSnapshot``)."""

    at: datetime
    figures: Mapping[str, Any]


def room_figures(room: Mapping[str, Any] | None) -> dict[str, Any]:
    """A deal's room figures without the moment they hold from."""
    return {name: value for name, value in (room or {}).items() if name != ROOM_AT}


def room_seen_at(room: Mapping[str, Any] | None) -> datetime | None:
    """The moment of the room figures a deal last took (None: never)."""
    text = (room or {}).get(ROOM_AT)
    return datetime.fromisoformat(text) if text else None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def room_words(figures: Mapping[str, Any]) -> str:
    """Why the room moved a deal, in the seller's words (the transition's reason)."""
    done = int(figures.get("plan_steps_done") or 0)
    total = int(figures.get("plan_steps_total") or 0)
    members = int(figures.get("committee_members") or 0)
    shared = int(figures.get("shares") or 0)
    parts = [f"{done} of {total} plan steps done"] if total else []
    parts.append(f"{members} {'member' if members == 1 else 'members'} in the committee")
    if shared:
        parts.append(f"{shared} {'result' if shared == 1 else 'results'} shared")
    return "the buying room: " + ", ".join(parts)
