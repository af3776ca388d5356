"""A buyer tries a product, reads testimonials again and again, fills the cart and orders by
invoice; the seller's timeline tells it as it happened, in grouped plain lines with links."""

import re
from html import unescape

from portal.models import Order
from portal.trials.sandbox_gateway import close_queue
from tests.commerce.support import add, checkout
from tests.conftest import AuthActions
from tests.factories import deal_of, make_plan, make_product, make_testimonial
from tests.trials.conftest import (
    DEALS_CSV,
    LENS_MAPPING,
    dataset_id_from,
    run_id_from,
    upload,
    wait_for_run,
)


def timeline_lines(page: str) -> list[str]:
    """The timeline's lines as a reader sees them (tags dropped, whitespace folded)."""
    section = page.split('id="timeline-h"', 1)[1].split("</section>", 1)[0]
    items = re.findall(r"<li>.*?</time></span><br>(.*?)</li>", section, flags=re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", "", item)).split()) for item in items]


def test_buyer_trial_cart_order_reads_as_grouped_linked_lines(db, app, make_user, seller_client):
    robin = make_user(email="robin@acme.example", name="Robin Buyer", company="Acme Logistics")
    authors = [make_user(email=f"c{n}@harbor.example") for n in range(2)]
    lens = make_product(slug="pipeline-lens", name="Pipeline Lens", recipe="pipeline_lens")
    plan = make_plan(lens, name="Team", unit_amount=4900)
    for author, title in zip(
        authors, ("Forecasts got short", "Quarter close in a day"), strict=True
    ):
        make_testimonial(lens, db.session.merge(author), title=title)
    db.session.commit()
    buyer = app.test_client()
    AuthActions(buyer).login(robin.email)

    # The trial: uploads their own file and runs the demo on it (the real sandbox).
    app.config.update(SANDBOX_RUN_SECONDS=30, SANDBOX_CPU_SECONDS=30, SANDBOX_WORKERS=1)
    try:
        dataset = dataset_id_from(upload(buyer, "pipeline-lens", DEALS_CSV.encode()))
        run = buyer.post(f"/try/pipeline-lens/datasets/{dataset}/run", data=LENS_MAPPING)
        assert wait_for_run(buyer, run_id_from(run))["state"] == "succeeded"
    finally:
        close_queue(app)
    rows = DEALS_CSV.count("\n") - 1  # the header is not a row
    # Reads the testimonials four times, fills the cart, looks at checkout twice, orders.
    for _ in range(4):
        assert buyer.get("/products/pipeline-lens/testimonials").status_code == 200
    assert add(buyer, plan.id, "4").status_code == 302
    for _ in range(2):
        assert buyer.get("/checkout").status_code == 200
    assert checkout(buyer, "invoice").status_code == 302
    order = db.session.query(Order).one()

    page = seller_client.get(f"/seller/deals/{deal_of(robin).id}").text
    who = "Robin (acme.example)"
    assert timeline_lines(page) == [
        f"{who} placed an order of {order_money(order.total)} to pay by invoice",
        f"{who} started checkout for $196.00 · twice today",
        f"{who} put 4 × Pipeline Lens Team in the cart",
        f"{who} read 2 testimonials about Pipeline Lens · 4 times today",
        f"{who} ran Pipeline Lens on {rows} rows",
        f"{who} started a Pipeline Lens demo",
        f"{who} uploaded {rows} rows of their own data (csv) to try Pipeline Lens",
        f"{who} signed in",
    ]
    assert "out of the cart" not in page
    assert f'href="/seller/orders/{order.id}"' in page
    assert 'href="/products/pipeline-lens/testimonials"' in page
    assert 'href="/try/pipeline-lens"' in page
    # The stage history names what moved the deal, not an event id.
    assert "event #" not in page
    history = page.split('id="history-h"', 1)[1].split("</section>", 1)[0]
    history_text = " ".join(unescape(re.sub(r"<[^>]+>", "", history)).split())
    assert f"Validating → Deciding — {who} put 4 × Pipeline Lens Team in the cart" in history_text
    assert f"Exploring → Trying — {who} uploaded {rows} rows" in history_text


def order_money(minor: int) -> str:
    return f"${minor // 100:,}.{minor % 100:02d}"
