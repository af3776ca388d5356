"""Excel workbooks: every sheet measured, the largest table (or the chosen sheet) read.

Each sheet's rows go through :func:`.tables.locate` like a text file's head, so title rows,
a footer total and a second table below the first are handled the same way; notes give Excel
row numbers.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import duckdb

from ..errors import IngestError
from ..limits import Limits
from . import tables
from .pyvalues import register_columns
from .sniff import clean_names, too_many_columns, too_many_rows
from .typed import Part


def check_zip(path: Path, limits: Limits) -> None:
    """Refuse zip bombs before any decompression.

    zipfile never yields more than a member's declared ``file_size`` (it stops and checks the
    CRC there), so capping the declared sizes caps what reading can produce.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise IngestError(
            "This Excel file is damaged. Open it in Excel, save it again and re-upload.",
            "bad_xlsx",
        ) from None
    total = sum(i.file_size for i in infos)
    worst = max((i.file_size / max(i.compress_size, 1) for i in infos), default=0)
    if total > limits.xlsx_max_uncompressed_bytes or worst > limits.xlsx_max_ratio:
        raise IngestError(
            "This Excel file expands to far more data than it contains (a 'zip bomb'), so we "
            "did not open it. Export the data as CSV instead.",
            "zip_bomb",
        )
    if "xl/workbook.xml" not in {i.filename for i in infos}:
        raise IngestError(
            "This is a ZIP archive, not an Excel workbook. Upload the CSV or .xlsx inside it.",
            "not_tabular",
        )


def bad_xlsx() -> IngestError:
    return IngestError(
        "This Excel file is damaged or not a real .xlsx workbook. Open it in Excel, save it "
        "again (or export it as CSV) and upload it again.",
        "bad_xlsx",
    )


class Sheet:
    """One sheet's rows (with their Excel row numbers) and where its table is."""

    def __init__(self, name: str, numbered: list[tuple[int, tuple]]) -> None:
        self.name = name
        self.numbers = [n for n, _ in numbered]
        self.rows = [list(r) for _, r in numbered]
        self.layout = tables.locate(self.rows) if self.rows else None
        body = self.body()
        self.width = self.layout.width if self.layout else 0
        self.size = (len(body), self.width)

    def body(self) -> list[list[Any]]:
        if self.layout is None:
            return []
        part = self.rows[self.layout.start : self.layout.end]
        return [r for r in part if not tables.is_blank(r)]

    def summary(self) -> dict[str, Any]:
        return {"name": self.name, "rows": self.size[0], "columns": self.size[1]}


def read_xlsx_source(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    limits: Limits,
    sheet: str | None,
    warnings: list[str],
    notes: list[dict],
) -> tuple[list[Part], list[dict], str]:
    """Register ``src`` from the chosen sheet; return its parts, all sheets, the sheet read."""
    import openpyxl

    check_zip(path, limits)
    with open(path, "rb") as fh:  # a file object: openpyxl refuses paths without .xlsx
        try:
            wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
        except Exception:
            raise bad_xlsx() from None
        sheets = _read_sheets(wb, sheet, limits)
    chosen = _choose(sheets, sheet)
    if chosen.layout is None or not chosen.body():
        raise IngestError("The sheet is empty. Choose a sheet that contains a table.", "empty")
    if sheet is None and len(sheets) > 1:
        warnings.append(
            f"The workbook has {len(sheets)} sheets; we read '{chosen.name}', the largest "
            "table. Choose another sheet to read that one instead."
        )
    names, columns = _columns(chosen, warnings, notes)
    return register_columns(con, names, columns), [s.summary() for s in sheets], chosen.name


def _read_sheets(wb: Any, sheet: str | None, limits: Limits) -> list[Sheet]:
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise IngestError(
                f"The workbook has no sheet named '{sheet}'. Its sheets are: "
                f"{', '.join(wb.sheetnames)}.",
                "no_sheet",
            )
        return [Sheet(ws.title, _rows(ws, limits)) for ws in wb.worksheets]
    except IngestError:
        raise
    except Exception:
        raise bad_xlsx() from None
    finally:
        wb.close()


def _rows(ws: Any, limits: Limits) -> list[tuple[int, tuple]]:
    """Rows up to their last filled cell; blank rows kept (they separate tables).

    The sheet's declared size (``<dimension ref="A1:XFD1048576"/>``) is ignored: openpyxl
    would pad every row and add empty rows up to it. Only cells the file holds count."""
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()
    rows: list[tuple[int, tuple]] = []
    for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
        last = max((i for i, v in enumerate(values) if v not in (None, "")), default=-1)
        if last + 1 > limits.max_columns:
            raise too_many_columns(last + 1, limits)
        if last >= 0 or rows:
            rows.append((number, tuple(values[: last + 1])))
        if len(rows) > limits.max_rows + 1:
            raise too_many_rows(limits, "sheet")
    while rows and not rows[-1][1]:
        rows.pop()
    return rows


def _choose(sheets: list[Sheet], sheet: str | None) -> Sheet:
    if sheet is not None:
        return next(s for s in sheets if s.name == sheet)
    return max(sheets, key=lambda s: s.size[0] * max(s.size[1], 1), default=None) or sheets[0]


def _columns(chosen: Sheet, warnings: list[str], notes: list[dict]):
    layout, rows, numbers = chosen.layout, chosen.rows, chosen.numbers
    width = chosen.width
    if layout.titles:
        texts = [str(next(c for c in rows[i] if c not in (None, ""))) for i in layout.titles]
        notes.append(tables.title_note(texts, [numbers[i] for i in layout.titles]))
    if layout.footer is not None:
        text = " ".join(str(v) for v in rows[layout.footer] if v not in (None, ""))
        notes.append(tables.footer_note(text, numbers[layout.footer]))
    if layout.second is not None:
        notes.append(
            tables.second_table_note(numbers[layout.second], numbers[-1], numbers[layout.end - 1])
        )
        warnings.append(notes[-1]["message"])
    body = [r + [None] * (width - len(r)) for r in chosen.body()]
    if layout.header is not None:
        head = rows[layout.header]
        names = [str(v) if v is not None else "" for v in head] + [""] * (width - len(head))
    else:
        warnings.append("No header row was found, so the columns are named column_1, ...")
        names = [f"column_{i + 1}" for i in range(width)]
    columns = [[r[i] for r in body] for i in range(width)]
    return clean_names(names[:width]), columns
