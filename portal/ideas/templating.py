"""Template helpers of the ideas board."""

from __future__ import annotations

from markupsafe import Markup

from portal.ideas import bp
from portal.ideas.text import render_idea_markdown


@bp.app_template_filter("idea_markdown")
def idea_markdown(source: str | None) -> Markup:
    return render_idea_markdown(source)


@bp.app_template_filter("vote_words")
def vote_words(idea) -> str:
    """'12 votes · 5 from customers' (the customers part only when there are some)."""
    n = idea.vote_count
    words = f"{n} vote{'s' if n != 1 else ''}"
    if idea.customer_vote_count:
        words += f" · {idea.customer_vote_count} from customers"
    return words
