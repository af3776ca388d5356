"""The cart: add, update, remove, bounds, currencies, tax, price changes, anonymous carts."""

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Cart, CartItem, Event, Plan
from tests.commerce.support import add, create_plan


def _events(kind):
    return [e.props for e in db.session.scalars(select(Event).where(Event.kind == kind))]


def test_add_update_remove_with_server_totals_and_events(buyer_client, plan_id, db):
    response = add(buyer_client, plan_id, "3")
    assert response.status_code == 302
    page = buyer_client.get("/cart").text
    assert "Pipeline Lens" in page and "$147.00" in page

    buyer_client.post(f"/cart/items/{plan_id}", data={"quantity": "5"})
    assert "$245.00" in buyer_client.get("/cart").text
    assert _events("cart_item_added") == [
        {"plan_id": plan_id, "quantity": 3},
        {"plan_id": plan_id, "quantity": 5},
    ]

    # Adding the same plan again adds to the line; the event carries the new line quantity.
    add(buyer_client, plan_id, "2")
    item = db.session.scalar(select(CartItem))
    assert item.quantity == 7
    assert _events("cart_item_added")[-1] == {"plan_id": plan_id, "quantity": 7}

    response = buyer_client.post(f"/cart/items/{plan_id}/delete", follow_redirects=True)
    assert "Your cart is empty" in response.text
    assert _events("cart_item_removed") == [{"plan_id": plan_id}]
    event = db.session.scalar(select(Event).where(Event.kind == "cart_item_removed"))
    assert event.product_id is not None


def test_tax_follows_the_country_rate_table(buyer_client, plan_id, app):
    add(buyer_client, plan_id, "2")  # $98.00
    buyer_client.post("/cart/country", data={"country": "DE"})
    page = buyer_client.get("/cart").text
    assert "19 % for Germany" in page
    assert "$18.62" in page and "$116.62" in page

    # A vendor established in France sells to Germany at the German rate (a private buyer).
    app.config["VENDOR_COUNTRY"] = "FR"
    assert "$116.62" in buyer_client.get("/cart").text
    # A vendor outside the EU charges no EU VAT: the total is the subtotal.
    app.config["VENDOR_COUNTRY"] = "US"
    page = buyer_client.get("/cart").text
    assert "0 %, export to Germany" in page and "$18.62" not in page


@pytest.mark.parametrize(
    "quantity, message",
    [
        ("-3", "Choose at least 1."),
        ("0", "Choose at least 1."),
        ("1.5", "Enter a whole number, like 3."),
        ("two", "Enter a whole number, like 3."),
        ("99999999999999999999999", "That quantity is far too large."),
        ("1e9", "Enter a whole number, like 3."),
        ("51", "Choose between 1 and 50 seats for Pipeline Lens — Team."),
        ("", "Enter how many you need."),
    ],
)
def test_bad_quantities_are_rejected_with_a_message(buyer_client, plan_id, db, quantity, message):
    response = add(buyer_client, plan_id, quantity)
    assert response.status_code == 422
    assert message in response.text
    assert db.session.scalar(select(CartItem)) is None


def test_update_to_a_bad_quantity_keeps_the_line(buyer_client, plan_id, db):
    add(buyer_client, plan_id, "2")
    response = buyer_client.post(f"/cart/items/{plan_id}", data={"quantity": "-1"})
    assert response.status_code == 422
    assert "Choose at least 1." in response.text
    assert db.session.scalar(select(CartItem.quantity)) == 2


def test_one_currency_per_cart(buyer_client, plan_id, app, db):
    eur = create_plan(app, currency="EUR", product={"name": "Segment Studio"})
    add(buyer_client, plan_id, "1")
    response = add(buyer_client, eur, "1")
    assert response.status_code == 422
    assert "Your cart is in USD" in response.text and "one currency" in response.text
    assert db.session.scalar(select(db.func.count(CartItem.id))) == 1


def test_inactive_or_unknown_plans_cannot_be_added(buyer_client, app, db):
    inactive = create_plan(app, is_active=False)
    for pid in (inactive, 999999):
        response = add(buyer_client, pid, "1")
        assert response.status_code == 422
        assert "not available" in response.text


def test_changed_price_is_shown(buyer_client, plan_id, db):
    add(buyer_client, plan_id, "1")
    db.session.get(Plan, plan_id).unit_amount = 5900
    db.session.commit()
    page = buyer_client.get("/cart").text
    assert "Some prices changed" in page
    assert "$59.00" in page and "was $49.00" in page


