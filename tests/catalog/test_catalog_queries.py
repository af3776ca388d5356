"""Quality bar: catalog pages issue a bounded number of queries, whatever the catalog size.

The same pages are requested with 10 and with 500 products (each with plans, a resource and
FAQ); the number of SQL statements must not change, and stays small.
"""

from contextlib import contextmanager

from sqlalchemy import event

from portal.catalog.search import rebuild_search_index
from portal.extensions import db as _db
from portal.models import Faq, Plan, Product, Resource

PAGES = [
    "/",
    "/products",
    "/products?sort=price_asc&use_case=Forecasting",
    "/products?category=Category+3&sort=name",
    "/products/product-0005",
    "/compare?p=product-0001,product-0002,product-0003,product-0004",
    "/search?q=forecast+product",
    "/products/product-0005/sheet.pdf",
]
MAX_QUERIES = 8


def build_catalog(start: int, stop: int) -> None:
    for n in range(start, stop):
        product = Product(
            slug=f"product-{n:04d}",
            name=f"Product {n:04d}",
            tagline="Forecast anything",
            category=f"Category {n % 5}",
            use_cases=["Forecasting", f"Case {n % 7}"],
            description_md="A **forecast** product.",
            features=[{"title": "Seasonality", "text": "Yes"}],
            specs=[["Deployment", "Cloud" if n % 2 else "On-premises"]],
            is_featured=n % 10 == 0,
        )
        product.plans = [
            Plan(name="Monthly", unit_amount=1000 + n, billing="monthly"),
            Plan(name="Licence", unit_amount=100_000 + n, billing="one_time"),
        ]
        product.resources = [Resource(kind="video", title="Tour", url="https://v.example/t")]
        product.faqs = [Faq(question="Is it good?", answer_md="Yes.")]
        _db.session.add(product)
    _db.session.flush()
    rebuild_search_index()
    _db.session.commit()


@contextmanager
def counting_queries(engine):
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def queries_per_page(app, engine) -> dict[str, int]:
    client = app.test_client()
    client.set_cookie("td_consent", "accept")  # events are written too: still bounded
    client.set_cookie("td_vid", "visitor-abcdef123456")
    counts = {}
    for page in PAGES:
        with counting_queries(engine) as statements:
            response = client.get(page)
        assert response.status_code == 200, page
        counts[page] = len(statements)
    return counts


def test_query_count_does_not_grow_with_the_catalog(app, db):
    build_catalog(0, 10)
    small = queries_per_page(app, db.engine)
    build_catalog(10, 500)
    big = queries_per_page(app, db.engine)
    assert big == small
    assert max(small.values()) <= MAX_QUERIES, small
