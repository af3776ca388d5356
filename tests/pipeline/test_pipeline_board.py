"""The board: access, columns, filters, sort, owner assignment, constant query count, CSV."""

import csv
import io
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select

from portal.extensions import db as _db
from portal.journey.services import Actor, record_event
from portal.models import Account, Deal
from portal.pipeline import export
from tests.factories import deal_of, make_product, record

NOW = datetime.now(UTC)
SELLER_PAGES = [
    "/seller/pipeline",
    "/seller/pipeline/columns",
    "/seller/pipeline/export.csv",
    "/seller/analytics",
    "/seller/listening",
    "/seller/notifications",
    "/seller/api-tokens",
]


def make_account_deal(name: str, *kinds: str, product=None, at=None) -> Account:
    """A buying account with events (no users needed: an Actor may carry only the account)."""
    account = Account(name=name, domain=f"{name.lower().replace(' ', '-')}.example")
    _db.session.add(account)
    _db.session.flush()
    actor = Actor(account_id=account.id)
    for kind in kinds:
        record_event(actor, kind, product, occurred_at=at)
    return account


def test_seller_pages_need_a_seller(client, buyer_client, seller_client, admin_client):
    for path in SELLER_PAGES:
        assert client.get(path).status_code == 302, path  # to the login form
        assert "/login" in client.get(path).headers["Location"]
        assert buyer_client.get(path).status_code == 403, path
        assert seller_client.get(path).status_code == 200, path
        assert admin_client.get(path).status_code == 200, path


def test_deal_page_needs_a_seller_and_an_existing_deal(app, client, buyer_client, seller_client):
    # No ``db`` fixture here: its app context would share ``g`` (the signed-in user)
    # between the three clients' requests.
    with app.app_context():
        account = make_account_deal("Globex", "product_viewed")
        _db.session.commit()
        deal_id = _db.session.scalar(select(Deal.id).where(Deal.account_id == account.id))
    assert client.get(f"/seller/deals/{deal_id}").status_code == 302
    assert buyer_client.get(f"/seller/deals/{deal_id}").status_code == 403
    assert seller_client.get(f"/seller/deals/{deal_id}").status_code == 200
    assert seller_client.get("/seller/deals/99999").status_code == 404


def test_columns_show_counts_weighted_value_and_cards(db, seller_client):
    product = make_product(name="Pipeline Lens")
    make_account_deal("Globex", "product_viewed", product=product)
    make_account_deal("Initech", "demo_started", "demo_completed", product=product)
    db.session.commit()
    page = seller_client.get("/seller/pipeline").text
    exploring = page.split('data-stage="Exploring"', 1)[1].split("</section>", 1)[0]
    trying = page.split('data-stage="Trying"', 1)[1].split("</section>", 1)[0]
    assert "Globex" in exploring and "Initech" not in exploring
    assert "Initech" in trying and "Pipeline Lens" in trying
    assert '<span class="column-count">1</span>' in trying
    assert "2 deals" in page
    assert 'src="/static/js/pipeline.js"' in page
    assert "data-refresh-url" in page


def test_the_polled_fragment_is_just_the_columns(db, seller_client):
    make_account_deal("Globex", "product_viewed")
    db.session.commit()
    fragment = seller_client.get("/seller/pipeline/columns?q=glo").text
    assert "Globex" in fragment
    assert "<html" not in fragment and "board-columns" in fragment


def test_filters_and_sort(db, seller_client, make_user):
    me = seller_client.user
    lens = make_product(name="Lens")
    make_account_deal("Alpha Foods", "product_viewed", product=lens)
    make_account_deal("Beta Labs", "cart_item_added", "checkout_started")
    make_account_deal("Gamma Bank", "product_viewed", at=NOW - timedelta(days=60))
    db.session.commit()
    beta = db.session.scalar(select(Deal).join(Account).where(Account.name == "Beta Labs"))
    beta.owner_id = me.id
    db.session.commit()

    def names(query: str) -> list[str]:
        page = seller_client.get(f"/seller/pipeline{query}").text
        return [n for n in ("Alpha Foods", "Beta Labs", "Gamma Bank") if f">{n}</a>" in page]

    assert names("") == ["Alpha Foods", "Beta Labs", "Gamma Bank"]
    assert names(f"?product={lens.id}") == ["Alpha Foods"]
    assert names("?owner=me") == ["Beta Labs"]
    assert names("?owner=none") == ["Alpha Foods", "Gamma Bank"]
    assert names("?stalled=1") == ["Gamma Bank"]
    assert names("?q=bank") == ["Gamma Bank"]
    assert names("?score_min=5") == ["Beta Labs"]  # cart 8 + checkout 10
    assert names("?score_max=0.5") == ["Gamma Bank"]  # a view, 60 days ago, decayed
    # nonsense never breaks the board
    assert (
        seller_client.get("/seller/pipeline?product=x&score_min=abc&sort=;drop").status_code == 200
    )
    page = seller_client.get("/seller/pipeline?sort=name&stalled=1").text
    assert "Stalled</span>" in page


