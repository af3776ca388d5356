"""The team curates: merging duplicates moves votes and tells voters; a status change with a
public note reaches voters and the author in one e-mail each (a digest when several)."""

from __future__ import annotations

from sqlalchemy import select

from portal.ideas import curation, notices, votes
from portal.ideas import ideas as idea_service
from portal.models import Idea, IdeaComment, IdeaNotice, IdeaVote
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


def test_merging_moves_the_comments_too(db, make_user, login_client):
    author, a, b, both, target, duplicate = _setup(db, make_user)
    written = [
        (a, duplicate, "We need SAML for our auditors."),
        (b, target, "Okta first, please."),
        (both, duplicate, "Azure AD here."),
    ]
    for user, idea, body in written:
        idea_service.add_comment(get_user(user.id), idea.id, body)
    db.session.commit()
    seller = login_client(make_user(role="seller"))
    seller.post(f"/seller/ideas/{duplicate.id}/merge", data={"target_id": target.id})
    db.session.refresh(target)
    db.session.refresh(duplicate)
    on_target = db.session.scalars(
        select(IdeaComment.body).where(IdeaComment.idea_id == target.id).order_by(IdeaComment.id)
    ).all()
    assert on_target == [body for _, _, body in written]  # all three, in the order written
    assert (target.comment_count, duplicate.comment_count) == (len(written), 0)
    page = seller.get(f"/ideas/{target.id}").text
    assert all(body in page for _, _, body in written)


def test_the_worker_mails_waiting_updates_once_a_digest_when_several(db, make_user, runner, outbox):
    """The scheduled job (``flask pipeline worker``) sends what waits: one e-mail per person
    per round, listing every change since the last send; a second round sends nothing."""
    author, a, b, both, target, duplicate = _setup(db, make_user)
    seller = get_user(make_user(role="seller").id)
    third = idea_service.post_idea(get_user(b.id), title="SSO through Google Workspace")
    db.session.commit()
    votes.vote(get_user(both.id), third.id)
    curation.merge_ideas(seller, duplicate.id, target.id)
    curation.merge_ideas(seller, third.id, target.id)
    db.session.commit()
    # Who was told what, worked out from the setup: the duplicates' authors and voters.
    expected = {a.email: 1, both.email: 2, b.email: 1}

    result = runner.invoke(args=["pipeline", "worker", "--once"])
    assert result.exit_code == 0, result.output
    mails = outbox()
    assert sorted(to for to, _, _ in mails) == sorted(expected)
    for to, subject, body in mails:
        assert body.count("was merged into") == expected[to]
        if expected[to] > 1:
            assert subject == f"{expected[to]} updates on ideas you follow"
    runner.invoke(args=["pipeline", "worker", "--once"])
    assert len(outbox()) == len(expected)
