"""Plain text from members: trimmed, bounded, control characters out. Templates escape it."""

from __future__ import annotations

import unicodedata

from portal.room.errors import RoomError


def clean_text(text: str | None, *, max_len: int, field: str, label: str) -> str:
    kept = "".join(
        ch for ch in (text or "") if ch in "\n\t" or unicodedata.category(ch)[0] != "C"
    ).strip()
    if not kept:
        raise RoomError(f"Write {label} first.", field)
    if len(kept) > max_len:
        raise RoomError(f"Keep {label} under {max_len} characters.", field)
    return kept
