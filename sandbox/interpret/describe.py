"""Plain sentences about a reading, for the preview."""

from __future__ import annotations

from datetime import date

from sandbox.interpret.dates import Reading
from sandbox.interpret.months import ENGLISH

_ORDER = {
    "dmy": "day first",
    "mdy": "month first",
    "ymd": "year first",
}
_SEP = {",": "a comma", ".": "a point", " ": "a space", "'": "an apostrophe", "’": "an apostrophe"}


def pretty_date(ordinal: int, reading: Reading) -> str:
    d = date.fromordinal(ordinal)
    if reading.order in ("my", "ym") and "%d" not in reading.fmt:
        return f"{ENGLISH[d.month - 1]} {d.year}"
    return f"{d.day} {ENGLISH[d.month - 1]} {d.year}"


def telling_example(reading: Reading, others: list[Reading]) -> str:
    """A value whose date differs between the chosen reading and the runner-up."""
    if others:
        other = others[0].ordinals
        for value, day in reading.ordinals.items():
            if other.get(value) != day:
                return value
    return reading.first()


def date_reason(reading: Reading, others: list[Reading], why: str, null_note: str) -> str:
    example = telling_example(reading, others)
    shown = pretty_date(reading.day_of(example), reading)
    order = _ORDER.get(reading.order)
    what = "dates and times" if reading.kind == "datetime" else "dates"
    if reading.order == "q":
        text = f"Read as quarters: {example} stands for the quarter from {shown}"
    elif reading.order == "excel":
        text = f"Excel day numbers read as {what}: {example} is {shown}"
    elif others:
        text = f"We read {example} as {shown}" + (f" ({order})" if order else "")
        text += f": {why}" if why else ""
    else:
        text = f"Read as {what}: {example} is {shown}" + (f"; {why}" if why else "")
    return text + "." + null_note


def number_reason(kind: str, example: str, dec: str, th: str | None, extra: list[str]) -> str:
    word = "whole numbers" if kind == "integer" else "numbers"
    text = f"Read as {word} like {example}"
    parts = []
    if kind == "decimal":
        parts.append(f"{_SEP[dec]} before the decimals")
    if th:
        parts.append(f"{_SEP[th]} between thousands")
    if parts:
        text += " (" + ", ".join(parts) + ")"
    return text + "".join(f"; {e}" for e in extra) + "."


def null_note(tokens: tuple[str, ...], count: int) -> str:
    if not tokens:
        return ""
    shown = ", ".join(f"\u201c{t}\u201d" for t in tokens[:4])
    return f" {shown} counted as empty."
