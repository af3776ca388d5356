"""Next steps from the one rule table: each situation gives its suggestion, strongest first."""

from datetime import UTC, date, datetime, timedelta

import pytest

from portal.pipeline.suggestions import FALLBACK, RULES, Situation, steps_for
from tests.factories import deal_of, make_plan, make_product, record

TODAY = date(2026, 12, 1)
OLD_INVOICE = {"n": "TD-48", "m": "invoice", "c": "USD", "net": 14_280_000, "at": "2026-10-01"}
NEW_INVOICE = {**OLD_INVOICE, "at": "2026-11-25"}
QUOTE = {"number": "Q-5", "c": "EUR", "net": 50_000, "until": "2026-12-30"}
EXPIRING = {**QUOTE, "until": "2026-12-03"}

# (situation, the first step's title, words its reason must contain)
CASES = [
    (Situation(TODAY, won=True, counters={"reference_requested": 1}),
     "Stop selling, start servicing", "customer"),
    (Situation(TODAY, lost_reason="No budget"), "Leave the door open", "No budget"),
    (Situation(TODAY, orders=(OLD_INVOICE,), counters={"product_viewed": 9}),
     "Send a payment reminder", "TD-48 ($142,800.00) is past its 30-day terms"),
    (Situation(TODAY, quotes=(EXPIRING,)), "Offer to renew the quote",
     "Q-5 is valid until 2026-12-03"),
    (Situation(TODAY, counters={"reference_requested": 1}, focus="Lens"),
     "Arrange the reference call they asked for", "uses Lens"),
    (Situation(TODAY, orders=(NEW_INVOICE,)), "Check the invoice reached their accounts payable",
     "TD-48 ($142,800.00)"),
    (Situation(TODAY, quotes=(QUOTE,)), "Follow up on the quote", "Q-5 (€500.00)"),
    (Situation(TODAY, counters={"checkout_started": 1}), "Help them finish checkout", "checkout"),
    (Situation(TODAY, cart_value=600_000), "Offer invoice payment or a quote", "$6,000.00"),
    (Situation(TODAY, counters={"demo_completed": 1}, focus="Lens"), "Offer a reference call",
     "Lens demo worked"),
    (Situation(TODAY, counters={"demo_failed": 2, "demo_completed": 1}),
     "Offer help with their data", "2 demo run(s) failed"),
    (Situation(TODAY, counters={"product_viewed": 2}, focus="Lens"), "Send the product sheet",
     "coming back to Lens"),
    (Situation(TODAY, counters={"products_compared": 1}),
     "Suggest which product fits their data", "compared"),
    (Situation(TODAY, counters={"question_asked": 1, "testimonials_viewed": 1}),
     "Make sure their questions are answered", "questions"),
    (Situation(TODAY, stalled_days=40, stage_name="Trying"), "Re-engage with something useful",
     "40 days in Trying"),
    (Situation(TODAY), FALLBACK.title, "finding their way"),
]  # fmt: skip


@pytest.mark.parametrize(("situation", "title", "words"), CASES)
def test_each_situation_gives_its_step_first(app, situation, title, words):
    with app.app_context():
        first = steps_for(situation)[0]
    assert (first.title, words in first.why) == (title, True), first.why


def test_every_rule_has_a_case():
    assert {r.title for r in RULES} | {FALLBACK.title} == {title for _, title, _ in CASES}


def test_an_unpaid_six_figure_invoice_is_never_told_to_send_the_sheet(app):
    busy = Situation(TODAY, orders=(OLD_INVOICE,), counters={"product_viewed": 12}, focus="Lens")
    with app.app_context():
        titles = [step.title for step in steps_for(busy)]
    assert titles[0] == "Send a payment reminder"
    assert "Send the product sheet" not in titles


def test_the_deal_page_reads_the_rules_from_the_deals_orders(db, seller_client, make_user):
    buyer = make_user(email="ops@initech.example")
    lens = make_product(name="Lens")
    make_plan(lens, unit_amount=4900)
    placed = datetime.now(UTC) - timedelta(days=45)
    for _ in range(3):
        record(buyer, "product_viewed", lens, at=placed)
    record(buyer, "order_placed", lens, order_id=48, number="TD-48", amount=16_993_200,
           net=14_280_000, currency="USD", method="invoice", at=placed)  # fmt: skip
    db.session.commit()
    page = seller_client.get(f"/seller/deals/{deal_of(buyer).id}").text
    assert "Send a payment reminder" in page
    assert "Send the product sheet" not in page
    assert "$142,800.00 — " in page and "open invoice order TD-48" in page


def test_admins_can_read_the_rules(admin_client):
    page = admin_client.get("/admin/next-steps").text
    positions = [page.index(rule.situation.replace("'", "&#39;")) for rule in RULES]
    assert positions == sorted(positions)  # in the order they are tried
    assert "Send a payment reminder" in page
