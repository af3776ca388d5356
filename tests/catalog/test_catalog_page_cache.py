"""The cached product page is the page an uncached render gives, for every visitor state;
visitors never see each other's tokens or cart; a warm view costs one or two queries.

"Uncached" is ``PRODUCT_PAGE_CACHE = False``: the whole page rendered on every view, as
before the cache. CSRF tokens are signed with the second they were made in, so two renders
of one page may carry different signatures of the same token: each token on a page is
checked to be this visitor's (it unsigns to their session's token) and then put aside.
"""

from __future__ import annotations

import re

import pytest
from flask import render_template
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.engine import Engine

from portal.catalog.page_cache import PAGE_TABLES, Roles, page_store, render_body
from portal.catalog.services import get_product
from portal.extensions import db as _db
from portal.models import Answer, Question, User
from tests.catalog.test_catalog_queries import counting_queries
from tests.conftest import AuthActions
from tests.factories import (
    make_faq,
    make_paid_order,
    make_plan,
    make_product,
    make_resource,
    make_testimonial,
)

TOKEN = re.compile(r'name="csrf_token"( type="hidden")? value="([^"]+)"')


@pytest.fixture
def shop(db, make_user):
    """A product with what its page shows: plans (a range and a fixed quantity), resources,
    FAQ in Markdown, verified and imported testimonials, an answered question."""
    customer = make_user(role="buyer", name="Casey Customer")
    customer = _db.session.merge(customer)
    product = make_product(slug="lens", name="Lens <Pro>", description_md="**Sharp** & clear")
    team = make_plan(product, name="Team", unit_amount=4900)
    make_plan(product, name="Site licence", unit_amount=2_500_000, billing="one_time",
              per_seat=False, max_quantity=1)  # fmt: skip
    make_resource(product, title="Tour video")
    make_faq(product, question="Does it scale?", answer_md="Yes, *it does*.")
    make_paid_order(customer, team)
    make_testimonial(product, customer, rating=4)
    make_testimonial(product, rating=2)
    question = Question(product_id=product.id, title="Can it read Excel files?", body="")
    _db.session.add(question)
    _db.session.flush()
    _db.session.add(
        Answer(question_id=question.id, author_kind="seller", display_name="Team", body="Yes.")
    )
    _db.session.commit()
    return {"product": product, "plan": team}


def tokens_of(client, html: str) -> set[str]:
    """The raw tokens the page's forms carry (each checked to be signed by the app)."""
    serializer = URLSafeTimedSerializer(client.application.secret_key, salt="wtf-csrf-token")
    return {serializer.loads(match.group(2)) for match in TOKEN.finditer(html)}


def session_token(client) -> str | None:
    with client.session_transaction() as session:
        return session.get("csrf_token")


def normalised(client, html: str) -> str:
    """The page with its tokens put aside, after checking they are this visitor's."""
    tokens = tokens_of(client, html)
    assert tokens <= {session_token(client)}, "a form carries a token not of this session"
    return TOKEN.sub(lambda m: f'name="csrf_token"{m.group(1) or ""} value="T"', html)


def view(app, client, path: str, cached: bool, flash: str | None = None) -> str:
    app.config["PRODUCT_PAGE_CACHE"] = cached
    if flash:
        with client.session_transaction() as session:
            session["_flashes"] = [("success", flash)]
    response = client.get(path)
    assert response.status_code == 200
    return normalised(client, response.text)


def signed_in(app, make_user, role: str, **fields):
    user = make_user(role=role, **fields)
    client = app.test_client()
    assert AuthActions(client).login(user.email).status_code == 302
    client.user = user
    return client


def visitor_states(app, make_user, shop) -> dict:
    anonymous = app.test_client()
    prospect = app.test_client()
    prospect.set_cookie("td_consent", "accept")
    prospect.set_cookie("td_vid", "visitor-abcdef123456")
    declined = app.test_client()
    declined.set_cookie("td_consent", "decline")
    buyer = signed_in(app, make_user, "buyer", name="Bea Buyer")
    added = buyer.post("/cart/items", data={"plan_id": shop["plan"].id, "quantity": 3})
    assert added.status_code in (200, 302)
    states = {
        "anonymous": anonymous,
        "consenting prospect": prospect,
        "declined tracking": declined,
        "buyer with the product in cart": buyer,
        "seller": signed_in(app, make_user, "seller", name="Sam Seller"),
        "admin": signed_in(app, make_user, "admin", name="Ada Admin"),
    }
    for client in states.values():
        client.get("/")  # shows (and so drops) the flash messages of signing in and adding
    return states


def test_cached_page_equals_the_uncached_page_for_every_visitor(app, db, make_user, shop):
    for state, client in visitor_states(app, make_user, shop).items():
        for flash in (None, f"Hello, {state}"):
            full = view(app, client, "/products/lens", cached=False, flash=flash)
            cold = view(app, client, "/products/lens", cached=True, flash=flash)
            warm = view(app, client, "/products/lens", cached=True, flash=flash)
            assert cold == full, state
            assert warm == full, state
    assert "Bea Buyer" in full or "Ada Admin" in full  # the shell still names the visitor
    # One body per role combination seen: anonymous, buyer, seller, admin.
    assert len(page_store(app)) == 4


