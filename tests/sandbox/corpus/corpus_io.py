"""Writers for the corpus: CSV text in a chosen layout and encoding, and xlsx via openpyxl."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

FIXED_TIME = dt.datetime(2024, 7, 1, 9, 0, 0)


def csv_text(
    rows: list[list], delimiter: str = ",", quote_all: bool = False, line_end: str = "\r\n"
) -> str:
    buf = io.StringIO()
    writer = csv.writer(
        buf,
        delimiter=delimiter,
        lineterminator=line_end,
        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
    )
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue()


def write_csv(
    path: Path,
    header: list[str],
    rows: list[list],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
    bom: bool = False,
    quote_all: bool = False,
    line_end: str = "\r\n",
    before: str = "",
    after: str = "",
) -> None:
    """One table, optionally with raw text ``before`` the header and ``after`` the rows."""
    text = before + csv_text([header, *rows], delimiter, quote_all, line_end) + after
    data = text.encode(encoding)  # utf-16 writes its BOM itself
    if bom and encoding == "utf-8":
        data = b"\xef\xbb\xbf" + data
    path.write_bytes(data)


def write_xlsx(path: Path, sheets: list[dict]) -> None:
    """Each sheet: title, top (rows above the header), header, body, bottom, formats
    ({1-based column: number format}), state, hidden_columns."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    wb.properties.created = wb.properties.modified = FIXED_TIME
    for spec in sheets:
        ws = wb.create_sheet(spec["title"])
        if spec.get("state"):
            ws.sheet_state = spec["state"]
        for row in spec.get("top", []):
            ws.append(row)
        if spec.get("top"):
            ws.cell(row=1, column=1).font = Font(bold=True, size=14)
        ws.append(spec["header"])
        header_row = ws.max_row
        for cell in ws[header_row]:
            cell.font = Font(bold=True)
        for row in spec["body"]:
            ws.append(row)
        last_body = ws.max_row
        for row in spec.get("bottom", []):
            ws.append(row)
        for col, fmt in spec.get("formats", {}).items():
            for r in range(header_row + 1, ws.max_row + 1):
                ws.cell(row=r, column=col).number_format = fmt
        for col in spec.get("hidden_columns", []):
            ws.column_dimensions[openpyxl.utils.get_column_letter(col)].hidden = True
        del last_body
    buf = io.BytesIO()
    wb.save(buf)
    _fix_zip_times(buf, path)


def _fix_zip_times(buf: io.BytesIO, path: Path) -> None:
    """Rewrite the workbook with fixed entry times so the bytes are reproducible."""
    buf.seek(0)
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            data = src.read(item.filename)
            if item.filename == "docProps/core.xml":  # openpyxl stamps 'modified' at save
                stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, data)
            out.writestr(info, data)
