"""The medians read from the stage history (time in stage, time to close) are cached under the
history's version: they must equal a plain-Python median over the known journeys after every
kind of change (new deals, a lost mark, a replay, an erasure, a new product, a rollback), and a
page shown again must not read the history."""

import statistics
from datetime import UTC, datetime, timedelta

from sqlalchemy import event

from portal.extensions import db as _db
from portal.journey.services import erase_user
from portal.models import User
from portal.pipeline import analytics
from portal.pipeline.deal_actions import mark_lost
from portal.pipeline.numbers import DEFAULT_STAGE_DAYS, median_days_to_close
from portal.pipeline.stages import list_stages
from tests.factories import deal_of, make_plan, make_product, record

NOW = datetime.now(UTC).replace(microsecond=0)
START = NOW - timedelta(days=80)
STAGES = ("Exploring", "Researching", "Trying", "Validating", "Deciding", "Customer")
# The event that enters each stage under the default criteria (Validating also needs the
# demo_completed recorded half a day after Trying).
ENTERING = {
    "Exploring": ("product_viewed", {}),
    "Researching": ("sheet_downloaded", {}),
    "Trying": ("demo_started", {"run_id": "r", "recipe": "x"}),
    "Validating": ("testimonials_viewed", {"count": 2}),
    "Deciding": ("cart_item_added", {"quantity": 1}),
    "Customer": ("order_paid", {"amount": 1000, "currency": "USD"}),
}


def walk(user, product, plan, entries: dict[str, float]) -> None:
    """Record the events entering each stage at ``entries`` (days after START)."""
    for stage, day in entries.items():
        kind, props = ENTERING[stage]
        if stage == "Deciding":
            props = {**props, "plan_id": plan.id}
        record(user, kind, product, at=START + timedelta(days=day), **props)
        if stage == "Trying":
            record(user, "demo_completed", product, run_id="r", recipe="x", rows=5,
                   at=START + timedelta(days=day + 0.5))  # fmt: skip


def expected_seconds_in_stage(journeys: dict, lost: dict) -> dict[str, float]:
    """Median seconds between entering a stage and leaving it (the next stage, or a lost mark
    at the given day), over the journeys."""
    spans: dict[str, list[int]] = {}
    for name, entries in journeys.items():
        ordered = sorted(entries.items(), key=lambda item: item[1])
        for (stage, day), (_next, later) in zip(ordered, ordered[1:], strict=False):
            spans.setdefault(stage, []).append(round((later - day) * 86400))
        if name in lost:
            stage, day = ordered[-1]
            spans.setdefault(stage, []).append(round((lost[name] - day) * 86400))
    return {stage: statistics.median(values) for stage, values in spans.items()}


def expected_days_to_close(journeys: dict) -> dict[str, float]:
    """Median days from entering each stage to the purchase over the won journeys; a stage
    without one: the next stage's figure plus DEFAULT_STAGE_DAYS."""
    measured: dict[str, list[float]] = {}
    for entries in journeys.values():
        if "Customer" in entries:
            for stage, day in entries.items():
                if stage != "Customer":
                    measured.setdefault(stage, []).append(entries["Customer"] - day)
    result, following = {}, 0.0
    for stage in reversed(STAGES):
        if stage == "Customer":
            following = 0.0
        elif stage in measured:
            following = statistics.median(measured[stage])
        else:
            following += DEFAULT_STAGE_DAYS
        result[stage] = following
    return result


def figures(product_id=None) -> tuple[dict, dict]:
    stages = list_stages()
    names = {stage.id: stage.name for stage in stages}
    data = analytics.compute(product_id=product_id, days=0, now=NOW)
    in_stage = {
        step.stage.name: step.median_days * 86400
        for step in data["funnel"]
        if step.median_days is not None
    }
    to_close = {names[sid]: days for sid, days in median_days_to_close(stages).items()}
    return in_stage, to_close


def history_reads(app, action) -> int:
    """How many statements ``action`` sends that read the stage history."""
    seen = []

    def before(conn, cursor, statement, *args):
        if "stage_transition" in statement:
            seen.append(statement)

    with app.app_context():
        engine = _db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return len(seen)