def test_lost_deals_leave_the_board_unless_asked_for(db, seller_client):
    from portal.models import User
    from portal.pipeline.deal_actions import mark_lost

    account = make_account_deal("Globex", "product_viewed")
    deal = db.session.scalar(select(Deal).where(Deal.account_id == account.id))
    mark_lost(deal, "No budget", db.session.get(User, seller_client.user.id))
    db.session.commit()
    assert ">Globex</a>" not in seller_client.get("/seller/pipeline").text
    assert ">Globex</a>" in seller_client.get("/seller/pipeline?status=lost").text


def test_owner_assignment(db, seller_client, make_user):
    other_seller = make_user(role="seller", name="Olive Other")
    buyer = make_user()
    record(buyer, "product_viewed", 1)
    db.session.commit()
    deal = deal_of(buyer)
    response = seller_client.post(
        f"/seller/deals/{deal.id}/owner",
        data={"owner": str(other_seller.id), "next": "/seller/pipeline?sort=value"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/seller/pipeline?sort=value"
    db.session.expire_all()
    assert deal_of(buyer).owner_id == other_seller.id
    # a buyer cannot own a deal; the choice is refused and nothing changes
    seller_client.post(f"/seller/deals/{deal.id}/owner", data={"owner": str(buyer.id)})
    db.session.expire_all()
    assert deal_of(buyer).owner_id == other_seller.id
    # an off-site "next" is ignored
    response = seller_client.post(
        f"/seller/deals/{deal.id}/owner", data={"owner": "", "next": "https://evil.example/"}
    )
    assert response.headers["Location"] == f"/seller/deals/{deal.id}"
    db.session.expire_all()
    assert deal_of(buyer).owner_id is None
    # CSRF is required
    assert (
        seller_client.post(
            f"/seller/deals/{deal.id}/owner", data={"owner": ""}, csrf=False
        ).status_code
        == 400
    )


@pytest.fixture
def count_queries(app):
    def counter():
        seen = []

        def before(conn, cursor, statement, parameters, context, executemany):
            seen.append(statement)

        return seen, before

    return counter


def _board_queries(app, seller_client, count_queries) -> list[str]:
    seen, before = count_queries()
    with app.app_context():
        engine = _db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        response = seller_client.get("/seller/pipeline?sort=activity")
    finally:
        event.remove(engine, "before_cursor_execute", before)
    assert response.status_code == 200
    return seen


def test_board_query_count_does_not_grow_with_the_number_of_deals(
    app, db, seller_client, make_user, count_queries
):
    people = [make_user(email=f"p{i}@globex.example") for i in range(2)]
    products = [make_product(), make_product()]

    def add_deals(start: int, count: int) -> None:
        for i in range(start, start + count):
            account = make_account_deal(
                f"Company {i}", "product_viewed", "demo_started", product=products[i % 2]
            )
            if i % 3 == 0:
                record_event(
                    Actor(user_id=people[i % 2].id, account_id=account.id),
                    "sheet_downloaded",
                    products[0],
                )
            deal = db.session.scalar(select(Deal).where(Deal.account_id == account.id))
            deal.owner_id = seller_client.user.id if i % 2 else None
        db.session.commit()

    add_deals(0, 3)
    few = _board_queries(app, seller_client, count_queries)
    add_deals(3, 80)
    many = _board_queries(app, seller_client, count_queries)
    assert len(few) == len(many), "\n".join(many)


def test_csv_export_is_safe_from_formula_injection(db, seller_client):
    make_account_deal('=HYPERLINK("https://evil.example","click")', "product_viewed")
    make_account_deal("+cmd|' /C calc'!A0", "product_viewed")
    make_account_deal("@SUM(1+1)", "product_viewed")
    make_account_deal("-2+3", "product_viewed")
    make_account_deal("Plain Co", "product_viewed")
    db.session.commit()
    response = seller_client.get("/seller/pipeline/export.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    names = {row["account"] for row in rows}
    assert names == {
        '\'=HYPERLINK("https://evil.example","click")',
        "'+cmd|' /C calc'!A0",
        "'@SUM(1+1)",
        "'-2+3",
        "Plain Co",
    }
    assert all(not row["account"].startswith(("=", "+", "-", "@")) for row in rows)
    assert rows[0]["stage"] == "Exploring" and rows[0]["status"] == "open"


def test_csv_export_follows_the_filters(db, seller_client):
    make_account_deal("Alpha Foods", "product_viewed")
    make_account_deal("Beta Labs", "cart_item_added")
    db.session.commit()
    text = seller_client.get("/seller/pipeline/export.csv?q=beta").text
    assert "Beta Labs" in text and "Alpha Foods" not in text


def test_each_cards_value_label_links_to_its_source(app, seller_client):
    """Order → its seller page, quote → its row in the quotes list, cart and plans tried → the
    deal page's cart and demos sections; the link's words are the value's source."""
    from tests.factories import make_plan

    with app.app_context():
        product = make_product(name="Pipeline Lens")
        plan = make_plan(product, unit_amount=4900)
        actors = {}
        for name in ("Tried Co", "Cart Co", "Quote Co", "Order Co", "Paid Co"):
            account = make_account_deal(name, "product_viewed", product=product)
            actors[name] = Actor(account_id=account.id)
        record_event(actors["Tried Co"], "demo_started", product, run_id="r1", recipe="lens")
        record_event(actors["Cart Co"], "cart_item_added", product, plan_id=plan.id, quantity=2)
        quote = dict(quote_id=7, number="Q-7", amount=11_900, net=10_000, valid_until="2026-12-31")
        record_event(actors["Quote Co"], "quote_requested", product, currency="USD", **quote)
        for name, order_id in (("Order Co", 48), ("Paid Co", 49)):
            record_event(actors[name], "order_placed", product, order_id=order_id,
                         number=f"TD-{order_id}", amount=11_900, net=10_000, currency="USD",
                         method="invoice")  # fmt: skip
        record_event(actors["Paid Co"], "order_paid", product, order_id=49, amount=11_900)
        _db.session.commit()
        deal_ids = {
            name: _db.session.scalar(select(Deal.id).where(Deal.account_id == actor.account_id))
            for name, actor in actors.items()
        }
    expected = {
        "Tried Co": (f"/seller/deals/{deal_ids['Tried Co']}#demos-h", "cheapest plan tried"),
        "Cart Co": (f"/seller/deals/{deal_ids['Cart Co']}#cart-h", "open cart"),
        "Quote Co": ("/seller/quotes#quote-7", "open quote Q-7"),
        "Order Co": ("/seller/orders/48", "open invoice order TD-48"),
        "Paid Co": ("/seller/orders/49", "paid order TD-49"),
    }
    for path in ("/seller/pipeline?status=all", "/seller/pipeline/columns?status=all"):
        page = seller_client.get(path).text
        for name, (href, words) in expected.items():
            card = page[page.index(f">{name}</a>") :]
            card = card[: card.index("</li>")]
            assert f'<a class="value-link link-secondary" href="{href}">{words}</a>' in card, name
    # The links lead somewhere a seller may go (the orders are named but not all stored here).
    for name in ("Tried Co", "Cart Co"):
        assert seller_client.get(f"/seller/deals/{deal_ids[name]}").status_code == 200
    assert seller_client.get("/seller/quotes").status_code == 200


def test_csv_export_streams_every_batch_outside_the_request(app, db, seller_client, live_server):
    """Over a real server the stream outlives the request's session: every deal is there,
    across several batches, and the download is not cut."""
    names = [f"Batch Co {n}" for n in range(5)]
    for name in names:
        make_account_deal(name, "product_viewed")
    db.session.commit()

    cookie = seller_client.get_cookie("session").value
    original = export.deals_csv.__defaults__
    export.deals_csv.__defaults__ = (2,)  # batches of two deals
    try:
        request = urllib.request.Request(
            f"{live_server.url}/seller/pipeline/export.csv", headers={"Cookie": f"session={cookie}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode()
    finally:
        export.deals_csv.__defaults__ = original
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(row["account"] for row in rows) == sorted(names)
