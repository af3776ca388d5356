"""Bad input and abuse: XSS in every field, length limits, rate limits, no half-written rows."""

import pytest
from sqlalchemy import func, select

from portal import models
from portal.models import Question, ReferenceRequest
from portal.voices import errors, questions, references, text
from tests.factories import make_reference_profile
from tests.voices.conftest import get_user

XSS = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>'><svg/onload=alert(3)>"


def assert_escaped(html: str, where: str, expect_rendered: bool = True) -> None:
    for raw in ("<script>alert(1)", "<img src=x", "<svg/onload"):
        assert raw not in html, f"unescaped {raw!r} in {where}"
    if expect_rendered:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, f"payload not shown in {where}"


def test_classic_xss_payloads_in_every_field_are_escaped(
    db, app, make_customer, make_user, login_client, outbox, product
):
    """Every free-text field gets the payload; every page and e-mail showing it escapes it."""
    customer = make_customer(product, name=XSS[:120], email="riley@harborline.example")
    prospect = make_user(name=XSS[:120], email="pat@globex.example")
    seller = make_user(role="seller", email="sam@northwind.example")
    admin = make_user(role="admin", email="alex@northwind.example")
    customer_client, prospect_client = login_client(customer), login_client(prospect)
    seller_client, admin_client = login_client(seller), login_client(admin)
    slug = product.slug

    # A verified testimonial: title, body, role, and the author's name shown in full.
    assert (
        customer_client.post(
            f"/products/{slug}/testimonials/write",
            data={
                "rating": "5",
                "title": XSS,
                "body": XSS,
                "role": XSS[:80],
                "industry": "retail",
                "company_size": "1-50",
                "display_choice": "full",
            },
        ).status_code
        == 303
    )
    assert_escaped(seller_client.get("/seller/moderation").text, "moderation queue")
    testimonial_id = db.session.scalar(select(func.max(models.Testimonial.id)))
    seller_client.post(
        f"/seller/moderation/testimonials/{testimonial_id}/reject",
        data={f"r{testimonial_id}-reason": XSS},
    )
    assert_escaped(customer_client.get("/account/testimonials").text, "author's testimonials")
    assert_escaped(customer_client.get(f"/products/{slug}/testimonials").text, "author banner")
    customer_client.post(
        f"/products/{slug}/testimonials/write",
        data={
            "rating": "5",
            "title": XSS,
            "body": XSS,
            "role": XSS[:80],
            "industry": "retail",
            "company_size": "1-50",
            "display_choice": "full",
        },
    )
    seller_client.post(f"/seller/moderation/testimonials/{testimonial_id}/approve")
    # An imported story: name, role, title, body, source.
    admin_client.post(
        "/seller/moderation/import",
        data={
            "product_id": str(product.id),
            "display_name": XSS,
            "role": XSS[:80],
            "industry": "retail",
            "company_size": "1-50",
            "rating": "4",
            "title": XSS,
            "body": XSS,
            "source_note": XSS,
        },
    )
    page = prospect_client.get(f"/products/{slug}/testimonials").text
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 8
    assert_escaped(page, "testimonials page")

    # Reference profile, request, proposal note, introduction e-mails.
    assert (
        customer_client.post(
            "/account/references",
            data={
                "is_active": "y",
                "industry": "retail",
                "company_size": "1-50",
                "role": XSS[:80],
                "availability": XSS,
                "monthly_cap": "2",
            },
        ).status_code
        == 303
    )
    assert (
        prospect_client.post(
            "/references/request",
            data={
                "product_id": str(product.id),
                "industry": "retail",
                "company_size": "1-50",
                "role": XSS[:80],
                "message": XSS,
            },
        ).status_code
        == 303
    )
    request_id = db.session.scalar(select(ReferenceRequest.id))
    assert_escaped(seller_client.get("/seller/references").text, "seller references")
    seller_client.post(
        f"/seller/references/{request_id}/propose",
        data={"reference_id": str(customer.id), "note": XSS},
    )
    assert_escaped(customer_client.get("/account/references").text, "customer settings")
    customer_client.post(f"/account/references/{request_id}/accept")
    assert_escaped(prospect_client.get(f"/references/requests/{request_id}").text, "request page")
    assert_escaped(seller_client.get("/seller/references?status=introduced").text, "introduced tab")
    assert_escaped(customer_client.get("/account/references").text, "customer introductions")

    # Questions, answers, hide reasons.
    prospect_client.post(f"/products/{slug}/questions", data={"title": XSS, "body": XSS})
    question_id = db.session.scalar(select(Question.id))
    customer_client.post(f"/products/{slug}/questions/{question_id}/answers", data={"body": XSS})
    assert_escaped(prospect_client.get(f"/products/{slug}/questions").text, "questions list")
    assert_escaped(
        prospect_client.get(f"/products/{slug}/questions/{question_id}").text, "question page"
    )
    seller_client.post(f"/seller/moderation/question/{question_id}/hide", data={"reason": XSS})
    assert_escaped(seller_client.get("/seller/moderation").text, "hidden content")
    assert_escaped(
        prospect_client.get(f"/products/{slug}/questions/{question_id}").text, "hidden notice"
    )

    mails = outbox()
    assert len(mails) >= 4  # proposal, two introductions, the answer notification
    for mail in mails:
        html = mail.get_body(("html",)).get_content()
        assert_escaped(html, f"e-mail {mail['Subject']}", expect_rendered=False)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda u, p: questions.ask_question(u, p, title="x" * 201, body=""), "title"),
        (
            lambda u, p: questions.ask_question(u, p, title="A fine question?", body="x" * 2001),
            "body",
        ),
        (
            lambda u, p: references.request_reference(
                u,
                p,
                industry="retail",
                company_size="1-50",
                role="r" * 81,
                topics=[],
                message="m" * 20,
            ),
            "role",
        ),
        (
            lambda u, p: references.request_reference(
                u, p, industry="retail", company_size="1-50", role="", topics=[], message="m" * 1001
            ),
            "message",
        ),
        (
            lambda u, p: references.request_reference(
                u, p, industry="retail", company_size="huge", role="", topics=[], message="m" * 20
            ),
            "company_size",
        ),
    ],
)
def test_services_enforce_length_limits(db, make_user, product, call, field):
    user = get_user(make_user().id)
    with pytest.raises(errors.InvalidInput) as error:
        call(user, product)
    assert error.value.field == field


