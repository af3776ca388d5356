"""Find the table inside a messy sheet: title rows, the header, a footer total, a second table.

Exports are rarely a bare table. Above the header there are report titles ("Report:
Opportunities by owner", "Exported 2024-03-01"), below the data a "Total" row, and sometimes
a second table pasted under the first after a blank line. This module looks at rows of cells
(strings, or Excel values) and says where the first table is; the readers act on that and turn
what they skipped into notes ``{"kind", "message", "lines"}`` for Data Doctor and the preview.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

_TOTAL = re.compile(
    r"^\s*(grand\s+|sub\s*-?)?(totals?|sum|sums|summe|summen|gesamt|gesamtsumme|insgesamt|"
    r"totaal|totalen|total général|total general|totale|totali|suma|soma|somme)\b",
    re.IGNORECASE,
)
_NUMERIC = re.compile(r"^[\s(+\-−$€£¥]*\d[\d\s.,'’:/\-%)]*[A-Za-z€$£%]{0,4}\s*$")


@dataclass
class Layout:
    """Where the first table is, as indexes into the rows that were looked at."""

    header: int | None  # index of the header row; None: no header (columns get numbered)
    start: int  # first data row
    end: int  # one past the last data row (the footer, if any, is not included)
    width: int
    titles: list[int] = field(default_factory=list)
    footer: int | None = None
    second: int | None = None  # first row of a table below the first one


def is_blank(row: Sequence[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


def filled(row: Sequence[Any]) -> int:
    return sum(1 for v in row if v is not None and not (isinstance(v, str) and not v.strip()))


def looks_numeric(value: Any) -> bool:
    if value is None or isinstance(value, bool):
        return False
    if not isinstance(value, str):
        return True  # numbers, dates and times from a spreadsheet
    return bool(_NUMERIC.match(value))


def is_total_row(row: Sequence[Any]) -> bool:
    """A footer such as "Total;12;3.400,00": a total word in one of the first two cells."""
    cells = [v for v in row[:2] if v is not None and str(v).strip()]
    return bool(cells) and isinstance(cells[0], str) and bool(_TOTAL.match(cells[0]))


def header_like(row: Sequence[Any]) -> bool:
    """At least two cells, none of them a number or date: a row of column names."""
    cells = [v for v in row if v is not None and str(v).strip()]
    return len(cells) >= 2 and not any(looks_numeric(v) for v in cells)


def _is_year(value: Any) -> bool:
    text = str(value).strip()
    return len(text) == 4 and text.isdigit() and 1900 <= int(text) <= 2100


def _is_header(row: Sequence[Any], below: Sequence[Sequence[Any]]) -> bool:
    """Column names: no number at all, or text and years ("region, 2023, 2024") above rows
    whose cells under those years are not all years ("Ann,40" above "Bob,30" is data)."""
    if header_like(row):
        return True
    cells = [(j, v) for j, v in enumerate(row) if v is not None and str(v).strip()]
    if len(cells) < 2 or all(looks_numeric(v) for _, v in cells):
        return False
    data = [r for r in below if not is_blank(r)][:10]

    def column(j: int) -> list:
        return [r[j] for r in data if j < len(r) and r[j] not in (None, "")]

    years = [j for j, v in cells if looks_numeric(v)]
    return all(_is_year(row[j]) for j in years) and any(
        not all(_is_year(c) for c in column(j)) for j in years
    )


def _width(row: Sequence[Any]) -> int:
    last = max((i for i, v in enumerate(row) if v is not None and str(v).strip()), default=-1)
    return last + 1


def find_header(rows: Sequence[Sequence[Any]]) -> tuple[int | None, int, list[int]]:
    """(header index or None, table width, indexes of title rows above it)."""
    widths = [_width(r) for r in rows if not is_blank(r)]
    if not widths:
        return None, 0, []
    common = Counter(widths).most_common()
    mode = max(w for w, n in common if n == common[0][1])
    need = max(2, (mode + 1) // 2) if mode >= 2 else 1
    titles: list[int] = []
    for i, row in enumerate(rows):
        if is_blank(row):
            continue
        if filled(row) >= need:
            below = Counter(_width(r) for r in rows[i + 1 : i + 200] if not is_blank(r))
            width = max(_width(row), below.most_common(1)[0][0] if below else 0)
            if _is_header(row, rows[i + 1 : i + 20]) or (mode == 1 and not looks_numeric(row[0])):
                return i, width, titles
            return None, width, titles
        titles.append(i)
    return None, mode, []


def new_table_at(rows: Sequence[Sequence[Any]], width: int, header: Sequence[Any] | None) -> bool:
    """Is the first non-blank row of ``rows`` (which follow a blank row) a new table's start?

    Yes if it repeats the header, is a header-like row of another width, or the rows after
    the blank line have another width than the table above."""
    body = [r for r in rows if not is_blank(r)]
    if not body:
        return False
    first = body[0]
    if header is not None and [str(v).strip() for v in first[: len(header)]] == [
        str(v).strip() for v in header
    ]:
        return True
    if is_total_row(first) and len(body) == 1:
        return False
    widths = Counter(_width(r) for r in body[:20])
    other_width = widths.most_common(1)[0][0] != width
    return other_width or (header_like(first) and header is not None and width > 1)


def locate(rows: Sequence[Sequence[Any]]) -> Layout:
    """The first table in ``rows`` (a whole sheet, or the head of a text file)."""
    header, width, titles = find_header(rows)
    start = (header + 1) if header is not None else (titles[-1] + 1 if titles else 0)
    if header is None:
        titles = []
        start = next((i for i, r in enumerate(rows) if not is_blank(r)), 0)
    end, second = len(rows), None
    head_row = rows[header] if header is not None else None
    for i in range(start, len(rows)):
        blank_before_more = is_blank(rows[i]) and i + 1 < len(rows) and not is_blank(rows[i + 1])
        if blank_before_more and new_table_at(rows[i + 1 : i + 41], width, head_row):
            end, second = i, i + 1
            while end > start and is_blank(rows[end - 1]):
                end -= 1
            break
    last = end - 1
    while last >= start and is_blank(rows[last]):
        last -= 1
    footer = None
    if last >= start and is_total_row(rows[last]) and last > start:
        footer, end = last, last
    return Layout(header, start, end, width, titles, footer, second)


def lines_text(lines: Sequence[int]) -> str:
    """ "line 7", "lines 3, 4" or "lines 3, 4, ... (250 in all)"."""
    lines = list(lines)
    if len(lines) == 1:
        return f"line {lines[0]}"
    shown = ", ".join(str(n) for n in lines[:10])
    more = f" ... ({len(lines):,} in all)" if len(lines) > 10 else ""
    return f"lines {shown}{more}"


def span_text(first: int, last: int) -> str:
    return f"line {first}" if first == last else f"lines {first}–{last}"


def note(kind: str, message: str, lines: Sequence[int]) -> dict[str, Any]:
    return {"kind": kind, "message": message, "lines": [int(n) for n in lines][:1000]}


def title_note(texts: Sequence[str], lines: Sequence[int]) -> dict[str, Any]:
    shown = "; ".join(repr(t[:60]) for t in texts[:3])
    what = "line" if len(lines) == 1 else f"{len(lines)} lines"
    return note(
        "title_rows",
        f"Skipped the {what} above the header ({span_text(lines[0], lines[-1])}): {shown}.",
        lines,
    )


def footer_note(text: str, line: int) -> dict[str, Any]:
    return note(
        "footer_total",
        f"Left out the total row at line {line} ({text[:60]!r}): it sums the rows above it.",
        [line],
    )


def second_table_note(first: int, last: int, table_end: int) -> dict[str, Any]:
    return note(
        "second_table",
        f"Another table starts below the first one ({span_text(first, last)}). We used the "
        f"first table (up to line {table_end}); upload the second one as its own file if you "
        "need it.",
        list(range(first, last + 1)),
    )


def ragged_note(lines: Sequence[int]) -> dict[str, Any]:
    n = len(lines)
    return note(
        "ragged_rows",
        f"Skipped {n:,} row{'s' if n > 1 else ''} with the wrong number of values "
        f"({lines_text(lines)}).",
        lines,
    )
