"""The team curates: merging duplicates moves votes and tells voters; a status change with a
public note reaches voters and the author in one e-mail each (a digest when several)."""

from __future__ import annotations

from sqlalchemy import select

from portal.ideas import curation, notices, votes
from portal.ideas import ideas as idea_service
from portal.models import Idea, IdeaNotice, IdeaVote
from tests.ideas.conftest import get_user

XSS = "<script>alert(1)</script>"


def _setup(db, make_user, product=None):
    author, a, b, both = (make_user() for _ in range(4))
    target = idea_service.post_idea(get_user(author.id), title="Single sign-on with Okta")
    duplicate = idea_service.post_idea(get_user(a.id), title="Log in with our company SSO")
    db.session.commit()
    for user, idea in ((b, target), (both, target), (a, duplicate), (both, duplicate)):
        votes.vote(get_user(user.id), idea.id)
    db.session.commit()
    return author, a, b, both, target, duplicate


def test_merging_moves_votes_once_per_person(db, make_user, login_client):
    author, a, b, both, target, duplicate = _setup(db, make_user)
    seller = login_client(make_user(role="seller"))
    response = seller.post(f"/seller/ideas/{duplicate.id}/merge", data={"target_id": target.id})
    assert response.status_code == 303
    db.session.refresh(target)
    db.session.refresh(duplicate)
    voters = set(db.session.scalars(select(IdeaVote.user_id).where(IdeaVote.idea_id == target.id)))
    assert voters == {a.id, b.id, both.id}
    assert (target.vote_count, duplicate.vote_count, duplicate.merged_into_id) == (3, 0, target.id)
    # The duplicate leaves the board; its page leads to the target.
    board = seller.get("/ideas").text
    assert "Log in with our company SSO" not in board
    page = seller.get(f"/ideas/{duplicate.id}")
    assert page.status_code == 303 and page.headers["Location"].endswith(f"/ideas/{target.id}")
    told = set(db.session.scalars(select(IdeaNotice.user_id).where(IdeaNotice.kind == "merged")))
    assert told == {a.id, both.id}  # the duplicate's author and voters
    # Merging again, into itself, or into a merged idea is refused on the form.
    again = seller.post(f"/seller/ideas/{duplicate.id}/merge", data={"target_id": target.id})
    assert again.status_code == 422
    itself = seller.post(f"/seller/ideas/{target.id}/merge", data={"target_id": target.id})
    assert itself.status_code == 422
    into_merged = seller.post(f"/seller/ideas/{target.id}/merge", data={"target_id": duplicate.id})
    assert into_merged.status_code == 422


def test_status_change_mails_voters_and_author_once_each(db, make_user, login_client, outbox):
    author, a, b, both, target, duplicate = _setup(db, make_user)
    seller = login_client(make_user(role="seller"))
    seller.post(f"/seller/ideas/{duplicate.id}/merge", data={"target_id": target.id})
    assert outbox() == []  # a merge waits for the next update
    note = f"Coming in Q1. {XSS}"
    response = seller.post(
        f"/seller/ideas/{target.id}/status", data={"status": "planned", "note": note}
    )
    assert response.status_code == 303
    mails = outbox()
    recipients = sorted(to for to, _, _ in mails)
    assert recipients == sorted(u.email for u in (author, a, b, both))
    by_person = {to: (subject, body) for to, subject, body in mails}
    subject, body = by_person[both.email]  # merged and planned: one digest
    assert subject == "2 updates on ideas you follow"
    assert "merged into" in body and "is now planned" in body and "Coming in Q1" in body
    subject, body = by_person[b.email]
    assert subject.startswith("Update on an idea you follow")
    assert "is now planned" in body and "merged" not in body
    html = seller.get(f"/ideas/{target.id}").text
    assert "Planned" in html and "Coming in Q1." in html and XSS not in html
    # A note-only edit tells nobody; the same status again neither.
    seller.post(f"/seller/ideas/{target.id}/status", data={"status": "planned", "note": "Q2."})
    assert len(outbox()) == 4
    assert db.session.scalar(select(Idea.status_note).where(Idea.id == target.id)) == "Q2."


def test_a_rollback_sends_nothing(app, db, make_user, outbox):
    author, a, b, both, target, duplicate = _setup(db, make_user)
    seller = get_user(make_user(role="seller").id)
    with app.test_request_context():
        curation.set_status(seller, target.id, "shipped", "Done")
        assert notices.send_idea_updates() == 3  # the author and two voters
        db.session.rollback()
    assert db.session.scalar(select(IdeaNotice.id)) is None
    assert outbox() == []


def test_the_command_sends_a_waiting_merge_notice(db, make_user, runner, outbox):
    author, a, b, both, target, duplicate = _setup(db, make_user)
    curation.merge_ideas(get_user(make_user(role="seller").id), duplicate.id, target.id)
    db.session.commit()
    result = runner.invoke(args=["ideas", "send-updates"])
    assert "Sent 2 idea update e-mail(s)." in result.output
    assert sorted(to for to, _, _ in outbox()) == sorted([a.email, both.email])
    assert runner.invoke(args=["ideas", "send-updates"]).output.startswith("Sent 0")


def test_unknown_status_is_refused(db, make_user, login_client):
    author, a, b, both, target, duplicate = _setup(db, make_user)
    seller = login_client(make_user(role="seller"))
    response = seller.post(f"/seller/ideas/{target.id}/status", data={"status": "done"})
    assert response.status_code == 422
    db.session.refresh(target)
    assert target.status == "new"


def test_merged_ideas_take_no_votes(db, make_user, login_client):
    author, a, b, both, target, duplicate = _setup(db, make_user)
    curation.merge_ideas(get_user(make_user(role="seller").id), duplicate.id, target.id)
    db.session.commit()
    late = login_client(make_user())
    response = late.post(f"/ideas/{duplicate.id}/vote", follow_redirects=True)
    assert "merged into another one" in response.text


def test_staff_see_the_accounts_behind_the_votes(db, make_user, login_client):
    author, a, b, both, target, duplicate = _setup(db, make_user)
    seller = login_client(make_user(role="seller"))
    page = seller.get(f"/ideas/{target.id}").text
    assert "Accounts behind the votes" in page and "example-buyer.example" in page
    buyer_page = login_client(make_user()).get(f"/ideas/{target.id}").text
    assert "Accounts behind the votes" not in buyer_page
