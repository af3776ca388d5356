"""Pipeline Lens and Demand Radar on generated exports: a German CRM file mapped by its
suggestions, as-of dates, stalled deals, currency and zero explanations. Expected figures
come from the generated values in plain Python."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from tests.sandbox.recipe_runs import kpi, run, to_csv

REPS = ["Maya Chen", "Tom Weber", "Sara Lind", "Omar Haddad"]
COMPANIES = ["Acme GmbH", "Globex Inc", "Initech Ltd", "Umbrella SA", "Hooli LLC", "Stark & Co"]
OPEN_STAGES = ["Qualifiziert", "Angebot", "Verhandlung"]
HEADER = ["Titel", "Firma", "Betrag (EUR)", "Erstellt am", "Abschlussdatum", "Verantwortlich",
          "Phase"]  # fmt: skip


def deals(seed: int = 5, n: int = 90, priced_open: bool = True) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        created = date(2016, 1, 4) + timedelta(rng.randrange(300))
        r = rng.random()
        if r < 0.6:
            stage, closed = ("Gewonnen" if r < 0.35 else "Verloren"), None
            closed = created + timedelta(rng.randint(5, 60))
        else:
            stage, closed = rng.choice(OPEN_STAGES), None
        amount = float(rng.randrange(1, 60) * 500)
        if closed is None and (not priced_open or rng.random() < 0.25):
            amount = None
        out.append({"title": f"Projekt {i}", "account": rng.choice(COMPANIES), "amount": amount,
                    "created": created, "closed": closed, "owner": rng.choice(REPS),
                    "stage": stage})  # fmt: skip
    return out


def deals_csv(rows: list[dict]) -> bytes:
    def cell(v):
        return "" if v is None else v.isoformat() if isinstance(v, date) else v

    keys = ["title", "account", "amount", "created", "closed", "owner", "stage"]
    return to_csv(HEADER, [[cell(r[k]) for k in keys] for r in rows])


def stalled(rows: list[dict], as_of: date, days: int = 30) -> list[dict]:
    return [r for r in rows if r["closed"] is None and r["created"] <= as_of
            and (as_of - r["created"]).days > days]  # fmt: skip


def test_german_crm_export_runs_with_its_suggested_mapping(store, queue):
    rows = deals()
    result, mapping = run(store, queue, deals_csv(rows), recipe="pipeline_lens")
    assert mapping == {"stage": "Phase", "amount": "Betrag (EUR)", "created": "Erstellt am",
                       "closed": "Abschlussdatum", "owner": "Verantwortlich", "deal": "Titel",
                       "account": "Firma"}  # fmt: skip
    won = sum(r["stage"] == "Gewonnen" for r in rows)
    lost = sum(r["stage"] == "Verloren" for r in rows)
    assert kpi(result, "Win rate")["value"] == pytest.approx(100 * won / (won + lost), abs=1e-3)
    open_amount = sum(r["amount"] or 0 for r in rows if r["closed"] is None)
    assert kpi(result, "Open pipeline")["value"] == pytest.approx(open_amount)
    assert kpi(result, "Open pipeline")["unit"] == "EUR"
    by_owner = next(t for t in result["tables"] if t["title"] == "By owner")
    assert by_owner["columns"][4] == "Won amount (EUR)"
    won_rows = [r for r in rows if r["stage"] == "Gewonnen"]
    won_by_owner = {o: sum(r["amount"] for r in won_rows if r["owner"] == o) for o in REPS}
    assert {r[0]: r[4] for r in by_owner["rows"]} == pytest.approx(won_by_owner)
    unpriced = sum(r["amount"] is None for r in rows)
    assert (
        f"{unpriced:,} of {len(rows):,} deals have no amount; sums leave them out."
        in (result["notes"])
    )


def test_stalled_deals_are_measured_to_the_latest_date_in_the_file(store, queue):
    rows = deals()
    latest = max(max(r["created"], r["closed"] or r["created"]) for r in rows)
    # An open deal's close date is a plan: it does not move the as-of date.
    planned = [dict(r) for r in rows]
    next(r for r in planned if r["stage"] in OPEN_STAGES)["closed"] = date(2017, 3, 1)
    result, mapping = run(store, queue, deals_csv(planned), recipe="pipeline_lens")
    as_of = kpi(result, "As of")
    assert as_of["value"] == latest.isoformat()
    words = f"{latest.day} {latest.strftime('%b')} {latest.year}"
    assert as_of["explanation"] == f"As of {words}, the latest date in your file."
    expected = stalled(rows, latest)
    assert kpi(result, "Stalled deals")["value"] == len(expected) > 0
    chosen = date(2016, 6, 30)
    result, _ = run(store, queue, deals_csv(rows), mapping, {"as_of": "2016-06-30"},
                    recipe="pipeline_lens")  # fmt: skip
    assert kpi(result, "Stalled deals")["value"] == len(stalled(rows, chosen))
    assert kpi(result, "As of")["explanation"] == "As of 30 Jun 2016, the date you chose."
    table = next(t for t in result["tables"] if t["title"] == "Largest stalled deals")
    ages = {r["title"]: (chosen - r["created"]).days for r in stalled(rows, chosen)}
    assert {r[0]: r[4] for r in table["rows"]} == ages


def test_open_deals_without_amounts_explain_the_zero(store, queue):
    rows = deals(seed=9, priced_open=False)
    result, _ = run(store, queue, deals_csv(rows), recipe="pipeline_lens")
    open_deals = sum(r["closed"] is None for r in rows)
    for label in ("Open pipeline", "Weighted forecast"):
        k = kpi(result, label)
        assert k["value"] == 0
        assert k["explanation"] == f"The {open_deals:,} open deals have no amount."


def test_no_closed_deal_explains_the_missing_win_rate(store, queue):
    rows = [r for r in deals(seed=4) if r["closed"] is None]
    result, _ = run(store, queue, deals_csv(rows), recipe="pipeline_lens")
    assert kpi(result, "Win rate") == {
        "label": "Win rate", "value": None, "unit": "%",
        "explanation": "No deal is won or lost yet, so there is no win rate.",
    }  # fmt: skip
    assert kpi(result, "Sales cycle")["explanation"] == (
        "No deal is won yet, so there is no sales cycle to measure."
    )


def daily_sales(last: date) -> list[tuple[date, int]]:
    rng = random.Random(8)
    days = (last - date(2015, 1, 1)).days + 1
    return [(date(2015, 1, 1) + timedelta(i), rng.randrange(20, 90)) for i in range(days)]


def test_demand_radar_uses_the_as_of_date_and_names_the_currency(store, queue):
    series = daily_sales(date(2016, 11, 20))
    data = to_csv(["Datum", "Umsatz (EUR)"], [[d.isoformat(), v] for d, v in series])
    params = {"period": "month"}
    result, mapping = run(store, queue, data, params=params, recipe="demand_radar")
    assert mapping == {"date": "Datum", "value": "Umsatz (EUR)"}
    total = kpi(result, "Total")
    assert total["value"] == sum(v for _, v in series) and total["unit"] == "EUR"
    assert kpi(result, "As of")["value"] == "2016-11-20"
    assert any("inside the last month (2016-11)" in n for n in result["notes"])
    params["as_of"] = "2016-10-31"
    result, _ = run(store, queue, data, mapping, params, recipe="demand_radar")
    assert kpi(result, "Total")["value"] == sum(v for d, v in series if d <= date(2016, 10, 31))
    assert not any("partial" in n for n in result["notes"])
    months = next(t for t in result["tables"] if t["title"] == "Totals per month")
    assert months["rows"][-1][0] == "2016-10"


def test_quarterly_figures_are_forecast_per_quarter(store, queue):
    rng = random.Random(12)
    quarters = [date(y, m, 1) for y in range(2015, 2023) for m in (1, 4, 7, 10)]
    rows = [[q.isoformat(), region, round(rng.uniform(3e5, 5e5), 2)]
            for region in ("North", "South") for q in quarters]  # fmt: skip
    data = to_csv(["Quarter", "Region", "Revenue"], rows)
    result, mapping = run(store, queue, data, recipe="demand_radar")
    assert mapping == {"date": "Quarter", "value": "Revenue", "category": "Region"}
    table = next(t for t in result["tables"] if t["title"] == "Totals per quarter")
    totals = {f"{q.year}-Q{(q.month - 1) // 3 + 1}": 0.0 for q in quarters}
    for day, _region, value in rows:
        q = date.fromisoformat(day)
        totals[f"{q.year}-Q{(q.month - 1) // 3 + 1}"] += value
    assert {p: v for p, v in table["rows"]} == pytest.approx(totals)
    assert kpi(result, "Next quarter")["explanation"].startswith("Forecast for 2023-Q1")
    assert not any("partial" in n for n in result["notes"])
