"""The product page renders vendor Markdown once per text (not per view) with the same output,
and its query count does not depend on how many testimonials, questions or FAQ it sits on."""

import markdown as markdown_lib
import nh3
import pytest

from portal.catalog.text import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, URL_SCHEMES, render_markdown
from portal.extensions import db as _db
from portal.models import Question
from portal.voices.routes import PER_PAGE
from tests.catalog.test_catalog_queries import counting_queries
from tests.factories import make_faq, make_plan, make_product, make_testimonial

SOURCES = [
    "",
    "A **useful** product.\n\n- one\n- two\n",
    "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>",
    '| a | b |\n|:--|--:|\n| 1 | 2 |\n\n[site](https://example.com "t")',
    "*[HTML]: Hyper Text\n\nHTML in `code` and <b onclick=x>bold</b>",
]


def reference_render(source: str) -> str:
    """The renderer as it was before the cache: Markdown, then nh3 with the same allow-list."""
    html = markdown_lib.markdown(source, extensions=["extra", "sane_lists"])
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
    )


@pytest.mark.parametrize("source", SOURCES)
def test_cached_render_is_the_same_sanitised_html(source):
    first = render_markdown(source)
    assert str(first) == reference_render(source)
    assert str(render_markdown(source)) == str(first)  # served from the cache, unchanged
    assert "<script" not in first and "javascript:" not in first and "onerror" not in first


def test_product_page_shows_the_edited_description_at_once(app, db, client):
    product = make_product(slug="edited", description_md="First **version**.")
    make_plan(product)
    _db.session.commit()
    assert "First <strong>version</strong>." in client.get("/products/edited").text
    product.description_md = "Second <script>x</script>**text**."
    _db.session.commit()
    page = client.get("/products/edited").text
    assert reference_render("Second <script>x</script>**text**.") in page
    assert "First" not in page


def _add_voices(product, testimonials: int, questions: int, faqs: int) -> None:
    for n in range(testimonials):
        make_testimonial(product, rating=1 + n % 5, title=f"Review {n}")
    for n in range(questions):
        _db.session.add(Question(product_id=product.id, title=f"Question {n}?", body="Why?"))
    for n in range(faqs):
        make_faq(product, question=f"Faq {n}?", answer_md=f"Answer **{n}**.")
    _db.session.commit()


def _queries(app, engine, path: str) -> int:
    client = app.test_client()
    client.set_cookie("td_consent", "accept")  # the view event is written too
    client.set_cookie("td_vid", "visitor-abcdef123456")
    client.get(path)  # warm caches (templates, Markdown) as a running server has them
    with counting_queries(engine) as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(statements)


def test_product_page_query_count_does_not_grow_with_voices(app, db):
    product = make_product(slug="counted")
    make_plan(product)
    _add_voices(product, testimonials=2, questions=1, faqs=1)
    paths = [
        "/products/counted",
        "/products/counted/testimonials",
        "/products/counted/questions",
    ]
    small = {path: _queries(app, db.engine, path) for path in paths}
    _add_voices(product, testimonials=PER_PAGE * 4, questions=PER_PAGE * 3, faqs=12)
    big = {path: _queries(app, db.engine, path) for path in paths}
    assert big == small
    assert small["/products/counted"] <= 8, small
