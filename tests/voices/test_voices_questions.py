"""Peer questions and answers: who asks, who answers, badges, notifications, hiding."""

from sqlalchemy import select

from portal.models import Answer, Event, Question
from portal.voices import errors, questions
from tests.voices.conftest import get_user, visible_text

URL = "/products/pipeline-lens/questions"


def post_question(client, title="Does it work with custom HubSpot stages?", body=""):
    return client.post(URL, data={"title": title, "body": body})


def test_anyone_reads_signed_in_people_ask(db, client, buyer_client, product):
    page = client.get(URL)
    assert page.status_code == 200
    assert "No questions yet" in page.text
    assert "Sign in to ask" in page.text
    assert post_question(client).status_code == 303  # to login
    assert db.session.scalar(select(Question)) is None

    response = post_question(buyer_client, body="We have nine custom stages.")
    assert response.status_code == 303
    question = db.session.scalar(select(Question))
    assert response.headers["Location"] == f"{URL}/{question.id}"
    listed = client.get(URL).text
    assert "Does it work with custom HubSpot stages?" in listed
    assert "0 answers" in listed
    event_ = db.session.scalar(select(Event).where(Event.kind == "question_asked"))
    assert event_.props == {"question_id": question.id}


def test_question_form_errors_are_422(buyer_client, product):
    response = post_question(buyer_client, title="Why?", body="x" * 2001)
    assert response.status_code == 422
    assert "Write between 10 and 200 characters." in response.text


def test_customers_and_sellers_answer_with_badges_and_the_asker_is_notified(
    db, buyer_client, seller_client, make_customer, login_client, outbox, product
):
    post_question(buyer_client)
    question = db.session.scalar(select(Question))
    url = f"{URL}/{question.id}"
    customer = login_client(make_customer(product, name="Riley Reference"))

    # A prospect who did not buy cannot answer.
    assert "Answers come from customers" in visible_text(buyer_client.get(url).text)
    denied = buyer_client.post(f"{url}/answers", data={"body": "I think it does, probably."})
    assert denied.status_code == 403
    assert "Answers come from customers who bought this product" in visible_text(denied.text)

    assert customer.post(f"{url}/answers", data={"body": "Yes, map each stage once."}).status_code
    assert seller_client.post(f"{url}/answers", data={"body": "Try it on your export first."})
    answers = db.session.scalars(select(Answer).order_by(Answer.id)).all()
    assert [a.author_kind for a in answers] == ["customer", "seller"]
    assert answers[0].display_name == "Riley R."

    page = visible_text(buyer_client.get(url).text)
    assert "Riley R. Verified customer since" in page
    assert "Northwind Analytics team" in page
    mails = outbox()
    assert [m["To"] for m in mails] == [buyer_client.user.email] * 2
    assert "Yes, map each stage once." in mails[0].get_body(("plain",)).get_content()
    assert url in mails[0].get_body(("plain",)).get_content()

    event_ = db.session.scalars(select(Event).where(Event.kind == "answer_viewed")).all()
    assert {e.props["question_id"] for e in event_} == {question.id}


def test_answering_your_own_question_sends_no_mail(
    db, make_customer, login_client, outbox, product
):
    client = login_client(make_customer(product))
    post_question(client)
    question = db.session.scalar(select(Question))
    client.post(f"{URL}/{question.id}/answers", data={"body": "Found it myself: yes it does."})
    assert db.session.scalar(select(Answer)) is not None
    assert outbox() == []


def test_answer_errors_are_422(db, seller_client, buyer_client, product):
    post_question(buyer_client)
    question = db.session.scalar(select(Question))
    response = seller_client.post(f"{URL}/{question.id}/answers", data={"body": "ok"})
    assert response.status_code == 422
    assert "Write between 10 and 2000 characters." in response.text


def test_sellers_hide_abuse_and_show_it_again(
    db, client, buyer_client, seller_client, make_customer, login_client, product
):
    post_question(buyer_client, title="Is this vendor run by crooks? Buy pills here")
    question = db.session.scalar(select(Question))
    customer = login_client(make_customer(product))
    customer.post(f"{URL}/{question.id}/answers", data={"body": "Spam spam spam spam spam"})
    answer = db.session.scalar(select(Answer))

    hide = f"/seller/moderation/answer/{answer.id}/hide"
    assert buyer_client.post(hide).status_code == 403
    assert client.post(hide).status_code == 302  # to login
    assert seller_client.post(hide, data={"reason": "Spam"}).status_code == 303
    db.session.refresh(answer)
    assert (answer.is_hidden, answer.hidden_reason) == (True, "Spam")
    public = client.get(f"{URL}/{question.id}").text
    assert "Spam spam" not in public
    assert "Spam spam" in seller_client.get(f"{URL}/{question.id}").text

    seller_client.post(f"/seller/moderation/question/{question.id}/hide", data={"reason": "Abuse"})
    assert client.get(f"{URL}/{question.id}").status_code == 404
    assert "crooks" not in client.get(URL).text
    # The asker still sees their own hidden question, with the reason.
    assert "hidden by a moderator" in buyer_client.get(f"{URL}/{question.id}").text
    queue = seller_client.get("/seller/moderation").text
    assert "crooks" in queue and "Spam spam" in queue

    seller_client.post(f"/seller/moderation/question/{question.id}/show")
    assert client.get(f"{URL}/{question.id}").status_code == 200
    assert seller_client.post(f"/seller/moderation/thing/{question.id}/hide").status_code == 404


def test_a_hidden_question_cannot_be_answered(db, make_user, make_customer, product):
    asker = get_user(make_user().id)
    customer = get_user(make_customer(product).id)
    seller = get_user(make_user(role="seller").id)
    question = questions.ask_question(asker, product, title="A perfectly fine question", body="")
    questions.set_hidden(seller, question, True, "Duplicate")
    try:
        questions.answer_question(customer, question.id, "An answer that should not land")
    except errors.NotFound:
        pass
    else:  # pragma: no cover
        raise AssertionError("answering a hidden question must fail")


def test_a_question_of_another_product_is_404(db, buyer_client, product):
    from tests.factories import make_product

    other = make_product(slug="data-doctor")
    db.session.commit()
    post_question(buyer_client)
    question = db.session.scalar(select(Question))
    assert buyer_client.get(f"/products/{other.slug}/questions/{question.id}").status_code == 404
