"""The ideas board: posting, voting once, comments, sorting and filtering, the site search,
and a page's query count that does not grow with the board."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from sqlalchemy import event, select

from portal.ideas import ideas as idea_service
from portal.ideas import votes
from portal.models import Event, Idea, IdeaVote
from tests.ideas.conftest import get_user

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def post(client, title="Single sign-on with our identity provider", description="", **extra):
    return client.post("/ideas", data={"title": title, "description": description, **extra})


def test_a_prospect_posts_an_idea_and_it_is_on_the_board(app, db, make_user, login_client):
    prospect = make_user()
    client = login_client(prospect)
    response = post(client, description="We use **Okta**.\n\n- one\n- two")
    assert response.status_code == 303
    idea = db.session.scalar(select(Idea))
    assert response.headers["Location"].endswith(f"/ideas/{idea.id}")
    assert (idea.author_id, idea.status, idea.vote_count) == (prospect.id, "new", 0)
    page = client.get(f"/ideas/{idea.id}").text
    assert "<strong>Okta</strong>" in page and "<li>one</li>" in page
    assert "Single sign-on with our identity provider" in client.get("/ideas").text
    kinds = db.session.scalars(select(Event.kind).where(Event.kind == "idea_posted")).all()
    assert kinds == ["idea_posted"]


def test_posting_needs_a_sign_in_and_a_real_title(client, make_user, login_client):
    response = post(client)
    assert response.status_code == 303 and "/login" in response.headers["Location"]
    signed_in = login_client(make_user())
    response = post(signed_in, title="SSO")
    assert response.status_code == 422
    assert "at least 8 characters" in response.text


def test_staff_do_not_post_or_vote(db, make_user, login_client):
    author = make_user()
    idea = idea_service.post_idea(get_user(author.id), title="Export to Excel please")
    db.session.commit()
    seller = login_client(make_user(role="seller"))
    assert "The board is for customers" in post(seller).text
    seller.post(f"/ideas/{idea.id}/vote")
    assert db.session.scalar(select(IdeaVote.id)) is None


def test_xss_in_title_description_and_comment_is_escaped(db, make_user, login_client):
    client = login_client(make_user())
    post(client, title=f"Idea {XSS}", description=f"{XSS}\n\n[link](javascript:alert(1))")
    idea = db.session.scalar(select(Idea))
    client.post(f"/ideas/{idea.id}/comments", data={"body": f"Me too {XSS}"})
    for page in (client.get(f"/ideas/{idea.id}").text, client.get("/ideas").text):
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "javascript:alert" not in page
    assert "&lt;script&gt;" in client.get(f"/ideas/{idea.id}").text
    search = client.get("/search?q=idea").text
    assert "<script>alert" not in search


def test_one_vote_per_person_withdrawable_customers_counted(
    db, product, make_user, make_customer, login_client
):
    author = make_user()
    idea = idea_service.post_idea(
        get_user(author.id), title="Single sign-on, please", product=product
    )
    db.session.commit()
    prospect, customer = login_client(make_user()), login_client(make_customer(product))
    for client in (prospect, prospect, customer):
        assert client.post(f"/ideas/{idea.id}/vote").status_code == 303
    db.session.refresh(idea)
    assert (idea.vote_count, idea.customer_vote_count) == (2, 1)
    assert "2 votes · 1 from customers" in prospect.get("/ideas").text
    prospect.post(f"/ideas/{idea.id}/vote/withdraw")
    db.session.refresh(idea)
    assert (idea.vote_count, idea.customer_vote_count) == (1, 1)
    assert "1 vote · 1 from customers" in prospect.get(f"/ideas/{idea.id}").text
    voted = db.session.scalars(select(Event.kind).where(Event.kind == "idea_voted")).all()
    assert len(voted) == 2  # the repeated vote recorded nothing


def test_votes_need_a_sign_in_and_the_csrf_token(client, db, make_user, login_client):
    idea = idea_service.post_idea(get_user(make_user().id), title="Dark mode for the portal")
    db.session.commit()
    response = client.post(f"/ideas/{idea.id}/vote")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]
    signed_in = login_client(make_user())
    assert signed_in.post(f"/ideas/{idea.id}/vote", csrf=False).status_code == 400
    assert db.session.scalar(select(IdeaVote.id)) is None


def test_voting_is_rate_limited(app, db, make_user, login_client):
    app.config["IDEAS_VOTE_RATE_LIMIT"] = "3 per minute"
    idea = idea_service.post_idea(get_user(make_user().id), title="Dark mode for the portal")
    db.session.commit()
    client = login_client(make_user())
    codes = [client.post(f"/ideas/{idea.id}/vote").status_code for _ in range(4)]
    assert codes[:3] == [303, 303, 303] and codes[3] == 429


def test_posting_is_rate_limited(app, make_user, login_client):
    app.config["IDEAS_POST_RATE_LIMIT"] = "2 per minute"
    client = login_client(make_user())
    codes = [post(client, title=f"An idea number {n}").status_code for n in range(3)]
    assert codes == [303, 303, 429]


def test_a_hidden_idea_is_404_for_others_but_not_its_author(db, make_user, login_client):
    author = make_user()
    idea = idea_service.post_idea(get_user(author.id), title="Something rude here")
    db.session.commit()
    seller = login_client(make_user(role="seller"))
    seller.post(f"/seller/ideas/{idea.id}/hide")
    db.session.refresh(idea)
    assert idea.is_hidden
    assert login_client(make_user()).get(f"/ideas/{idea.id}").status_code == 404
    assert login_client(author).get(f"/ideas/{idea.id}").status_code == 200
    assert login_client(make_user()).post(f"/ideas/{idea.id}/vote").status_code == 404
    assert "Something rude" not in seller.get("/ideas").text


def test_staff_routes_are_403_for_buyers(db, make_user, login_client):
    idea = idea_service.post_idea(get_user(make_user().id), title="Dark mode for the portal")
    db.session.commit()
    buyer = login_client(make_user())
    for path, data in (
        (f"/seller/ideas/{idea.id}/status", {"status": "planned", "note": ""}),
        (f"/seller/ideas/{idea.id}/merge", {"target_id": idea.id}),
        (f"/seller/ideas/{idea.id}/hide", {}),
    ):
        assert buyer.post(path, data=data).status_code == 403
    db.session.refresh(idea)
    assert (idea.status, idea.is_hidden) == ("new", False)


def _idea(title, votes_at=(), status="new", product=None, created=None):
    idea = Idea(title=title, status=status, product_id=product.id if product else None)
    if created:
        idea.created_at = created
    from portal.extensions import db

    db.session.add(idea)
    db.session.flush()
    return idea


def _add_votes(db, users, idea, moments):
    for moment in moments:
        user = users.pop()
        db.session.add(
            IdeaVote(
                idea_id=idea.id, user_id=user.id, account_id=user.account_id, created_at=moment
            )
        )
    db.session.flush()
    votes.recount(idea)
    db.session.commit()


def test_sorts_trending_top_newest_status(app, db, make_user, client):
    users = [make_user() for _ in range(9)]
    now = datetime.now(UTC)
    old = _idea("Old but many votes", created=now - timedelta(days=90))
    fresh = _idea("Fresh with a few votes", status="planned", created=now - timedelta(days=2))
    quiet = _idea("Nobody voted yet", status="shipped", created=now - timedelta(days=1))
    _add_votes(db, users, old, [now - timedelta(days=80 + i) for i in range(6)])
    _add_votes(db, users, fresh, [now - timedelta(hours=i) for i in range(3)])

    # Plain Python: decayed counts with a 14-day half-life.
    def decayed(days_ago):
        return sum(0.5 ** (d / 14) for d in days_ago)

    assert decayed([1 / 24 * i for i in range(3)]) > decayed([80 + i for i in range(6)])

    def order(sort):
        text = client.get(f"/ideas?sort={sort}").text
        titles = [old.title, fresh.title, quiet.title]
        return sorted(titles, key=text.index)

    assert order("trending") == [fresh.title, old.title, quiet.title]
    assert order("top") == [old.title, fresh.title, quiet.title]
    assert order("newest") == [quiet.title, fresh.title, old.title]
    assert order("status") == [old.title, fresh.title, quiet.title]  # new, planned, shipped
    assert math.isclose(
        math.exp(fresh.trend_log - old.trend_log),
        sum(2 ** (-(i / 24) / 14) for i in range(3))
        / sum(2 ** (-(80 + i) / 14) for i in range(6))
        * 1.0,
        rel_tol=1e-6,
    )


def test_filters_by_product_and_status(db, product, client):
    _idea("About the product", product=product, status="planned")
    _idea("About the portal", status="new")
    db.session.commit()
    text = client.get(f"/ideas?product={product.id}").text
    assert "About the product" in text and "About the portal" not in text
    text = client.get("/ideas?status=new").text
    assert "About the portal" in text and "About the product" not in text
    text = client.get(f"/products/{product.slug}/ideas").text
    assert "About the product" in text and "About the portal" not in text
    assert client.get("/ideas?status=bogus&sort=bogus&product=x").status_code == 200


def test_ideas_are_in_the_site_search(db, client):
    _idea("Single sign-on with Okta")
    merged = _idea("Okta login duplicate")
    merged.merged_into_id = merged.id - 1
    db.session.commit()
    text = client.get("/search?q=okta").text
    assert "Single sign-on with Okta" in text and "Okta login duplicate" not in text


def _count_board_queries(app, db, path="/ideas"):
    client = app.test_client()
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements)


def _many_ideas(db, product, n, start=0):
    db.session.add_all(
        Idea(
            title=f"Idea number {start + i}",
            product_id=product.id if i % 2 else None,
            vote_count=i % 7,
            customer_vote_count=i % 3,
            trend_log=float(i % 11) if i % 5 else None,
            status=("new", "planned", "shipped")[i % 3],
        )
        for i in range(n)
    )
    db.session.commit()


def test_the_board_query_count_is_the_same_at_10_and_1000_ideas(app, db, product):
    _many_ideas(db, product, 10)
    small = {
        sort: _count_board_queries(app, db, f"/ideas?sort={sort}")
        for sort in ("trending", "top", "newest", "status")
    }
    _many_ideas(db, product, 990, start=10)
    large = {
        sort: _count_board_queries(app, db, f"/ideas?sort={sort}")
        for sort in ("trending", "top", "newest", "status")
    }
    assert small == large
    assert (
        _count_board_queries(app, db, f"/products/{product.slug}/ideas") <= max(large.values()) + 1
    )
