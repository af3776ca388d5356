"""The signed acceptance is an audit record nobody can change, and a quote becomes exactly one
order however often, and from however many tabs, accept is pressed. SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from portal.extensions import db
from portal.models import Event, ImmutableRecord, Order, Quote, QuoteAcceptance, User
from tests.commerce.quote_support import accept, latest_quote, request
from tests.commerce.support import add
from tests.conftest import PASSWORD, AuthActions


@pytest.fixture
def accepted(buyer_client, plan_id, app):
    add(buyer_client, plan_id, "1")
    request(buyer_client)
    quote = latest_quote(app)
    assert accept(buyer_client, quote).status_code == 302
    return quote


def test_the_orm_refuses_to_update_or_delete_an_acceptance(accepted, db):
    record = db.session.scalar(select(QuoteAcceptance))
    record.full_name = "Someone Else"
    with pytest.raises(ImmutableRecord):
        db.session.flush()
    db.session.rollback()
    record = db.session.scalar(select(QuoteAcceptance))
    db.session.delete(record)
    with pytest.raises(ImmutableRecord):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(QuoteAcceptance.full_name)) == "Dana Schmidt"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE quote_acceptance SET full_name = 'Someone Else'",
        "UPDATE quote_acceptance SET document_sha256 = repeat('0', 64)",
        "DELETE FROM quote_acceptance",
    ],
)
def test_the_database_refuses_raw_writes_to_an_acceptance(accepted, db, statement):
    if "repeat(" in statement and db.engine.dialect.name == "sqlite":
        statement = "UPDATE quote_acceptance SET document_sha256 = '" + "0" * 64 + "'"
    with pytest.raises(DatabaseError, match="immutable"), db.engine.begin() as conn:
        conn.execute(text(statement))
    record = db.session.scalar(select(QuoteAcceptance))
    assert record.full_name == "Dana Schmidt"
    assert record.document_sha256 == accepted.document_sha256


def test_erasing_the_buyer_keeps_the_signed_record(accepted, app, buyer_client):
    response = buyer_client.post("/account/delete", data={"password": PASSWORD})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, buyer_client.user.id) is None
        record = db.session.scalar(select(QuoteAcceptance))
        assert record.full_name == "Dana Schmidt"
        assert db.session.get(Quote, accepted.id).user_id is None


def test_ten_tabs_accepting_at_once_make_one_order(app, make_user, plan_id):
    user = make_user()
    browser = app.test_client()
    AuthActions(browser).login(user.email)
    add(browser, plan_id, "3")
    request(browser)
    quote = latest_quote(app)
    session_cookie = browser.get_cookie("session").value

    tabs = []
    for _ in range(10):  # ten tabs of the same signed-in browser
        tab = app.test_client()
        tab.set_cookie("session", session_cookie)
        tabs.append(tab)
    barrier = threading.Barrier(len(tabs))
    results = []

    def press(tab):
        barrier.wait()
        response = accept(tab, quote)
        results.append((response.status_code, response.headers.get("Location")))

    threads = [threading.Thread(target=press, args=(tab,)) for tab in tabs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    with app.app_context():
        orders = db.session.scalars(select(Order)).all()
        assert len(orders) == 1
        assert [line.quantity for line in orders[0].lines] == [3]
        assert db.session.scalar(select(func.count(QuoteAcceptance.id))) == 1
        for kind in ("quote_accepted", "order_placed"):
            count = select(func.count(Event.id)).where(Event.kind == kind)
            assert db.session.scalar(count) == 1, kind
        assert results == [(302, f"/orders/{orders[0].id}/confirmation")] * 10


def test_the_buyers_data_export_holds_their_quotes_and_signature(accepted, buyer_client):
    import json

    data = json.loads(buyer_client.get("/account/data").data)
    (quote,) = data["quotes"]
    assert (quote["quote"], quote["status"]) == (accepted.label, "accepted")
    assert quote["document_sha256"] == accepted.document_sha256
    assert quote["accepted"]["full_name"] == "Dana Schmidt"
    assert quote["accepted"]["ip_address"] == "203.0.113.7"
