"""Out-of-range numbers in URLs, page numbers and list sizes: 404 or 422, never a 500.

Every rule with an ``<int:...>`` argument is crawled from ``app.url_map`` (so a new route is
covered without touching this file), and every list page with a huge ``page``/``per_page``.
"""

import re

import pytest
from werkzeug.routing import IntegerConverter

from portal.bounds import MAX_ID, MAX_PAGE, bounded_int, whole_number
from tests.factories import deal_of, make_product, record

HUGE = 2**63  # 9223372036854775808: one past a signed 64-bit integer
LARGEST_64 = 2**63 - 1
# Past the largest id the converter accepts, and the largest one it does (a query then runs).
VALUES = [HUGE, LARGEST_64, MAX_ID + 1, MAX_ID]
QUERY = "&".join(f"{n}={HUGE}" for n in ("page", "per_page", "product", "stage", "owner", "id"))


def _rules(app, with_int: bool):
    for rule in app.url_map.iter_rules():
        has_int = any(isinstance(c, IntegerConverter) for c in rule._converters.values())
        if has_int == with_int and not rule.rule.startswith("/static"):
            yield rule


def int_rule_urls(app, value: int) -> list[tuple[str, str]]:
    """Every registered rule with an int argument, with ``value`` in each of them (other
    arguments get a plausible word)."""
    urls = []
    for rule in _rules(app, with_int=True):

        def fill(match, rule=rule):
            converter = rule._converters[match.group(1)]
            return str(value) if isinstance(converter, IntegerConverter) else "x"

        path = re.sub(r"<(?:[^:>]+:)?(\w+)>", fill, rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            urls.append((method, path))
    return urls


def list_page_urls(app) -> list[str]:
    """Every GET rule without arguments, with huge numbers in the usual query parameters."""
    return [
        f"{r.rule}?{QUERY}"
        for r in _rules(app, with_int=False)
        if "GET" in r.methods and not r.arguments
    ]


def _server_errors(client, urls) -> list:
    failures = []
    for method, path in urls:
        response = client.open(path, method=method)
        if response.status_code >= 500:
            failures.append((method, path, response.status_code))
    return failures


def test_the_converter_refuses_ids_past_the_column_range(app):
    adapter = app.url_map.bind("localhost")
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == "pipeline.deal")
    path = rule.rule.replace("<int:deal_id>", "{}")
    assert adapter.match(path.format(MAX_ID))[1] == {"deal_id": MAX_ID}
    with pytest.raises(Exception) as refused:
        adapter.match(path.format(MAX_ID + 1))
    assert getattr(refused.value, "code", None) == 404


def test_number_parsers():
    assert whole_number("12", 1) == 12
    assert whole_number(" -3 ", 1) == -3
    assert whole_number("1e5", 7) == 7
    assert whole_number("٣", 7) == 7  # a non-ASCII digit is not a page number
    assert whole_number("9" * 5000, 1) > MAX_PAGE  # no int() of 5,000 digits
    assert bounded_int(str(HUGE), 1, MAX_ID) is None
    assert bounded_int("0", 1, MAX_ID) is None
    assert bounded_int(str(MAX_ID), 1, MAX_ID) == MAX_ID


@pytest.mark.parametrize("role", [None, "buyer", "seller", "admin"])
def test_every_int_route_refuses_out_of_range_ids(app, make_user, auth, client, role):
    if role:
        auth.login(make_user(role=role).email)
    for value in VALUES:
        urls = int_rule_urls(app, value)
        assert len(urls) > 40
        assert _server_errors(client, urls) == [], value


@pytest.mark.parametrize("role", [None, "buyer", "seller", "admin"])
def test_every_list_page_takes_huge_page_numbers(app, db, make_user, auth, client, role):
    make_product(name="Globex Lens")
    db.session.commit()
    if role:
        auth.login(make_user(role=role).email)
    urls = list_page_urls(app)
    assert "/products?" + QUERY in urls and len(urls) > 30
    assert _server_errors(client, [("GET", u) for u in urls]) == []
    # A page past the end of a real list is a plain 404 (HTML for pages).
    assert client.get(f"/products?page={HUGE}").status_code == 404
    assert client.get(f"/products?page={MAX_PAGE}").status_code == 200


