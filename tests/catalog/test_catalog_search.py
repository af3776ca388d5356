"""Full-text search: ranking on a small catalog, bad queries, and an index kept in step.

Runs on SQLite (FTS5) and, with TEST_DATABASE_URL, on PostgreSQL (tsvector): same assertions.
"""

import pytest
from sqlalchemy import select, text

from portal.catalog.search import MAX_TERMS, record_search, search_catalog, search_terms
from portal.catalog.staff_services import (
    ProductData,
    add_faq,
    archive_product,
    check_product,
    delete_faq,
    restore_product,
    update_product,
)
from portal.journey.services import Actor
from portal.models import Event


def hits(query: str) -> list[tuple[str, str]]:
    return [(h.kind, h.title) for h in search_catalog(query).hits]


def test_a_title_match_outranks_a_passing_mention(db, small_catalog):
    outcome = search_catalog("forecast")
    titles = [h.product_slug for h in outcome.hits if h.kind == "product"]
    # Demand Radar has "forecast" in its tagline, use cases and description;
    # Data Doctor mentions it once in passing.
    assert titles[0] == "demand-radar"
    assert "data-doctor" in titles
    assert titles.index("demand-radar") < titles.index("data-doctor")


def test_every_word_must_match_before_falling_back(db, small_catalog):
    both = search_catalog("fuzzy duplicates")
    assert both.matched_all_words
    assert {h.product_slug for h in both.hits} == {"data-doctor"}
    some = search_catalog("duplicates winloss")
    assert not some.matched_all_words
    assert {h.product_slug for h in some.hits} == {"data-doctor"}


def test_searches_resources_and_faq_too(db, small_catalog):
    assert ("faq", "Can it find duplicate suppliers?") in hits("suppliers")


def test_stemming_and_prefixes(db, small_catalog):
    assert ("product", "Demand Radar") in hits("forecasting")  # stem of "forecasts"
    assert ("product", "Demand Radar") in hits("season")  # prefix of "seasonality"


def test_snippets_mark_matches_and_escape_the_rest(db, small_catalog):
    add_faq(
        small_catalog["lens"], "Is <b>this</b> safe?", "Markup like <script>x</script> stays text."
    )
    db.session.commit()
    outcome = search_catalog("markup")
    snippet = str(outcome.hits[0].snippet)
    assert "<mark>" in snippet and "</mark>" in snippet
    assert "<script" not in snippet and "<b>" not in snippet


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "!!! ??? ---",
        "x" * 10_000,
        "forecast " * 2000,
        "'; DROP TABLE product; --",
        '" OR 1=1 --',
        "NEAR(forecast demand) AND -title:* ^x",
        "forecast:* & !demand | (",
        "\x00\x01 nul",
        "日本語 データ",
    ],
)
def test_hostile_or_odd_queries_are_handled(db, small_catalog, query):
    outcome = search_catalog(query)
    assert len(outcome.terms) <= MAX_TERMS
    assert len(outcome.query) <= 200
    # the catalog is intact afterwards
    assert db.session.scalar(text("SELECT count(*) FROM product")) == 3


def test_long_queries_are_cut_not_refused(db, small_catalog):
    outcome = search_catalog("forecast " + "x" * 10_000)
    assert outcome.truncated and outcome.terms[0] == "forecast"
    assert outcome.count > 0


def test_search_terms():
    assert search_terms("Forecast, forecast; DEMAND_radar") == ["forecast", "demand", "radar"]
    assert len(search_terms(" ".join(f"w{i}" for i in range(50)))) == MAX_TERMS


def test_index_follows_edits_archive_and_restore(db, small_catalog):
    lens = small_catalog["lens"]
    assert hits("telescope") == []
    data = ProductData(
        **check_product(ProductData(slug="pipeline-lens", name="Pipeline Lens", category="x"), lens)
    )
    data.description_md = "Now with a telescope."
    update_product(lens, data)
    assert ("product", "Pipeline Lens") in hits("telescope")

    archive_product(lens)
    assert hits("telescope") == []
    restore_product(lens)
    assert ("product", "Pipeline Lens") in hits("telescope")

    faq = add_faq(lens, "Does it have a periscope?", "No.")
    assert ("faq", "Does it have a periscope?") in hits("periscope")
    delete_faq(faq)
    assert hits("periscope") == []


def test_searched_events_carry_query_and_result_count(db, small_catalog):
    actor = Actor(visitor_id="visitor-abcdef123456")
    record_search(actor, search_catalog("  Fuzzy   DUPLICATES "))
    record_search(actor, search_catalog("blockchain"))
    record_search(actor, search_catalog("!!!"))  # nothing searchable: not recorded
    events = db.session.scalars(select(Event).order_by(Event.id)).all()
    assert [e.props for e in events] == [
        {"query": "fuzzy duplicates", "results": 2},
        {"query": "blockchain", "results": 0},
    ]
    assert all(e.kind == "searched" for e in events)
