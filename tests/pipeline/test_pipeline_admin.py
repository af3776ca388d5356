"""Admin: stage definitions with validated criteria, and webhook endpoints."""

from sqlalchemy import delete, func, select

from portal.models import Stage, WebhookEndpoint
from tests.factories import deal_of, record


def stage_data(**overrides) -> dict:
    data = {
        "name": "Negotiating",
        "position": "10",
        "probability": "80",
        "criteria": "quote_downloaded >= 1",
        "stalled_after_days": "7",
        "description": "",
    }
    data.update(overrides)
    return data


def test_only_admins_manage_stages_and_webhooks(client, seller_client, admin_client):
    for path in ("/admin/stages", "/admin/webhooks"):
        assert client.get(path).status_code == 302
        assert seller_client.get(path).status_code == 403
        assert admin_client.get(path).status_code == 200
    assert seller_client.post("/admin/stages", data=stage_data()).status_code == 403


def test_stage_page_lists_the_defaults(admin_client):
    page = admin_client.get("/admin/stages").text
    for name in ("Exploring", "Researching", "Trying", "Validating", "Deciding", "Customer"):
        assert f">{name}" in page
    assert "demo_completed &gt;= 1 AND (testimonials_viewed &gt;= 1" in page


def test_bad_criteria_are_refused_with_a_clear_message(db, admin_client):
    response = admin_client.post(
        "/admin/stages", data=stage_data(criteria="quote_downloded >= 1 AND")
    )
    assert response.status_code == 422
    assert "Unknown event &#39;quote_downloded&#39; at position 1." in response.text
    assert "Did you mean &#39;quote_downloaded&#39;?" in response.text
    assert 'aria-describedby="criteria-hint criteria-error"' in response.text
    assert db.session.scalar(select(Stage).where(Stage.name == "Negotiating")) is None
    response = admin_client.post("/admin/stages", data=stage_data(probability="140"))
    assert response.status_code == 422
    response = admin_client.post("/admin/stages", data=stage_data(name="trying"))
    assert response.status_code == 422
    assert "There is already a stage called Trying." in response.text


def test_adding_and_editing_stages_recompute_the_deals(db, admin_client, make_user):
    buyer = make_user()
    record(buyer, "quote_downloaded", order_id=1)
    db.session.commit()
    assert deal_of(buyer).stage.name == "Deciding"
    response = admin_client.post("/admin/stages", data=stage_data(position="5"))
    assert response.status_code == 302
    db.session.expire_all()
    negotiating = db.session.scalar(select(Stage).where(Stage.name == "Negotiating"))
    assert negotiating.criteria == "quote_downloaded >= 1"
    # positions 4 (Deciding) and 5 (Negotiating, and Customer): the deal moved on
    assert deal_of(buyer).stage.name == "Negotiating"

    response = admin_client.post(
        f"/admin/stages/{negotiating.id}",
        data=stage_data(position="5", criteria="quote_downloaded >= 2"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert deal_of(buyer).stage.name == "Deciding"

    response = admin_client.post(f"/admin/stages/{negotiating.id}/delete")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Stage, negotiating.id) is None
    assert deal_of(buyer).stage.name == "Deciding"


def test_webhook_endpoints_are_validated_and_get_a_secret(db, admin_client):
    response = admin_client.post("/admin/webhooks", data={"url": "ftp://crm.example/hook"})
    assert response.status_code == 422
    assert "Enter a full http:// or https:// URL." in response.text
    response = admin_client.post(
        "/admin/webhooks", data={"url": "https://crm.example/hook", "description": "CRM"}
    )
    assert response.status_code == 302
    endpoint = db.session.scalar(select(WebhookEndpoint))
    assert endpoint.secret.startswith("whsec_")
    page = admin_client.get(f"/admin/webhooks/{endpoint.id}").text
    assert endpoint.secret in page and "Nothing sent yet" in page
    admin_client.post(f"/admin/webhooks/{endpoint.id}/toggle")
    db.session.expire_all()
    assert db.session.get(WebhookEndpoint, endpoint.id).is_active is False


def test_reading_stages_writes_nothing(db, seller_client, admin_client):
    db.session.execute(delete(Stage))
    db.session.commit()
    assert seller_client.get("/seller/pipeline").status_code == 200
    assert admin_client.get("/admin/stages").status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Stage)) == 0
