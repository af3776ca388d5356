"""The forms of an HTML page, as a browser would submit them (for the locust users)."""

from __future__ import annotations

import re
from html.parser import HTMLParser


class _Forms(HTMLParser):
    """Every <form> of a page: action, method, and the fields a browser would send."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "fields": {}, "buttons": []})
            return
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    fields[name] = a.get("value", "on")
                elif kind == "radio":
                    fields.setdefault(f"__radio__{name}", a.get("value", ""))
            elif kind == "submit":
                self.forms[-1]["buttons"].append((name, a.get("value", "")))
            elif kind != "file":
                fields[name] = a.get("value", "")
        elif tag == "button" and name:
            self.forms[-1]["buttons"].append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            if "selected" in a or self._select not in fields:
                fields[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = ""

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1]["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form(html: str, action: str, page_url: str = "") -> dict | None:
    """The first form whose action ends with ``action`` (a regex), as fields to post.

    A form without an action posts to its page (``page_url``), as in a browser."""
    parser = _Forms()
    parser.feed(html)
    for found in parser.forms:
        found["action"] = found["action"] or page_url
        if re.search(action + r"(\?.*)?$", found["action"]):
            fields = found["fields"]
            for key in [k for k in fields if k.startswith("__radio__")]:
                fields.setdefault(key.removeprefix("__radio__"), fields[key])
                del fields[key]
            found["fields"] = fields
            return found
    return None


def actions(html: str) -> list[str]:
    """The action of every form of a page, in page order."""
    parser = _Forms()
    parser.feed(html)
    return [found["action"] for found in parser.forms]