def test_a_visitor_who_declined_tracking_keeps_a_cart_and_no_event(client, plan_id, db):
    client.post("/consent", data={"choice": "decline"})
    response = add(client, plan_id, "2", follow_redirects=True)
    assert "Added to your cart" in response.text and "$98.00" in response.text
    cart = db.session.scalar(select(Cart))
    # The cart belongs to the device (a strictly necessary cookie), not to a tracked visitor.
    assert cart.owner_key == "d" + client.get_cookie("td_device").value
    assert client.get_cookie("td_vid") is None
    assert db.session.scalar(select(func.count(Event.id))) == 0
    # One message, with both ways to an account.
    assert response.text.count("Your cart is kept on this device") == 1
    assert 'href="/signup?next=/checkout"' in response.text
    assert 'href="/login?next=/checkout"' in response.text


def test_consenting_visitor_cart_merges_into_the_user_cart_on_login(
    client, auth, make_user, plan_id, app, db
):
    user = make_user()
    other = create_plan(app, name="Scale", unit_amount=9900, product={"name": "Data Doctor"})
    with app.app_context():
        from portal.commerce.cart import add_to_cart

        add_to_cart(f"u{user.id}", plan_id, 2, None)  # the user's own cart from another day
        db.session.commit()

    client.post("/consent", data={"choice": "accept"})
    add(client, plan_id, "3")
    add(client, other, "1")
    visitor_cart = db.session.scalar(select(Cart).where(Cart.owner_key.like("d%")))
    assert visitor_cart is not None

    auth.login(user.email)
    carts = db.session.scalars(select(Cart)).all()
    assert [c.owner_key for c in carts] == [f"u{user.id}"]
    quantities = {i.plan_id: i.quantity for i in carts[0].items}
    assert quantities == {plan_id: 5, other: 1}
    # The visitor's events joined the user, and the merged line quantity was recorded.
    added = db.session.scalars(
        select(Event).where(Event.kind == "cart_item_added").order_by(Event.id)
    ).all()
    assert added[-1].props == {"plan_id": plan_id, "quantity": 5}
    assert {e.user_id for e in added} == {user.id}


def test_visitor_cart_simply_changes_hands_when_the_user_has_none(
    client, auth, make_user, plan_id, db
):
    user = make_user()
    client.post("/consent", data={"choice": "accept"})
    add(client, plan_id, "4")
    auth.login(user.email)
    cart = db.session.scalar(select(Cart))
    assert cart.owner_key == f"u{user.id}" and cart.items[0].quantity == 4
    assert "$196.00" in client.get("/cart").text


def test_erasing_a_user_deletes_their_cart_and_export_lists_it(buyer_client, plan_id, db):
    add(buyer_client, plan_id, "2")
    export = buyer_client.get("/account/data").json
    assert export["commerce"]["cart"] == [{"plan_id": plan_id, "quantity": 2}]
    buyer_client.post("/account/delete", data={"password": "correct-horse-battery"})
    assert db.session.scalar(select(Cart)) is None


def test_cart_add_requires_csrf(buyer_client, plan_id):
    response = buyer_client.post(
        "/cart/items", data={"plan_id": plan_id, "quantity": "1"}, csrf=False
    )
    assert response.status_code == 400


def test_adding_a_one_licence_plan_again_shows_the_cart_and_says_it_is_there(buyer_client, app, db):
    """A second click on "Add to cart" for a plan sold as one licence is not an error: the
    cart answers, saying the plan is already there, and still holds one."""
    licence = create_plan(app, name="Essentials", per_seat=False, min_quantity=1, max_quantity=1)
    assert add(buyer_client, licence, "1").status_code == 302
    again = add(buyer_client, licence, "1", follow_redirects=True)
    assert again.status_code == 200 and again.request.path == "/cart"
    assert "is already in your cart." in again.text
    assert "allows at most" not in again.text
    assert db.session.scalar(select(CartItem.quantity).where(CartItem.plan_id == licence)) == 1
    assert len(_events("cart_item_added")) == 1  # nothing was added the second time


def test_more_seats_than_a_plan_allows_is_still_refused(buyer_client, plan_id, db):
    add(buyer_client, plan_id, "45")  # the plan allows 1-50 seats
    response = add(buyer_client, plan_id, "10")
    assert response.status_code == 422
    assert "You already have 45 seats" in response.text and "at most 50" in response.text
    assert db.session.scalar(select(CartItem.quantity)) == 45