def test_medians_follow_every_change_to_the_stage_history(app, db, make_user):
    seller = make_user(role="seller")
    people = {name: make_user(email=f"{name}@{name}.example") for name in ("ann", "bob", "cy")}
    people["dee"] = make_user(email="dee@dee.example")
    lens = make_product(name="Lens")
    plan = make_plan(lens, unit_amount=1000)
    journeys = {
        "ann": dict(zip(STAGES, (0, 3, 4, 10, 11, 20), strict=True)),
        "bob": dict(zip(STAGES, (1, 4.5, 8, 9, 15, 16), strict=True)),
        "cy": dict(zip(STAGES[:5], (2, 6, 7, 20, 22), strict=True)),
    }
    lost: dict[str, float] = {}
    seen: list[tuple] = []

    def check() -> None:
        """The figures equal the journeys' medians, which the last change did change."""
        expected = (expected_seconds_in_stage(journeys, lost), expected_days_to_close(journeys))
        assert not seen or expected != seen[-1], "the step must change a median"
        seen.append(expected)
        assert figures() == expected

    for name, entries in journeys.items():
        walk(people[name], lens, plan, entries)
    db.session.commit()
    check()

    def again() -> None:
        assert figures() == seen[-1]

    assert history_reads(app, again) == 0  # nothing changed: the cached medians

    # An event older than bob's last one replays his deal: he researched from day 2 on.
    record(people["bob"], "products_compared", lens, count=2, product_ids=[lens.id],
           at=START + timedelta(days=2))  # fmt: skip
    journeys["bob"]["Researching"] = 2
    db.session.commit()
    check()

    journeys["dee"] = dict(zip(STAGES, (5, 6, 7, 8, 9, 40), strict=True))
    walk(people["dee"], lens, plan, journeys["dee"])
    db.session.commit()
    check()

    lost["cy"] = 30
    mark_lost(deal_of(people["cy"]), "No budget", db.session.get(User, seller.id),
              now=START + timedelta(days=30))  # fmt: skip
    db.session.commit()
    check()

    erase_user(db.session.get(User, people["ann"].id))
    del journeys["ann"]
    db.session.commit()
    check()


def test_product_filter_and_rolled_back_changes(app, db, make_user):
    ann, bob, cy = (make_user(email=f"{name}@{name}.example") for name in ("ann", "bob", "cy"))
    lens, scope = make_product(name="Lens"), make_product(name="Scope")
    plan = make_plan(lens, unit_amount=1000)
    journeys = {"ann": dict(zip(STAGES, (0, 3, 4, 10, 11, 20), strict=True))}
    walk(ann, lens, plan, journeys["ann"])
    db.session.commit()
    assert figures(product_id=scope.id)[0] == {}

    # Ann looks at another product: no stage change, but her history now counts for it.
    record(ann, "product_viewed", scope, at=START + timedelta(days=21))
    db.session.commit()
    assert figures(product_id=scope.id)[0] == expected_seconds_in_stage(journeys, {})

    # Figures seen inside a transaction that then rolls back are not kept: the next change
    # committed raises the version to the number the rolled-back one had.
    assert figures() == (expected_seconds_in_stage(journeys, {}), expected_days_to_close(journeys))
    walk(bob, lens, plan, dict(zip(STAGES, (1, 2, 30, 31, 32, 33), strict=True)))
    assert figures()[0] != expected_seconds_in_stage(journeys, {})
    db.session.rollback()
    journeys["cy"] = dict(zip(STAGES, (2, 4, 6, 8, 10, 12), strict=True))
    walk(cy, lens, plan, journeys["cy"])
    db.session.commit()
    in_stage, to_close = figures()
    assert in_stage == expected_seconds_in_stage(journeys, {})
    assert to_close == expected_days_to_close(journeys)


def test_analytics_page_queries_do_not_grow_with_deals_and_skip_the_history(
    app, db, seller_client, make_user
):
    people = [make_user(email=f"p{n}@co{n}.example") for n in range(12)]
    lens = make_product(name="Lens")
    plan = make_plan(lens, unit_amount=1000)
    db.session.commit()

    def add(start: int, count: int) -> None:
        for n in range(start, start + count):
            user = people[n]
            days = (n, n + 1, n + 2, n + 4, n + 5, n + 9)
            walk(user, lens, plan, dict(zip(STAGES, days, strict=True)))
        db.session.commit()

    def page_queries() -> tuple[int, int]:
        seen = []

        def before(conn, cursor, statement, *args):
            seen.append(statement)

        engine = _db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            assert seller_client.get("/seller/analytics?days=0").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", before)
        return len(seen), sum("stage_transition" in s for s in seen)

    add(0, 2)
    page_queries()  # computes the medians once
    few, few_history = page_queries()
    add(2, 10)
    page_queries()
    many, many_history = page_queries()
    assert few == many
    assert few_history == many_history == 0
