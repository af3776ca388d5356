"""Uploaded resource files (PDF datasheets and guides): validation and storage.

Files are stored under an opaque random key in the catalog files folder, never under a name
the uploader chose, and are only accepted when they really are a readable, unencrypted PDF.
"""

from __future__ import annotations

import io
import logging
import re
import secrets
from pathlib import Path

from flask import Flask
from pypdf import PdfReader
from pypdf.errors import PyPdfError

MAX_PDF_BYTES = 20 * 1024 * 1024
_KEY = re.compile(r"^[0-9a-f]{32}$")


class InvalidFile(ValueError):
    """The upload is not an acceptable PDF; the message is written for the person."""


def files_folder(app: Flask) -> Path:
    """The ``CATALOG_FILES`` folder (its default is set in ``portal.config``)."""
    return Path(app.config["CATALOG_FILES"])


def check_pdf(data: bytes) -> int:
    """Raise ``InvalidFile`` unless ``data`` is a readable PDF; return its page count."""
    if not data:
        raise InvalidFile("The file is empty.")
    if len(data) > MAX_PDF_BYTES:
        raise InvalidFile(f"The file is larger than {MAX_PDF_BYTES // (1024 * 1024)} MB.")
    if not data[:1024].lstrip().startswith(b"%PDF-"):
        raise InvalidFile("That is not a PDF file. Upload a PDF (it starts with %PDF).")
    # pypdf reports recoverable damage through logging; a broken file must fail instead.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=True)
        if reader.is_encrypted:
            raise InvalidFile("The PDF is password-protected. Upload an unprotected copy.")
        pages = len(reader.pages)
    except InvalidFile:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as error:
        raise InvalidFile("The PDF could not be read; it may be damaged.") from error
    if pages == 0:
        raise InvalidFile("The PDF has no pages.")
    return pages


def store_pdf(data: bytes, folder: Path) -> str:
    """Validate and save ``data``; return its opaque key."""
    check_pdf(data)
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(16)
    (folder / f"{key}.pdf").write_bytes(data)
    return key


def pdf_path(folder: Path, key: str | None) -> Path | None:
    """The stored file for ``key``, or None when the key is malformed or the file is gone."""
    if not key or not _KEY.match(key):
        return None
    path = folder / f"{key}.pdf"
    return path if path.is_file() else None


def delete_pdf(folder: Path, key: str | None) -> None:
    path = pdf_path(folder, key)
    if path is not None:
        path.unlink(missing_ok=True)
