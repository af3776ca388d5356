"""What kind of file this is: format from magic bytes and extension, text encoding, names.

Also the few error builders several format readers share, so every message is written once.
"""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path

from ..errors import IngestError
from ..limits import Limits, human_bytes

CHUNK = 1024 * 1024
HEAD = 64 * 1024

_EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".tab": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".json": "json",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
    ".parquet": "parquet",
    ".pq": "parquet",
}

_MAGIC = [
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"BM", "a bitmap image"),
    (b"%PDF", "a PDF document"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
]


def clean_filename(filename: str) -> str:
    """Return a display-safe name, or refuse names that try to be paths."""
    name = filename or ""
    if "\x00" in name or "/" in name or "\\" in name or name.strip() in ("", ".", ".."):
        raise IngestError(
            "The file name looks like a folder path. Rename the file (for example "
            "'deals.csv') and upload it again.",
            "bad_filename",
        )
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return name[:200] or "upload"


def detect_format(head: bytes, filename: str) -> str:
    """Guess the format from the first bytes, falling back to the extension."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise IngestError(
                f"This file is {what}, not a table. Upload a CSV, Excel (.xlsx), JSON or "
                "Parquet file.",
                "not_tabular",
            )
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise IngestError(
            "This is an old Excel (.xls) file. Open it in Excel and save it as .xlsx or CSV.",
            "not_tabular",
        )
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"PAR1"):
        return "parquet"
    ext = _EXTENSIONS.get(Path(filename).suffix.lower())
    text_start = decode_head(head).lstrip("\ufeff \t\r\n")
    if ext in ("json", "ndjson") or (ext is None and text_start[:1] in "[{"):
        if text_start.startswith("["):
            return "json"
        if text_start.startswith("{"):
            return "ndjson"
        raise IngestError(
            'This JSON file is not a list of records. Use a list like [{"name": "Ada"}, ...] '
            "or one record per line.",
            "not_tabular",
        )
    if ext in ("xlsx", "parquet"):
        raise IngestError(
            f"The file is named .{ext} but its content is not a valid {ext} file. "
            "Export it again or upload a CSV.",
            "not_tabular",
        )
    return "csv"


def decode_head(head: bytes) -> str:
    encodings = ["utf-16"] if head.startswith((b"\xff\xfe", b"\xfe\xff")) else []
    for enc in [*encodings, "utf-8", "latin-1"]:
        try:
            return codecs.getincrementaldecoder(enc)().decode(head, final=False)
        except UnicodeError:
            continue
    return ""


def text_encoding(head: bytes) -> str:
    """Pick the encoding of a text file from its first bytes, or refuse it."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    even, odd = head[0::2], head[1::2]
    if len(head) >= 4 and odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if len(head) >= 4 and even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    if b"\x00" in head or controls > 0.02 * len(head):
        raise IngestError(
            "This file does not look like text or a spreadsheet. Upload a CSV, Excel (.xlsx), "
            "JSON or Parquet file.",
            "not_tabular",
        )
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        head.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        raise encoding_error() from None


def encoding_error() -> IngestError:
    return IngestError(
        "We could not read the text in this file: it is not UTF-8, UTF-16 or Windows-1252 "
        "(Latin-1). Save it as 'CSV UTF-8' and upload it again.",
        "encoding",
    )


def transcode(path: Path, encoding: str, target: Path) -> Path:
    """Write ``path`` as UTF-8 (without BOM) to ``target``; refuse undecodable bytes."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with open(path, "rb") as src, open(target, "w", encoding="utf-8", newline="") as out:
            while chunk := src.read(CHUNK):
                out.write(decoder.decode(chunk))
            out.write(decoder.decode(b"", final=True))
    except UnicodeDecodeError:
        raise encoding_error() from None
    return target


def too_large(limits: Limits) -> IngestError:
    return IngestError(
        f"The file is larger than {human_bytes(limits.max_file_bytes)}. Upload a smaller "
        "extract (for example the last 12 months) or split it.",
        "too_large",
    )


def too_many_columns(count: int, limits: Limits) -> IngestError:
    return IngestError(
        f"The file has {count:,} columns; the demo accepts up to {limits.max_columns:,}. "
        "Remove the columns you do not need and upload it again.",
        "too_many_columns",
    )


def too_many_rows(limits: Limits, what: str = "file") -> IngestError:
    return IngestError(
        f"The {what} has more than {limits.max_rows:,} rows. Upload a smaller extract.",
        "too_many_rows",
    )


def clean_names(raw: list) -> list[str]:
    """Unique, trimmed column names (case-insensitively unique), blanks named column_N.

    Control characters are dropped: the hidden raw-text columns start with one."""
    names: list[str] = []
    seen: set[str] = set()
    for i, name in enumerate(raw):
        text = str(name if name is not None else "")
        text = "".join(ch for ch in text if unicodedata.category(ch) != "Cc" or ch.isspace())
        base = " ".join(text.split())[:100] or f"column_{i + 1}"
        candidate, n = base, 2
        while candidate.lower() in seen:
            candidate, n = f"{base}_{n}", n + 1
        seen.add(candidate.lower())
        names.append(candidate)
    return names
