"""Quoting for the SQL the sandbox builds from names and paths it does not control."""

from __future__ import annotations


def ident(name: str) -> str:
    """A column or table name as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    """Text as a quoted SQL string literal."""
    return "'" + value.replace("'", "''") + "'"
