"""The one module that asks the EU's VIES service whether a VAT id is registered.

Off by default (``VIES_ENABLED``): VAT ids are then checked offline only (format and check
digit, ``tax.normalise_vat_id``) and the checkout says so. When on, the review step and the
placed order ask VIES (``VIES_URL``, its REST API: ``GET {VIES_URL}/ms/{CC}/vat/{number}``).
An unreachable or busy VIES never blocks a sale: the id stays "checked offline only".
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from flask import current_app

from portal.commerce.settings import setting


@dataclass(frozen=True)
class ViesAnswer:
    """``registered`` is True/False when VIES answered, None when it could not say."""

    registered: bool | None
    name: str | None = None
    reason: str = ""


def vies_enabled() -> bool:
    return bool(setting("VIES_ENABLED"))


def check_vat_id(vat_id: str) -> ViesAnswer:
    """Ask VIES about a normalised EU VAT id ("FR40303265045")."""
    country, number = vat_id[:2], vat_id[2:]
    base = str(setting("VIES_URL")).rstrip("/")
    url = f"{base}/ms/{urllib.parse.quote(country)}/vat/{urllib.parse.quote(number)}"
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=float(setting("VIES_TIMEOUT"))) as answer:
            data = json.loads(answer.read(64_000).decode("utf-8"))
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
        current_app.logger.warning("VIES check of %s failed: %s", country, error)
        return ViesAnswer(None, reason="unreachable")
    if not isinstance(data, dict):
        return ViesAnswer(None, reason="unreadable answer")
    verdict = data.get("userError", "")
    if verdict not in ("VALID", "INVALID") or not isinstance(data.get("isValid"), bool):
        return ViesAnswer(None, reason=str(verdict or "no verdict"))  # MS_UNAVAILABLE, …
    name = data.get("name")
    return ViesAnswer(
        data["isValid"], name if isinstance(name, str) and name != "---" else None, verdict
    )
