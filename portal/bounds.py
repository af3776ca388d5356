"""Bounds on numbers that arrive in URLs, query strings and forms.

Ids are ``INTEGER`` columns (32-bit on PostgreSQL; SQLite refuses anything past 64 bits), so a
number outside that range can never name a row: the URL converter refuses it (404) before a
query is built, and page numbers are parsed once here for every list page and the API.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

# The largest value of a PostgreSQL INTEGER column (and every id in the schema).
MAX_ID = 2**31 - 1
# No list is anywhere near this long; a larger page number is a mistyped or hostile link.
MAX_PAGE = 100_000


class IdConverter(IntegerConverter):
    """``<int:...>`` limited to the id range: a larger number does not match the rule (404)."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = None):
        super().__init__(
            map, fixed_digits=fixed_digits, min=min, max=MAX_ID if max is None else max
        )


def register_converters(app: Flask) -> None:
    """Replace the default ``int`` converter app-wide (before any blueprint adds its rules)."""
    app.url_map.converters["int"] = IdConverter


def whole_number(raw: object, default: int) -> int:
    """``raw`` as a whole number, ``default`` when it is not one. Digits beyond what any
    bound here allows become one huge value (``int()`` of thousands of digits is refused and
    slow), so callers compare against their own limits."""
    text = str(raw).strip() if raw is not None and not isinstance(raw, bool) else ""
    digits = text[1:] if text[:1] in "+-" else text
    if not digits.isascii() or not digits.isdigit():
        return default
    value = int(digits) if len(digits) <= 30 else 10**30
    return -value if text.startswith("-") else value


def bounded_int(raw: object, minimum: int, maximum: int) -> int | None:
    """``raw`` as an int within ``[minimum, maximum]``, else None (missing, malformed, too big)."""
    value = whole_number(raw, minimum - 1)
    return value if minimum <= value <= maximum else None


def id_arg(name: str, source: Mapping | None = None) -> int | None:
    """An id from the query string (or ``source``): None when absent or out of the id range."""
    values = request.args if source is None else source
    return bounded_int(values.get(name), 1, MAX_ID)


def page_arg(name: str = "page", maximum: int = MAX_PAGE) -> int:
    """The page number of a list: 1 when absent or malformed, 404 when past ``maximum``."""
    value = whole_number(request.args.get(name), 1)
    if value > maximum:
        abort(404)
    return max(1, value)
