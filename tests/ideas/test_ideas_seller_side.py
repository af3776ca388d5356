"""What the board tells sellers: the listening view's most-wanted ideas of open deals with
the pipeline value behind them (checked in plain Python over the deals made here), the deal
timeline's "voted for …", and idea events in stage criteria."""

from __future__ import annotations

from sqlalchemy import select

from portal.ideas import ideas as idea_service
from portal.ideas import votes
from portal.journey.services import Actor
from portal.models import Deal, Event
from portal.pipeline import criteria
from portal.pipeline.deal_actions import mark_lost
from tests.factories import deal_of, record
from tests.ideas.conftest import get_user

# account domain -> the net value of the quote its buyer asked for (cents, USD)
QUOTES = {"alpha.example": 1_200_000_00, "beta.example": 350_000_00, "gamma.example": 99_00}


def _buyer(make_user, domain: str, n: int = 1):
    return make_user(email=f"buyer{n}@{domain}")


def _ask_for_quote(user, net: int, quote_id: int):
    record(
        get_user(user.id),
        "quote_requested",
        quote_id=quote_id,
        number=f"Q-{quote_id}",
        amount=net + net // 5,
        net=net,
        currency="USD",
    )


def test_listening_shows_ideas_with_the_open_pipeline_behind_them(db, make_user, login_client):
    people = {domain: _buyer(make_user, domain) for domain in QUOTES}
    second_alpha = _buyer(make_user, "alpha.example", 2)
    lost = _buyer(make_user, "lost.example")
    seller_user = make_user(role="seller")
    author = make_user(email="author@delta.example")
    for n, (domain, net) in enumerate(QUOTES.items(), start=1):
        _ask_for_quote(people[domain], net, n)
    _ask_for_quote(lost, 5_000_000_00, 99)
    db.session.commit()
    mark_lost(deal_of(get_user(lost.id)), "Went with a competitor", get_user(seller_user.id))
    db.session.commit()
    sso = idea_service.post_idea(get_user(author.id), title="Single sign-on with Okta")
    excel = idea_service.post_idea(get_user(author.id), title="Export forecasts to Excel")
    db.session.commit()
    sso_voters = [people["alpha.example"], second_alpha, people["beta.example"], lost]
    excel_voters = [people["gamma.example"]]
    for user in sso_voters:
        # The lost account's buyer votes without tracking consent (no event): an event
        # would reopen the deal.
        actor = None if user is lost else Actor(user_id=user.id, account_id=user.account_id)
        votes.vote(get_user(user.id), sso.id, actor)
    for user in excel_voters:
        votes.vote(get_user(user.id), excel.id)
    db.session.commit()

    # Plain Python: each open account's quote once, the lost deal left out.
    def domain_of(user):
        return user.email.split("@", 1)[1]

    expected_sso = sum({QUOTES[domain_of(u)] for u in sso_voters if domain_of(u) in QUOTES})
    assert expected_sso == 1_550_000_00
    seller = login_client(seller_user)
    page = seller.get("/seller/listening").text
    assert "Most-wanted ideas of open deals" in page
    assert "$1,550,000.00 of open pipeline voted for Single sign-on with Okta" in page
    assert "$99.00 of open pipeline voted for Export forecasts to Excel" in page
    assert "3 (2 deals)" in page  # two alpha voters and beta; the lost deal's vote left out
    assert page.index("Single sign-on with Okta") < page.index("Export forecasts to Excel")
    # The idea page shows staff the accounts behind the votes, with their deals.
    idea_page = seller.get(f"/ideas/{sso.id}").text
    for domain in ("alpha.example", "beta.example", "lost.example"):
        assert domain in idea_page
    # The deal timeline says who voted for what.
    deal = db.session.scalar(
        select(Deal).where(Deal.account_id == people["alpha.example"].account_id)
    )
    timeline = seller.get(f"/seller/deals/{deal.id}").text
    assert "voted for “Single sign-on with Okta”" in timeline


def test_idea_events_count_in_stage_criteria(db, make_user):
    assert criteria.validate("idea_voted >= 2 OR idea_posted >= 1")
    rule = criteria.parse("idea_voted >= 2")
    assert rule.holds({"idea_voted": 2}) and not rule.holds({"idea_voted": 1})
    user = make_user()
    actor = Actor(user_id=user.id, account_id=user.account_id)
    idea = idea_service.post_idea(get_user(user.id), title="Scheduled refresh", actor=actor)
    db.session.commit()
    other = make_user(email="voter@same-company.example")
    votes.vote(get_user(other.id), idea.id, Actor(user_id=other.id, account_id=other.account_id))
    db.session.commit()
    kinds = sorted(db.session.scalars(select(Event.kind).where(Event.kind.like("idea_%"))))
    assert kinds == ["idea_posted", "idea_voted"]
    assert deal_of(get_user(user.id)).counters.get("idea_posted") == 1
