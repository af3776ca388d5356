"""Analytics (funnel, time in stage, bottleneck, forecast, weekly, win rate) and listening."""

import re
from datetime import UTC, datetime, timedelta

from portal.models import User
from portal.pipeline import analytics, listening
from portal.pipeline.deal_actions import mark_lost
from tests.factories import deal_of, make_plan, make_product, record

NOW = datetime.now(UTC)


def _journey(user, product, plan, depth: int, start: datetime) -> None:
    """depth 1 exploring … 6 customer, each step 2 days after the previous one."""
    steps = [
        ("product_viewed", {}),
        ("sheet_downloaded", {}),
        ("demo_started", {"run_id": "r", "recipe": "x"}),
        ("demo_completed", {"run_id": "r", "recipe": "x", "rows": 10}),
        ("testimonials_viewed", {"count": 2}),
        ("cart_item_added", {"plan_id": plan.id, "quantity": 2}),
        ("order_paid", {"amount": 2000, "currency": "USD"}),
    ]
    stop = {1: 1, 2: 2, 3: 3, 4: 5, 5: 6, 6: 7}[depth]
    for index, (kind, props) in enumerate(steps[:stop]):
        record(user, kind, product, at=start + timedelta(days=2 * index), **props)


def test_funnel_conversion_median_bottleneck_and_win_rate(db, make_user):
    seller = make_user(role="seller")
    buyers = [make_user(email=f"b{i}@co{i}.example") for i in range(6)]
    lens = make_product(name="Lens")
    plan = make_plan(lens, unit_amount=1000)
    start = NOW - timedelta(days=20)
    for buyer, depth in zip(buyers, (1, 2, 3, 3, 5, 6), strict=True):
        _journey(buyer, lens, plan, depth, start)
    mark_lost(deal_of(buyers[0]), "No budget", db.session.get(User, seller.id))
    db.session.flush()

    data = analytics.compute(days=90, now=NOW)
    funnel = {step.stage.name: step for step in data["funnel"]}
    assert [funnel[n].reached for n in ("Exploring", "Researching", "Trying", "Validating")] == [
        6,
        5,
        4,
        2,
    ]
    assert funnel["Deciding"].reached == 2 and funnel["Customer"].reached == 1
    assert funnel["Trying"].conversion == 0.5
    # every step took exactly two days; the Trying deals that moved on waited 4 (two events)
    assert funnel["Exploring"].median_days == 2.0
    assert funnel["Trying"].median_days == 4.0
    assert data["won"] == 1 and data["lost"] == 1 and data["win_rate"] == 0.5
    assert data["bottleneck"][0].startswith(
        "The largest drop is from Trying to Validating: only 50%"
    )
    assert "Deals wait longest in Trying: 4.0 days" in data["bottleneck"][1]
    assert sum(week["count"] for week in data["weekly"]) == 6
    # open deals with a value: the Deciding cart (2 × 10.00 at 70 %) and the triers' plan
    forecast = sum(month["value"].get("USD", 0) for month in data["forecast"])
    assert forecast == round(2000 * 0.7 + 1000 * 0.25 * 2)

    other = analytics.compute(product_id=9999, days=90, now=NOW)
    assert other["total"] == 0 and other["bottleneck"] == []


def test_analytics_page_renders_charts_data_without_inline_script(db, seller_client, make_user):
    buyer = make_user()
    record(buyer, "product_viewed", 1)
    db.session.commit()
    page = seller_client.get("/seller/analytics?days=30").text
    assert '<script type="application/json" id="analytics-data">' in page
    assert "vendor/chartjs/chart.umd.min.js" in page
    assert 'id="kpi-deals">1<' in page
    assert seller_client.get("/seller/analytics?days=7&product=abc").status_code == 200


def test_listening_shows_what_buyers_look_for(db, seller_client, make_user):
    buyer = make_user(email="pat@globex.example", company="Globex")
    lens = make_product(name="Lens")
    for query, results in (("sso", 0), ("sso", 0), ("forecast", 3)):
        record(buyer, "searched", query=query, results=results)
    record(buyer, "product_viewed", lens)
    record(buyer, "demo_completed", lens, run_id="a", recipe="demand_radar", rows=3)
    record(buyer, "demo_failed", lens, run_id="b", recipe="demand_radar", reason="bad_encoding")
    record(buyer, "question_asked", lens, question_id=4)
    record(buyer, "searched", query="old", results=1, at=NOW - timedelta(days=60))
    db.session.commit()

    data = listening.compute(days=30, now=NOW)

    def shown(key):
        return [(row.label, row.count) for row in data[key]]

    assert shown("searches") == [("“sso”", 2), ("“forecast”", 1)]
    assert shown("no_results") == [("“sso”", 2)]
    assert shown("viewed") == [("Lens", 1)]
    # Words, not codes: the recipe's title and the reason in plain words.
    assert shown("recipes") == [("Demand Radar", 1)]
    assert shown("failures") == [("Demand Radar: the file's text encoding", 1)]
    assert shown("questions") == [("Lens", 1)]
    assert ("“old”", 1) in [(r.label, r.count) for r in listening.compute(days=0)["searches"]]
    page = seller_client.get("/seller/listening").text
    assert "Searches with no result" in page and "sso" in page
    visible = re.sub(r'href="[^"]*"', "", page)  # codes stay in the links only
    assert "demand_radar" not in visible and "bad_encoding" not in visible

    # Each row leads to the deals behind it.
    failure = data["failures"][0]
    assert f"reason={failure.args['reason']}" in page
    behind = seller_client.get("/seller/listening/deals", query_string=failure.args).text
    assert f'href="/seller/deals/{deal_of(buyer).id}">Globex</a>' in behind
    nobody = seller_client.get(
        "/seller/listening/deals", query_string={"kind": "demo_failed", "reason": "timeout"}
    ).text
    assert "Globex" not in nobody and "No deals in this period." in nobody
    assert seller_client.get("/seller/listening/deals?kind=nope").status_code == 404