def test_the_page_still_shows_what_it_showed(app, db, client, shop):
    page = client.get("/products/lens").text
    for text in ("Lens &lt;Pro&gt;", "<strong>Sharp</strong> &amp; clear", "Site licence",
                 "Tour video", "<em>it does</em>", "3.0</span> out of 5", "2 testimonials",
                 "typically answered within 1 day"):  # fmt: skip
        assert text in page, text
    assert len(tokens_of(client, page)) == 1  # every add-to-cart form, the visitor's token
    assert page.count('name="csrf_token"') == 3  # two plans and the consent banner


def test_visitors_never_see_each_others_tokens_or_cart(app, db, make_user, shop):
    first = signed_in(app, make_user, "buyer", name="First Buyer")
    second = signed_in(app, make_user, "buyer", name="Second Buyer")
    first.post("/cart/items", data={"plan_id": shop["plan"].id, "quantity": 2})
    first_page = first.get("/products/lens").text  # renders and stores the buyers' body
    second_page = second.get("/products/lens").text  # served from the store
    assert tokens_of(first, first_page) == {session_token(first)}
    assert tokens_of(second, second_page) == {session_token(second)}
    assert session_token(first) != session_token(second)
    assert "First Buyer" in first_page and "First Buyer" not in second_page
    assert "Second Buyer" in second_page and "Second Buyer" not in first_page
    assert 'id="nav-cart-count"><span class="badge' in first_page
    assert 'id="nav-cart-count"></span>' in second_page
    # The second buyer's form works for them, and the first buyer's token does not.
    token = TOKEN.search(second_page).group(2)
    form = {"plan_id": shop["plan"].id, "quantity": 1, "csrf_token": token}
    assert second.post("/cart/items", data=form, csrf=False).status_code in (200, 302)
    stolen = {**form, "csrf_token": TOKEN.search(first_page).group(2)}
    assert second.post("/cart/items", data=stolen, csrf=False).status_code == 400


def test_an_anonymous_visitor_is_given_a_token_only_when_a_form_needs_one(app, db):
    product = make_product(slug="on-request")  # no plans: no add-to-cart form
    _db.session.commit()
    client = app.test_client()
    client.set_cookie("td_consent", "decline")  # no consent banner (its form has a token)
    for _ in range(2):
        response = client.get("/products/on-request")
        assert "csrf_token" not in response.text
        assert "Set-Cookie" not in response.headers  # no session started for nothing
    assert product.name in response.text


def test_a_warm_view_costs_at_most_one_query_whatever_the_page_holds(app, db, make_user, shop):
    buyer = signed_in(app, make_user, "buyer")  # consenting: the view is recorded too

    def counted(client) -> list[str]:
        client.get("/products/lens")  # warm
        with counting_queries(Engine) as statements:  # every engine (the version reader's)
            assert client.get("/products/lens").status_code == 200
        return statements

    small = (counted(app.test_client()), counted(buyer))
    for n in range(30):
        make_testimonial(shop["product"], rating=1 + n % 5)
        make_faq(shop["product"], question=f"Question {n}?")
    _db.session.commit()
    big = (counted(app.test_client()), counted(buyer))
    assert [len(s) for s in big] == [len(s) for s in small]
    # Anonymous: the version only, and on PostgreSQL not even that (it comes by notification,
    # see portal.catalog.version_feed). Signed in: the version, the session's user, the
    # view's event and its deal (read, updated), the cart count. No page table is read warm.
    if db.engine.dialect.name == "postgresql":
        assert small[0] == [], small[0]
    else:
        assert len(small[0]) == 1 and "catalog_page_version" in small[0][0], small[0]
    assert len(small[1]) <= 6, small[1]
    assert not table_names(small[1]) & PAGE_TABLES, table_names(small[1])


def table_names(statements: list[str]) -> set[str]:
    found = set()
    for sql in statements:
        found |= set(re.findall(r'\b(?:FROM|JOIN)\s+"?(\w+)"?', sql, flags=re.I))
    return found


def test_every_table_the_body_reads_raises_the_version(app, db, shop):
    """The body is a function of PAGE_TABLES: rendering it cold reads no other table."""
    with app.test_request_context("/products/lens"), counting_queries(_db.engine) as statements:
        for roles in (Roles(False, False, False), Roles(True, False, False)):
            _db.session.expire_all()
            render_body(get_product("lens"), roles)
    assert statements
    assert table_names(statements) <= PAGE_TABLES, table_names(statements) - PAGE_TABLES


def test_body_knows_roles_only(app, db, make_user, shop):
    """Rendered with the real user, the body is the one rendered with their roles alone."""
    buyer = _db.session.merge(make_user(role="buyer", name="Only Roles"))
    product = get_product("lens")
    with app.test_request_context("/products/lens"):
        real = render_template("catalog/_product_body.html", product=product, preview=False,
                               current_user=buyer, csrf_token=lambda: "TOKEN")  # fmt: skip
        page = render_body(product, Roles.of(buyer))
    assert "TOKEN".join(page.parts) == real
    assert "Add to shortlist" in real and "Only Roles" not in real
    assert _db.session.scalar(select(User.id).where(User.id == buyer.id))
