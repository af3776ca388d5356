"""Segment Studio on order lines: orders grouped by id, amount from quantity x unit price,
as-of dates, currency and zero explanations. Expected figures come from the generated
values in plain Python."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from tests.sandbox.recipe_runs import kpi, run, to_csv

HEADER = ["Order No", "Customer", "Order Date", "Qty", "Unit Price", "Line total (EUR)"]
LAST_DAY = date(2016, 11, 30)


def order_lines(seed: int = 11, orders: int = 60) -> list[dict]:
    """Orders of one to four lines each; the last order is on LAST_DAY."""
    rng = random.Random(seed)
    lines = []
    for k in range(orders):
        customer = f"C{rng.randrange(15):02d}"
        day = LAST_DAY if k == orders - 1 else date(2016, 1, 1) + timedelta(rng.randrange(330))
        for _ in range(rng.randint(1, 4)):
            qty, price = rng.randint(1, 5), rng.choice([4.5, 9.99, 12.0, 25.0, 99.5])
            lines.append({"order": f"SO-{5000 + k}", "customer": customer, "day": day,
                          "qty": qty, "price": price, "total": round(qty * price, 2)})  # fmt: skip
    return lines


def lines_csv(lines: list[dict]) -> bytes:
    return to_csv(HEADER, [[x["order"], x["customer"], x["day"].isoformat(), x["qty"],
                            x["price"], x["total"]] for x in lines])  # fmt: skip


def test_order_lines_are_grouped_into_orders_with_the_suggested_mapping(store, queue):
    lines = order_lines()
    result, mapping = run(store, queue, lines_csv(lines))
    assert mapping["order_id"] == "Order No" and mapping["amount"] == "Line total (EUR)"
    revenue = sum(x["total"] for x in lines)
    orders = len({x["order"] for x in lines})
    customers = {x["customer"] for x in lines}
    per_customer = {c: {x["order"] for x in lines if x["customer"] == c} for c in customers}
    assert kpi(result, "Revenue")["value"] == pytest.approx(revenue)
    assert kpi(result, "Orders")["value"] == orders < len(lines)
    assert kpi(result, "Average order value")["value"] == pytest.approx(revenue / orders)
    assert kpi(result, "Orders per customer")["value"] == pytest.approx(orders / len(customers))
    repeat = sum(len(o) > 1 for o in per_customer.values())
    assert kpi(result, "Repeat customers")["value"] == pytest.approx(100 * repeat / len(customers))
    top = next(t for t in result["tables"] if t["title"] == "Top customers")
    assert {r[0]: r[6] for r in top["rows"]} == {c: len(o) for c, o in per_customer.items()}


def test_without_an_order_id_every_line_is_an_order_and_the_result_says_so(store, queue):
    lines = order_lines()
    mapping = {"customer": "Customer", "date": "Order Date", "amount": "Line total (EUR)"}
    result, _ = run(store, queue, lines_csv(lines), mapping)
    revenue = sum(x["total"] for x in lines)
    assert kpi(result, "Orders")["value"] == len(lines)
    assert kpi(result, "Average order value")["value"] == pytest.approx(revenue / len(lines))
    assert any("map the order id" in n for n in result["notes"])


def test_amount_is_quantity_times_unit_price_when_no_line_total_exists(store, queue):
    lines = order_lines(seed=3)
    data = to_csv(HEADER[:5], [[x["order"], x["customer"], x["day"].isoformat(), x["qty"],
                                x["price"]] for x in lines])  # fmt: skip
    result, mapping = run(store, queue, data)
    assert "amount" not in mapping and mapping["quantity"] == "Qty"
    revenue = sum(x["qty"] * x["price"] for x in lines)
    orders = len({x["order"] for x in lines})
    assert kpi(result, "Revenue")["value"] == pytest.approx(revenue)
    assert kpi(result, "Revenue")["explanation"] == (
        "Sum of quantity x unit price over all order lines."
    )
    assert kpi(result, "Average order value")["value"] == pytest.approx(revenue / orders)


def test_an_order_total_repeated_on_every_line_is_counted_once(store, queue):
    lines = order_lines(seed=5)
    totals: dict[str, float] = {}
    for x in lines:
        totals[x["order"]] = round(totals.get(x["order"], 0) + x["total"], 2)
    data = to_csv(["Order No", "Customer", "Order Date", "Order Total"],
                  [[x["order"], x["customer"], x["day"].isoformat(), totals[x["order"]]]
                   for x in lines])  # fmt: skip
    result, mapping = run(store, queue, data)
    assert mapping["amount"] == "Order Total" and mapping["order_id"] == "Order No"
    assert kpi(result, "Revenue")["value"] == pytest.approx(sum(totals.values()))
    assert kpi(result, "Average order value")["value"] == pytest.approx(
        sum(totals.values()) / len(totals)
    )
    assert any("counted once per order" in n for n in result["notes"])


def test_as_of_defaults_to_the_latest_date_and_can_be_chosen(store, queue):
    lines = order_lines()
    result, mapping = run(store, queue, lines_csv(lines))
    as_of = kpi(result, "Analysis date")
    assert as_of["value"] == "2016-11-30"
    assert as_of["explanation"].startswith("As of 30 Nov 2016, the latest date in your file.")
    chosen = date(2016, 6, 30)
    result, _ = run(store, queue, lines_csv(lines), mapping, {"as_of": chosen.isoformat()})
    kept = [x for x in lines if x["day"] <= chosen]
    assert kpi(result, "Analysis date")["value"] == "2016-06-30"
    assert kpi(result, "Revenue")["value"] == pytest.approx(sum(x["total"] for x in kept))
    later = len(lines) - len(kept)
    assert f"{later:,} rows dated after 30 Jun 2016 are left out." in result["notes"]
    last = {}
    for x in kept:
        last[x["customer"]] = max(last.get(x["customer"], x["day"]), x["day"])
    top = next(t for t in result["tables"] if t["title"] == "Top customers")
    assert {r[0]: r[5] for r in top["rows"]} == {c: (chosen - d).days for c, d in last.items()}


def test_lines_without_a_customer_are_left_out_and_counted(store, queue):
    lines = order_lines(seed=7)
    for x in lines[::9]:
        x["customer"] = ""
    result, _ = run(store, queue, lines_csv(lines))
    kept = [x for x in lines if x["customer"]]
    assert kpi(result, "Revenue")["value"] == pytest.approx(sum(x["total"] for x in kept))
    assert (
        f"{len(lines) - len(kept):,} rows have no customer and are left out." in (result["notes"])
    )


def test_money_names_the_currency_of_the_header(store, queue):
    result, _ = run(store, queue, lines_csv(order_lines()))
    assert kpi(result, "Revenue")["unit"] == kpi(result, "Average order value")["unit"] == "EUR"
    segments = result["tables"][0]
    assert segments["columns"][3] == "Revenue (EUR)" and segments["columns"][7] == "Avg spend (EUR)"


def test_no_amounts_means_zero_revenue_that_says_why(store, queue):
    lines = order_lines(seed=2, orders=12)
    rows = [[x["order"], x["customer"], x["day"].isoformat(), ""] for x in lines]
    data = to_csv(["Order No", "Customer", "Order Date", "Total"], rows)
    mapping = {"order_id": "Order No", "customer": "Customer", "date": "Order Date",
               "amount": "Total"}  # fmt: skip
    result, _ = run(store, queue, data, mapping)
    revenue = kpi(result, "Revenue")
    assert revenue["value"] == 0
    why = f"None of the {len(lines):,} order lines has an amount, so there is no revenue."
    assert revenue["explanation"] == why
    assert kpi(result, "Average order value") == {
        "label": "Average order value", "value": None, "unit": "currency", "explanation": why
    }  # fmt: skip
