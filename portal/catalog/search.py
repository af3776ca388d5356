"""Ranked full-text search over products, resources and FAQ — one service, two engines.

SQLite uses its FTS5 index (``bm25`` ranking), PostgreSQL its ``tsvector`` column with a GIN
index (``ts_rank``); both see the same rows, written by ``rebuild_search_index`` (see
``portal/models/search.py`` for the tables). The query a person types is never passed to the
database's query syntax as-is: it is cut into plain word terms first, so quotes, operators or
SQL in a query are just words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from markupsafe import Markup, escape
from sqlalchemy import select, text
from sqlalchemy.orm import selectinload

from portal.catalog.services import clean_text
from portal.catalog.text import markdown_to_text
from portal.extensions import db
from portal.journey.services import Actor, record_event
from portal.models import Product

MAX_QUERY_CHARS = 200  # a longer query is cut, not refused
MAX_TERMS = 8
RESULT_LIMIT = 30
# Private-use characters mark the matched words in snippets; they are turned into <mark>
# only after the snippet has been HTML-escaped.
_HIT_START, _HIT_END = "\ue000", "\ue001"
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "product", "resource" or "faq"
    ref_id: int
    product_id: int
    product_slug: str
    product_name: str
    title: str
    snippet: Markup
    rank: float


@dataclass
class SearchOutcome:
    query: str  # what we searched for, after trimming
    terms: list[str] = field(default_factory=list)
    hits: list[SearchHit] = field(default_factory=list)
    matched_all_words: bool = True  # False: nothing had every word, these have some
    truncated: bool = False  # the query was cut to MAX_QUERY_CHARS

    @property
    def count(self) -> int:
        return len(self.hits)


def search_terms(query: str) -> list[str]:
    """The distinct lower-case words of a query (letters and digits only), at most 8."""
    terms: list[str] = []
    for word in _WORD.findall(query.lower()):
        word = word[:40]
        if word not in terms:
            terms.append(word)
        if len(terms) == MAX_TERMS:
            break
    return terms


def search_catalog(query: str | None, limit: int = RESULT_LIMIT) -> SearchOutcome:
    """Search active products, their resources and FAQ; best matches first.

    Every word must match; when nothing matches every word, the hits with any of the words
    are returned instead (``matched_all_words`` is then False).
    """
    raw = clean_text(query)
    outcome = SearchOutcome(query=raw[:MAX_QUERY_CHARS], truncated=len(raw) > MAX_QUERY_CHARS)
    outcome.terms = search_terms(outcome.query)
    if not outcome.terms:
        return outcome
    run = _search_postgresql if db.engine.dialect.name == "postgresql" else _search_sqlite
    outcome.hits = run(outcome.terms, limit, match_all=True)
    if not outcome.hits and len(outcome.terms) > 1:
        outcome.hits = run(outcome.terms, limit, match_all=False)
        outcome.matched_all_words = False
    return outcome


def _search_sqlite(terms: list[str], limit: int, match_all: bool) -> list[SearchHit]:
    # Each term is quoted (a plain FTS5 string); longer ones also match as a prefix.
    parts = [f'"{t}"*' if len(t) >= 3 else f'"{t}"' for t in terms]
    match = (" AND " if match_all else " OR ").join(parts)
    rows = db.session.execute(
        text(
            "SELECT search_fts.kind, search_fts.ref_id, search_fts.product_id, p.slug, p.name,"
            " search_fts.title,"
            " snippet(search_fts, 1, :start, :end, '…', 24) AS snippet,"
            # bm25 is lower-is-better; titles weigh 6× the body, product rows count double.
            " bm25(search_fts, 6.0, 1.0)"
            "  * (CASE search_fts.kind WHEN 'product' THEN 2.0 ELSE 1.0 END) AS rank"
            " FROM search_fts JOIN product AS p ON p.id = search_fts.product_id"
            " WHERE search_fts MATCH :match AND p.is_active"
            " ORDER BY rank, search_fts.product_id LIMIT :limit"
        ),
        {"match": match, "start": _HIT_START, "end": _HIT_END, "limit": limit},
    )
    return [_hit(row, -row.rank) for row in rows]


def _search_postgresql(terms: list[str], limit: int, match_all: bool) -> list[SearchHit]:
    tsquery = (" & " if match_all else " | ").join(f"{t}:*" if len(t) >= 3 else t for t in terms)
    rows = db.session.execute(
        text(
            "SELECT f.kind, f.ref_id, f.product_id, p.slug, p.name, f.title,"
            " ts_headline('english', f.body, q, :headline) AS snippet,"
            " ts_rank(f.document, q)"
            "  * (CASE f.kind WHEN 'product' THEN 2.0 ELSE 1.0 END) AS rank"
            " FROM search_fts AS f JOIN product AS p ON p.id = f.product_id,"
            " to_tsquery('english', :tsquery) AS q"
            " WHERE f.document @@ q AND p.is_active"
            " ORDER BY rank DESC, f.product_id LIMIT :limit"
        ),
        {
            "tsquery": tsquery,
            "headline": f"StartSel={_HIT_START}, StopSel={_HIT_END}, MaxWords=30, MinWords=12",
            "limit": limit,
        },
    )
    return [_hit(row, row.rank) for row in rows]


def _hit(row, rank: float) -> SearchHit:
    snippet = str(escape(row.snippet or ""))
    snippet = snippet.replace(_HIT_START, "<mark>").replace(_HIT_END, "</mark>")
    return SearchHit(
        kind=row.kind,
        ref_id=row.ref_id,
        product_id=row.product_id,
        product_slug=row.slug,
        product_name=row.name,
        title=row.title,
        snippet=Markup(snippet),  # escaped above, only <mark> added
        rank=float(rank),
    )


def rebuild_search_index(product_ids: Iterable[int] | None = None) -> int:
    """Rewrite the index rows of ``product_ids`` (default: every product). Returns rows written.

    Archived products are removed and not written back, so they leave search with the
    catalog. Runs in the caller's transaction, like every service.
    """
    ids = None if product_ids is None else sorted(set(product_ids))
    if ids == []:
        return 0
    if ids is None:
        db.session.execute(text("DELETE FROM search_fts"))
    else:
        for product_id in ids:
            db.session.execute(
                text("DELETE FROM search_fts WHERE product_id = :id"), {"id": product_id}
            )
    query = (
        select(Product)
        .where(Product.is_active)
        .options(selectinload(Product.resources), selectinload(Product.faqs))
        # Reload collections already in the session: a deleted FAQ must not linger there.
        .execution_options(populate_existing=True)
    )
    if ids is not None:
        query = query.where(Product.id.in_(ids))
    rows = [row for product in db.session.scalars(query) for row in _index_rows(product)]
    if rows:
        db.session.execute(
            text(
                "INSERT INTO search_fts (kind, ref_id, product_id, title, body)"
                " VALUES (:kind, :ref_id, :product_id, :title, :body)"
            ),
            rows,
        )
    return len(rows)


def _index_rows(product: Product) -> list[dict]:
    body = "\n".join(
        [
            product.tagline,
            product.category,
            ", ".join(product.use_cases or []),
            markdown_to_text(product.description_md),
            *(f"{f.get('title', '')}. {f.get('text', '')}" for f in product.features or []),
            *(f"{label}: {value}" for label, value in product.specs or []),
        ]
    )
    rows = [_row("product", product.id, product.id, product.name, body)]
    for resource in product.resources:
        rows.append(
            _row("resource", resource.id, product.id, resource.title, resource.summary or "")
        )
    for faq in product.faqs:
        rows.append(_row("faq", faq.id, product.id, faq.question, markdown_to_text(faq.answer_md)))
    return rows


def _row(kind: str, ref_id: int, product_id: int, title: str, body: str) -> dict:
    return {"kind": kind, "ref_id": ref_id, "product_id": product_id, "title": title, "body": body}


def record_search(actor: Actor | None, outcome: SearchOutcome) -> None:
    """The ``searched`` journey event; ``results=0`` is what the seller's listening view reads
    as "searched and found nothing"."""
    if outcome.terms:
        record_event(actor, "searched", query=outcome.query, results=outcome.count)
