"""The JSON API: bearer tokens (hashed, revocable) and responses that match the published
OpenAPI document, checked with jsonschema against the document the app serves."""

import hashlib
import re

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy import select

from portal.extensions import db as _db
from portal.models import ApiToken, User
from tests.factories import deal_of, make_product, record

SPEC_URI = "urn:testdrive:openapi"


@pytest.fixture
def openapi(client):
    response = client.get("/api/v1/openapi.json")  # public, like any API description
    assert response.status_code == 200
    return response.json


def assert_documented(openapi: dict, path: str, response) -> None:
    """``response`` is one of the documented answers of GET ``path`` and matches its schema."""
    answers = openapi["paths"][path]["get"]["responses"]
    assert str(response.status_code) in answers, (path, response.status_code)
    schema = answers[str(response.status_code)]["content"]["application/json"]["schema"]
    registry = Registry().with_resource(
        SPEC_URI, Resource.from_contents(openapi, default_specification=DRAFT202012)
    )
    validator = Draft202012Validator(
        {"$ref": SPEC_URI + schema["$ref"]},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    validator.validate(response.json)


def create_token_through_the_ui(client, name: str = "CRM sync") -> str:
    page = client.post("/seller/api-tokens", data={"name": name})
    assert page.status_code == 200
    return re.search(r'id="new-token">([^<]+)<', page.text).group(1)


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def test_the_openapi_document_is_valid_openapi_3_1(openapi):
    validate_openapi(openapi)
    assert openapi["openapi"] == "3.1.0"
    assert set(openapi["paths"]) == {
        "/pipeline",
        "/deals",
        "/deals/{deal_id}",
        "/deals/{deal_id}/events",
    }


def test_tokens_are_shown_once_and_stored_hashed(db, seller_client):
    secret = create_token_through_the_ui(seller_client)
    assert secret.startswith("td_") and len(secret) > 40
    token = db.session.scalar(select(ApiToken))
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str([token.name, token.prefix, token.token_hash])
    page = seller_client.get("/seller/api-tokens").text
    assert secret not in page and token.prefix in page


def test_buyers_cannot_make_tokens(buyer_client):
    assert buyer_client.post("/seller/api-tokens", data={"name": "x"}).status_code == 403


def test_requests_without_a_valid_token_are_refused(db, client, openapi, seller_client):
    secret = create_token_through_the_ui(seller_client)
    for headers in ({}, {"Authorization": "Basic abc"}, bearer("td_not-a-real-token"), bearer("")):
        response = client.get("/api/v1/deals", headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert_documented(openapi, "/deals", response)
    # a session cookie is not an API credential
    assert seller_client.get("/api/v1/deals").status_code == 401
    assert client.get("/api/v1/deals", headers=bearer(secret)).status_code == 200


def test_deals_deal_and_events_match_the_document(db, client, openapi, seller_client, make_user):
    dana = make_user(email="dana@globex.example", name="Dana P", company="Globex")
    other = make_user(email="lee@initech.example")
    lens = make_product(name="Lens")
    record(dana, "product_viewed", lens)
    record(dana, "demo_completed", lens, run_id="r1", recipe="lens", rows=12430)
    record(dana, "demo_started", lens, run_id="r1", recipe="lens")
    record(other, "searched", query="sso", results=0)
    db.session.commit()
    secret = create_token_through_the_ui(seller_client)
    deal_id = deal_of(dana).id

    listing = client.get("/api/v1/deals?per_page=1&sort=name", headers=bearer(secret))
    assert listing.status_code == 200
    assert_documented(openapi, "/deals", listing)
    assert listing.json["total"] == 2 and listing.json["pages"] == 2
    assert listing.json["deals"][0]["account"]["name"] == "Globex"
    assert listing.json["deals"][0]["products"] == [{"id": lens.id, "name": "Lens"}]

    stage = listing.json["deals"][0]["stage"]["id"]
    filtered = client.get(f"/api/v1/deals?stage={stage}&q=glob", headers=bearer(secret))
    assert [d["id"] for d in filtered.json["deals"]] == [deal_id]
    assert_documented(openapi, "/deals", filtered)

    detail = client.get(f"/api/v1/deals/{deal_id}", headers=bearer(secret))
    assert_documented(openapi, "/deals/{deal_id}", detail)
    assert detail.json["stage"]["name"] == "Trying"
    assert detail.json["counters"] == {"product_viewed": 1, "demo_completed": 1, "demo_started": 1}
    assert detail.json["people"] == [{"id": dana.id, "name": "Dana P"}]

    events = client.get(f"/api/v1/deals/{deal_id}/events?per_page=500", headers=bearer(secret))
    assert_documented(openapi, "/deals/{deal_id}/events", events)
    assert events.json["per_page"] == 100
    assert [e["kind"] for e in events.json["events"]] == [
        "demo_started",
        "demo_completed",
        "product_viewed",
    ]
    assert events.json["events"][1]["text"] == "Dana (globex.example) ran Lens on 12,430 rows"

    missing = client.get("/api/v1/deals/999999", headers=bearer(secret))
    assert missing.status_code == 404
    assert_documented(openapi, "/deals/{deal_id}", missing)
    missing = client.get("/api/v1/deals/999999/events", headers=bearer(secret))
    assert_documented(openapi, "/deals/{deal_id}/events", missing)


def test_a_revoked_token_fails(db, client, seller_client):
    secret = create_token_through_the_ui(seller_client)
    assert client.get("/api/v1/deals", headers=bearer(secret)).status_code == 200
    token = db.session.scalar(select(ApiToken))
    response = seller_client.post(f"/seller/api-tokens/{token.id}/revoke")
    assert response.status_code == 302
    assert client.get("/api/v1/deals", headers=bearer(secret)).status_code == 401
    assert "revoked" in seller_client.get("/seller/api-tokens").text


def test_a_token_dies_with_its_owners_seller_role(db, client, seller_client):
    secret = create_token_through_the_ui(seller_client)
    db.session.get(User, seller_client.user.id).role = "buyer"
    db.session.commit()
    assert client.get("/api/v1/deals", headers=bearer(secret)).status_code == 401


def test_sellers_cannot_revoke_someone_elses_token(app, seller_client, admin_client):
    # No ``db`` fixture: its app context would share the signed-in user between the clients.
    create_token_through_the_ui(admin_client, "admin tool")
    with app.app_context():
        token_id = _db.session.scalar(select(ApiToken.id))
    assert seller_client.post(f"/seller/api-tokens/{token_id}/revoke").status_code == 404
    with app.app_context():
        assert _db.session.get(ApiToken, token_id).revoked_at is None
