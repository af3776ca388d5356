"""Vendor-written Markdown, rendered to HTML that is safe to show, or to plain text.

Descriptions and FAQ answers are written by admins, but they are still treated as untrusted:
the HTML is sanitised with nh3 (an allow-list of tags, attributes and URL schemes), so a
``<script>`` or a ``javascript:`` link can never reach a buyer's browser.
"""

from __future__ import annotations

import html as html_lib
import re
from functools import lru_cache

import markdown as markdown_lib
import nh3
from markupsafe import Markup

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h2", "h3",
    "h4", "hr", "i", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td",
    "th", "thead", "tr", "ul",
})  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(source: str | None, tags: frozenset[str] | set[str] = ALLOWED_TAGS) -> Markup:
    """Markdown → sanitised HTML, ready for a template (``tags``: the allow-list, narrower
    for text buyers write).

    Rendering and sanitising cost about a third of a product page view, and the texts change
    only when someone saves them, so the HTML is kept per process, keyed by the text itself
    (and the allow-list): an edit is a new key (nothing to invalidate).
    """
    return Markup(_sanitised_html(source or "", frozenset(tags)))  # sanitised below


@lru_cache(maxsize=1024)
def _sanitised_html(source: str, tags: frozenset[str]) -> str:
    html = markdown_lib.markdown(source, extensions=["extra", "sane_lists"])
    return nh3.clean(
        html,
        tags=set(tags),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
    )


def markdown_to_text(source: str | None) -> str:
    """Markdown → plain text (for the search index and the PDF sheet)."""
    html = markdown_lib.markdown(source or "", extensions=["extra", "sane_lists"])
    html = re.sub(r"</(p|li|h\d|tr|blockquote|pre)>", "\n", html)
    text = nh3.clean(html, tags=set(), clean_content_tags={"script", "style"})
    text = html_lib.unescape(text)
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


_BLOCK = re.compile(r"<li>(.*?)</li>|<(p|h\d|blockquote|pre)>(.*?)</\2>", re.S)


def markdown_blocks(source: str | None) -> list[tuple[str, str]]:
    """Markdown → its blocks as plain text, in order: ``("bullet", text)`` for each list
    item and ``("paragraph", text)`` for everything else (for the PDF sheet, which draws
    bullets on lines of their own)."""
    html = markdown_lib.markdown(source or "", extensions=["extra", "sane_lists"])
    blocks = []
    for match in _BLOCK.finditer(html):
        inner = match.group(1) if match.group(1) is not None else match.group(3)
        text = nh3.clean(inner, tags=set(), clean_content_tags={"script", "style"})
        text = " ".join(html_lib.unescape(text).split())
        if text:
            blocks.append(("bullet" if match.group(1) is not None else "paragraph", text))
    return blocks
