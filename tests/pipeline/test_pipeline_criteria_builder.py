"""The criteria builder: the form and the text round-trip exactly, and the preview says how
many deals saving would move — the number that then move."""

import re
from html import unescape

from hypothesis import assume, given
from hypothesis import strategies as st
from sqlalchemy import select

from portal.journey.kinds import EVENT_KINDS
from portal.models import Account, Deal, Stage
from portal.pipeline import criteria
from portal.pipeline.criteria import METRICS, OPERATORS, Comparison
from portal.pipeline.criteria_builder import (
    MAX_GROUPS,
    MAX_ROWS,
    form_fields,
    from_groups,
    parse_form,
    to_groups,
)
from tests.factories import deal_of, record

comparisons = st.builds(
    Comparison,
    st.sampled_from(sorted([*EVENT_KINDS, *METRICS])),
    st.sampled_from(sorted(OPERATORS)),
    st.integers(min_value=0, max_value=999_999_999),
)
groups_ = st.lists(
    st.lists(comparisons, min_size=1, max_size=MAX_ROWS - 1), min_size=0, max_size=MAX_GROUPS - 1
)


@given(groups_)
def test_form_to_text_to_form_is_exact(groups):
    text = criteria.render(from_groups(groups))
    assume(len(text) <= criteria.MAX_LENGTH)  # longer criteria are refused either way
    assert to_groups(criteria.parse(text)) == groups
    assert parse_form(form_fields(groups)) == groups
    assert criteria.validate(text) == text


@given(groups_, st.lists(st.sampled_from([" ", "  ", "\t"]), min_size=1, max_size=3))
def test_text_to_form_to_text_is_exact(groups, spaces):
    # Written by hand: lower-case keywords, odd spacing, redundant parentheses around groups.
    gap = "".join(spaces)
    text = f"{gap}or{gap}".join(
        "(" + f"{gap}and{gap}".join(f"{c.name}{gap}{c.op}{gap}{c.number}" for c in g) + ")"
        for g in groups
    )
    assume(len(text.strip()) <= criteria.MAX_LENGTH)
    back = criteria.render(from_groups(to_groups(criteria.parse(text))))
    assert back == criteria.validate(text)


def test_what_the_form_cannot_say_stays_text():
    for text in ("NOT demo_started >= 1", "demo_completed >= 1 AND (people >= 2 OR products >= 2)"):
        assert to_groups(criteria.parse(text)) is None


def preview_sentences(html: str) -> list[str]:
    return [unescape(s) for s in re.findall(r'<strong class="preview-move">(.*?)</strong>', html)]


def test_preview_count_equals_the_deals_that_then_move(db, admin_client, make_user):
    # Buyers who read 1, 2, 2, 3, 4 and 2 product pages; Researching asks for 3 today.
    views = {"Alpha": 1, "Beta": 2, "Gamma": 2, "Delta": 3, "Epsilon": 4, "Zeta": 2}
    buyers = {
        name: make_user(email=f"buyer@{name.lower()}.example", company=name) for name in views
    }
    for name, count in views.items():
        for _ in range(count):
            record(buyers[name], "product_viewed", 1)
    db.session.commit()
    researching = db.session.scalar(select(Stage).where(Stage.name == "Researching"))
    # Known from the inputs: exactly the buyers with two views would move, from Exploring.
    expected = sorted(name for name, count in views.items() if count == 2)

    page = admin_client.get(f"/admin/stages/{researching.id}")
    assert page.status_code == 200 and 'name="g-0-0-name"' in page.text
    form = {
        "name": "Researching",
        "position": str(researching.position),
        "probability": str(researching.probability),
        "stalled_after_days": str(researching.stalled_after_days),
        "description": researching.description,
        "criteria_from": "builder",
        **form_fields([[Comparison("product_viewed", ">=", 2)]]),
    }
    preview = admin_client.post(f"/admin/stages/{researching.id}/preview", data=form)
    assert preview.status_code == 200
    assert preview_sentences(preview.text) == [
        f"{len(expected)} deals would move from Exploring to Researching"
    ]
    assert ", ".join(expected) in preview.text
    assert "product_viewed &gt;= 2</textarea>" in preview.text  # the text view follows

    before = dict(db.session.execute(select(Deal.id, Deal.stage_id)).all())
    saved = admin_client.post(f"/admin/stages/{researching.id}", data=form)
    assert saved.status_code == 302
    db.session.expire_all()
    after = dict(db.session.execute(select(Deal.id, Deal.stage_id)).all())
    moved = sorted(
        db.session.scalar(select(Account.name).join(Deal).where(Deal.id == deal_id))
        for deal_id in before
        if before[deal_id] != after[deal_id]
    )
    assert moved == expected
    assert db.session.get(Stage, researching.id).criteria == "product_viewed >= 2"
    assert deal_of(buyers["Beta"]).stage_id == researching.id
