"""Checks on what people type into trusted voices: clean text within limits, known choices."""

from __future__ import annotations

import re
from collections.abc import Iterable

from portal.models.voices import REFERENCE_TOPICS
from portal.voices.errors import InvalidInput

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(
    value: str | None,
    *,
    label: str,
    max_len: int,
    min_len: int = 0,
    field: str | None = None,
    multiline: bool = False,
) -> str:
    """Strip control characters and surrounding space; enforce the length limits.

    Text is stored as typed and escaped when shown; nothing here tries to "sanitise" HTML.
    """
    text = _CONTROL.sub("", (value or "").replace("\r\n", "\n").replace("\r", "\n"))
    # Single-line fields collapse all whitespace; multi-line ones keep paragraphs.
    text = re.sub(r"\n{3,}", "\n\n", text).strip() if multiline else " ".join(text.split())
    if len(text) < min_len:
        if min_len == 1:
            raise InvalidInput(f"Enter {label}.", field)
        raise InvalidInput(f"Write at least {min_len} characters for {label}.", field)
    if len(text) > max_len:
        raise InvalidInput(f"Keep {label} to {max_len} characters or fewer.", field)
    return text


def check_choice(value: str | None, choices: dict[str, str], label: str, field: str) -> str:
    if value not in choices:
        raise InvalidInput(f"Choose {label} from the list.", field)
    return value


def check_topics(values: Iterable[str] | None) -> list[str]:
    topics = [t for t in dict.fromkeys(values or ()) if t]
    if any(t not in REFERENCE_TOPICS for t in topics):
        raise InvalidInput("Choose topics from the list.", "topics")
    return topics
