"""Override specs: one short string per column that says how to read it.

Syntax (what :meth:`Interpretation.spec` writes and :func:`parse_override` reads)::

    text | boolean
    date:<format> | datetime:<format>
    integer[:<options>] | decimal[:<options>]

``<format>`` is a strptime pattern: ``%Y`` (four-digit year), ``%y`` (two-digit year),
``%m``, ``%d``, ``%b``/``%B`` (a month name in English, German, French, Spanish, Italian,
Dutch or Portuguese, abbreviated or full, with or without a trailing dot), ``%H``, ``%I``,
``%M``, ``%S``, ``%f`` (fraction of a second), ``%p`` (AM/PM), ``%z`` / ``%Z`` (a UTC offset
or a time zone name such as CET at the end, which is dropped: times are kept as written),
``%a`` (a weekday name at the start, in the same seven languages, also dropped) and ``%q``
(quarter, as in ``%Y-Q%q`` or ``Q%q %Y``), anything else literally. ``date:excel`` /
``datetime:excel`` reads Excel serial day numbers (45292 = 2024-01-01).

``<options>`` are ``;``-separated: ``decimal=.`` or ``decimal=,``; ``thousands=`` one of
``,`` ``.`` ``'`` ``’`` ``space`` or ``none``; ``currency=EUR`` (an ISO 4217 code);
``percent``. Examples: ``date:%d-%m-%y``, ``datetime:%d.%m.%Y %H:%M``,
``decimal:decimal=,;thousands=.;currency=EUR``, ``integer:thousands=space``, ``text``.
"""

from __future__ import annotations

import re

from sandbox.errors import IngestError
from sandbox.interpret.model import TYPES, Interpretation

THOUSANDS_NAMES = {",": ",", ".": ".", "'": "'", "’": "’", "space": " ", " ": " ", "none": None}
_DIRECTIVE = re.compile(r"%(.)")
_DATE_DIRECTIVES = set("YymdbBHIMSfpzZqaA")
_CURRENCY = re.compile(r"[A-Z]{3}")


def format_spec(interp: Interpretation) -> str:
    """The spec string of an interpretation."""
    if interp.type in ("date", "datetime"):
        return f"{interp.type}:{interp.format}"
    if interp.type in ("integer", "decimal"):
        opts = []
        if interp.decimal and (interp.decimal != "." or interp.type == "decimal"):
            opts.append(f"decimal={interp.decimal}")
        if interp.thousands:
            opts.append("thousands=" + ("space" if interp.thousands == " " else interp.thousands))
        if interp.currency:
            opts.append(f"currency={interp.currency}")
        if interp.percent:
            opts.append("percent")
        return interp.type + (":" + ";".join(opts) if opts else "")
    return interp.type


def _bad(message: str) -> IngestError:
    return IngestError(message, "bad_override")


def parse_override(spec: str) -> Interpretation:
    """Read an override spec (see the module docstring) into an ``Interpretation``.

    Raises ``IngestError(message, "bad_override")`` with a plain message for a bad spec.
    """
    if not isinstance(spec, str) or not spec.strip():
        raise _bad("Say how to read the column, for example 'date:%d.%m.%Y' or 'text'.")
    kind, _, rest = spec.strip().partition(":")
    kind = kind.strip().lower()
    if kind not in TYPES:
        raise _bad(f"'{kind}' is not a column type; use one of {', '.join(TYPES)}.")
    if kind in ("date", "datetime"):
        return _parse_date(kind, rest.strip())
    if kind in ("integer", "decimal"):
        return _parse_number(kind, rest)
    if rest.strip():
        raise _bad(f"A {kind} column takes no options, but '{rest.strip()}' was given.")
    return Interpretation(type=kind, source="user", reason=f"You chose to read it as {kind}.")


def _parse_date(kind: str, fmt: str) -> Interpretation:
    if not fmt:
        raise _bad(f"Give the {kind} layout, for example '{kind}:%d.%m.%Y'.")
    if fmt.lower() == "excel":
        return Interpretation(
            type=kind, format="excel", source="user", reason="You chose Excel serial day numbers."
        )
    found = _DIRECTIVE.findall(fmt.replace("%%", ""))
    bad = [d for d in found if d not in _DATE_DIRECTIVES]
    if bad:
        raise _bad(f"'%{bad[0]}' is not a date part this reader knows.")
    has = set(found)
    if not has & {"Y", "y"}:
        raise _bad("A date layout needs a year (%Y or %y).")
    if not has & {"m", "b", "B", "q"}:
        raise _bad("A date layout needs a month (%m, %b or %B) or a quarter (%q).")
    if "q" in has and has & {"m", "b", "B", "d"}:
        raise _bad("A quarter layout (%q) takes no month or day.")
    if kind == "datetime" and "H" not in has and "I" not in has:
        raise _bad("A datetime layout needs an hour (%H or %I).")
    if len(found) != len(has):
        raise _bad("Each date part may appear only once in the layout.")
    words = {"d": "day", "m": "month", "b": "month name", "B": "month name", "y": "year",
             "Y": "year", "q": "quarter"}  # fmt: skip
    order = "-".join(words[d] for d in found if d in words)
    what = "dates and times" if kind == "datetime" else "dates"
    return Interpretation(
        type=kind,
        format=fmt,
        source="user",
        reason=f"You chose to read it as {what} written {fmt} ({order}).",
    )


def _parse_number(kind: str, rest: str) -> Interpretation:
    opts: dict = {"decimal": ".", "thousands": None, "currency": None, "percent": False}
    for part in rest.split(";") if rest.strip() else []:
        key, eq, value = part.partition("=")
        key = key.strip().lower()
        if key == "percent" and not eq:
            opts["percent"] = True
        elif key == "decimal" and value in (".", ","):
            opts["decimal"] = value
        elif key == "thousands" and value.strip().lower() in THOUSANDS_NAMES:
            opts["thousands"] = THOUSANDS_NAMES[value.strip().lower()]
        elif key == "thousands" and value == " ":
            opts["thousands"] = " "
        elif key == "currency" and _CURRENCY.fullmatch(value.strip().upper()):
            opts["currency"] = value.strip().upper()
        else:
            raise _bad(f"'{part.strip()}' is not a number option this reader knows.")
    if opts["thousands"] is not None and opts["thousands"] == opts["decimal"]:
        raise _bad("The decimal mark and the thousands separator must differ.")
    return Interpretation(
        type=kind, source="user", reason=f"You chose to read it as {kind}.", **opts
    )
