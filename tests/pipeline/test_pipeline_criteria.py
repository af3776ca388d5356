"""The stage criteria language: parsed by a small parser (no eval), with clear messages."""

import pytest

from portal.pipeline.criteria import CriteriaError, parse, referenced_names, validate


@pytest.mark.parametrize(
    ("text", "counts", "holds"),
    [
        ("", {}, True),
        ("demo_completed >= 1", {"demo_completed": 1}, True),
        ("demo_completed >= 1", {}, False),
        ("demo_completed >= 1 AND testimonials_viewed >= 1", {"demo_completed": 2}, False),
        (
            "demo_completed >= 1 AND testimonials_viewed >= 1",
            {"demo_completed": 2, "testimonials_viewed": 1},
            True,
        ),
        ("product_viewed > 2 OR searched = 0", {"product_viewed": 1}, True),
        ("product_viewed > 2 OR searched = 0", {"product_viewed": 1, "searched": 1}, False),
        # AND binds tighter than OR
        (
            "order_paid >= 1 OR cart_item_added >= 1 AND checkout_started >= 1",
            {"order_paid": 1},
            True,
        ),
        (
            "(order_paid >= 1 OR cart_item_added >= 1) AND checkout_started >= 1",
            {"order_paid": 1},
            False,
        ),
        ("NOT order_refunded >= 1", {}, True),
        ("not order_refunded >= 1", {"order_refunded": 1}, False),
        ("order_refunded != 0", {"order_refunded": 2}, True),
        ("searched <= 3 and searched < 4 and searched == 3", {"searched": 3}, True),
        ("people >= 2", {"people": 2}, True),
    ],
)
def test_criteria_evaluate_event_counts(text, counts, holds):
    assert parse(text).holds(counts) is holds


def test_validate_normalises_keywords_and_spacing():
    text = "demo_completed>=1   and (testimonials_viewed >=1 or reference_requested>= 1)"
    assert validate(text) == (
        "demo_completed >= 1 AND (testimonials_viewed >= 1 OR reference_requested >= 1)"
    )
    assert validate(validate(text)) == validate(text)
    assert referenced_names(parse(text)) == {
        "demo_completed",
        "testimonials_viewed",
        "reference_requested",
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "demo_complete >= 1",
            "Unknown event 'demo_complete' at position 1. Did you mean 'demo_completed'?",
        ),
        ("demo_completed >=", "Expected a whole number after '>=' but found the end."),
        ("demo_completed 1", "Expected a comparison such as '>= 1' after 'demo_completed'"),
        ("demo_completed >= 1 AND", "Expected an event name but found the end."),
        ("(demo_completed >= 1", "Missing ')' for the '(' at position 1"),
        (
            "demo_completed >= 1 demo_started >= 1",
            "Expected AND, OR or the end but found 'demo_started'",
        ),
        ("demo_completed >= -1", "Unexpected character '-' at position 19."),
        ("demo_completed >= 1.5", "Unexpected character '.'"),
        ("__import__('os').system('id')", 'Unexpected character "\'" at position 12.'),
        ("__import__ >= 1", "Unknown event '__import__'"),
        ("x" * 501, "under 500 characters"),
        ("demo_completed >= 99999999999", "too large"),
    ],
)
def test_bad_criteria_say_what_and_where(text, message):
    with pytest.raises(CriteriaError) as error:
        parse(text)
    assert message in str(error.value)
