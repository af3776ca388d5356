"""Postal addresses as buyers type them: one tidy line each, "Kaistraße 12, 20457 Hamburg"."""

from __future__ import annotations

import re

_SPACES = re.compile(r"[ \t\u00a0]+")


def address_lines(text: str | None) -> list[str]:
    """The address's non-empty lines, each trimmed, inner runs of spaces collapsed and stray
    separators (a trailing comma typed before the line break) removed."""
    lines = []
    for raw in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = _SPACES.sub(" ", raw).strip().strip(",;").strip()
        if line:
            lines.append(line)
    return lines


def tidy_address(text: str | None) -> str:
    """The address as stored: its tidy lines joined by newlines."""
    return "\n".join(address_lines(text))


def one_line_address(text: str | None) -> str:
    """The address on one line: 'Kaistraße 12, 20457 Hamburg'."""
    return ", ".join(address_lines(text))