def test_the_api_refuses_huge_pages_and_ids_with_422(db, client, seller_client, make_user):
    from tests.api.test_api import bearer, create_token_through_the_ui

    buyer = make_user()
    record(db.session.get(type(buyer), buyer.id), "product_viewed", make_product())
    db.session.commit()
    deal_id = deal_of(buyer).id
    headers = bearer(create_token_through_the_ui(seller_client))
    for path in ("/api/v1/deals", f"/api/v1/deals/{deal_id}/events"):
        answer = client.get(f"{path}?page={HUGE}&per_page={HUGE}", headers=headers)
        assert answer.status_code == 422 and "page" in answer.json["detail"]
        big = client.get(f"{path}?per_page={HUGE}", headers=headers)
        assert big.status_code == 200 and big.json["per_page"] == 100
    for query in (f"stage={HUGE}", f"product={HUGE}", f"product={MAX_ID + 1}", "stage=x"):
        assert client.get(f"/api/v1/deals?{query}", headers=headers).status_code == 422
    assert client.get(f"/api/v1/pipeline?product={HUGE}", headers=headers).status_code == 422
    assert client.get(f"/api/v1/deals/{HUGE}", headers=headers).status_code == 404


def test_csv_export_with_huge_filters_is_whole(db, seller_client, make_user):
    buyer = make_user()
    record(db.session.get(type(buyer), buyer.id), "product_viewed", make_product())
    db.session.commit()
    answer = seller_client.get(f"/seller/pipeline/export.csv?product={HUGE}&owner={HUGE}")
    assert answer.status_code == 200
    assert answer.text.splitlines()[0].startswith("deal_id,")


def test_csv_export_fails_before_the_first_byte(db, seller_client, monkeypatch):
    """A query the database refuses gives an error page, not a download cut after the header."""
    from sqlalchemy.exc import OperationalError

    import portal.pipeline.export as export

    def refuse(*_args, **_kwargs):
        raise OperationalError("SELECT", {}, Exception("refused"))

    monkeypatch.setattr(export.db.session, "execute", refuse)
    answer = seller_client.get("/seller/pipeline/export.csv")
    assert answer.status_code >= 500
    assert "deal_id" not in answer.text


def _number_field_names() -> set[str]:
    """Every integer/decimal field of every form in the portal, plus the ids read by hand."""
    import importlib
    import pkgutil

    from flask_wtf import FlaskForm
    from wtforms import DecimalField, IntegerField

    import portal

    names = {"id", "position", "plan_id", "quantity", "product_id", "owner", "page"}
    for module in pkgutil.walk_packages(portal.__path__, "portal."):
        if not module.name.endswith(".forms"):
            continue
        for value in vars(importlib.import_module(module.name)).values():
            if isinstance(value, type) and issubclass(value, FlaskForm):
                for name in dir(value):
                    field = getattr(value, name)
                    if getattr(field, "field_class", None) and issubclass(
                        field.field_class, (IntegerField, DecimalField)
                    ):
                        names.add(name)
    return names


@pytest.mark.parametrize("role", [None, "buyer", "admin"])
def test_every_form_takes_huge_numbers(app, make_user, auth, client, role):
    """POST every rule (ids in the URL made real where there is one: 1) with a huge number in
    every numeric field any form has."""
    if role:
        auth.login(make_user(role=role).email)
    data = {name: str(HUGE) for name in _number_field_names()}
    assert {"plan_id", "quantity", "position"} <= set(data)
    failures = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint in ("auth.logout",):
            continue
        path = re.sub(r"<(?:[^:>]+:)?(\w+)>", "1", rule.rule)
        response = client.post(path, data=data)
        if response.status_code >= 500:
            failures.append((path, response.status_code))
    assert failures == []
