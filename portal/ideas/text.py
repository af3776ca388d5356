"""What buyers type into ideas: limited Markdown through the project's sanitiser, and clean
plain text within limits."""

from __future__ import annotations

from markupsafe import Markup

from portal.catalog.text import render_markdown
from portal.ideas.errors import InvalidInput
from portal.voices.text import clean_text as _voices_clean_text

# Limited Markdown: emphasis, lists, quotes, code and links; no headings, tables or images.
IDEA_TAGS = {"a", "b", "blockquote", "br", "code", "del", "em", "i", "li", "ol", "p", "pre"}
IDEA_TAGS |= {"strong", "ul"}


def render_idea_markdown(source: str | None) -> Markup:
    """An idea's description as sanitised HTML (nh3 allow-list, see ``portal.catalog.text``)."""
    return render_markdown(source, tags=IDEA_TAGS)


def clean_text(value: str | None, **kwargs) -> str:
    """``portal.voices.text.clean_text`` with this area's error type."""
    try:
        return _voices_clean_text(value, **kwargs)
    except Exception as error:  # voices' InvalidInput: same message and field
        if hasattr(error, "message"):
            raise InvalidInput(error.message, getattr(error, "field", None)) from None
        raise