def test_control_characters_are_stripped_and_whitespace_normalised():
    assert text.clean_text(" a\x00b\x1b  c ", label="x", max_len=10) == "ab c"
    cleaned = text.clean_text("one\r\n\r\n\r\n\r\ntwo", label="x", max_len=20, multiline=True)
    assert cleaned == "one\n\ntwo"


def test_too_long_testimonial_is_422_and_writes_nothing(db, make_customer, login_client, product):
    client = login_client(make_customer(product))
    response = client.post(
        f"/products/{product.slug}/testimonials/write",
        data={
            "rating": "5",
            "title": "Fine",
            "body": "x" * 3001,
            "role": "CEO",
            "industry": "retail",
            "company_size": "1-50",
            "display_choice": "full",
        },
    )
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(models.Testimonial)) == 0


def test_posting_is_rate_limited_per_person(app, db, buyer_client, product):
    app.config["VOICES_POST_RATE_LIMIT"] = "2 per minute"
    url = f"/products/{product.slug}/questions"
    codes = [
        buyer_client.post(url, data={"title": f"Question number {n} about it?"}).status_code
        for n in range(3)
    ]
    assert codes == [303, 303, 429]
    assert db.session.scalar(select(func.count()).select_from(Question)) == 2
    assert buyer_client.get(url).status_code == 200  # reading is never limited


def test_reference_requests_are_rate_limited(app, db, make_customer, login_client, product):
    app.config["REFERENCE_REQUEST_RATE_LIMIT"] = "1 per hour"
    client = login_client(make_customer(product))
    data = {
        "product_id": str(product.id),
        "industry": "retail",
        "company_size": "1-50",
        "message": "What was the rollout like for you?",
    }
    assert client.post("/references/request", data=data).status_code == 303
    assert client.post("/references/request", data=data).status_code == 429


def test_forms_without_csrf_are_refused(db, buyer_client, make_customer, product):
    customer = get_user(make_customer(product).id)
    make_reference_profile(customer)
    db.session.commit()
    response = buyer_client.post(
        f"/products/{product.slug}/questions", data={"title": "A question via CSRF?"}, csrf=False
    )
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0
