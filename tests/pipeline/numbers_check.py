"""The pipeline's figures computed independently (plain Python over the deal rows), and the
same figures read back from every surface: board, analytics, CSV export and API."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from portal.models import Deal, Stage
from portal.pipeline import analytics
from portal.pipeline.board import BoardFilters, build_board
from portal.templating import money_each


def _clean(amounts: dict[str, int]) -> dict[str, int]:
    return {c: v for c, v in sorted(amounts.items()) if v}


def expected_numbers(db) -> dict:
    """open = not in the won stage and not lost; weighted = Σ value × probability / 100,
    rounded half up once per currency."""
    stages = {s.id: s for s in db.session.scalars(select(Stage))}
    open_value: dict[str, int] = defaultdict(int)
    weighted: dict[str, int] = defaultdict(int)
    won_value: dict[str, int] = defaultdict(int)
    counts = {"open": 0, "won": 0, "lost": 0}
    for deal in db.session.scalars(select(Deal)):
        stage = stages.get(deal.stage_id)
        if stage is None:
            continue
        if deal.lost_at is not None:
            counts["lost"] += 1
        elif stage.is_won:
            counts["won"] += 1
            won_value[deal.currency] += deal.value
        else:
            counts["open"] += 1
            open_value[deal.currency] += deal.value
            weighted[deal.currency] += deal.value * stage.probability
    return {
        "open": {"count": counts["open"], "value": _clean(open_value)},
        "weighted": _clean(
            {
                c: int((Decimal(v) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
                for c, v in weighted.items()
            }
        ),
        "won": {"count": counts["won"], "value": _clean(won_value)},
        "lost": counts["lost"],
    }


def headline(numbers: dict) -> dict:
    return {key: numbers[key] for key in ("open", "weighted", "won", "lost")}


def from_csv(text: str) -> dict:
    """The figures added up from the exported rows (amounts are decimal strings)."""
    totals: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    counts: dict[str, int] = defaultdict(int)
    for row in csv.DictReader(io.StringIO(text)):
        counts[row["status"]] += 1
        totals[row["status"]][row["currency"]] += Decimal(row["value"])

    def minor(status: str) -> dict[str, int]:
        return _clean({c: int(v * 100) for c, v in totals[status].items()})

    return {
        "open": {"count": counts["open"], "value": minor("open")},
        "won": {"count": counts["won"], "value": minor("won")},
        "lost": counts["lost"],
    }


def from_api_deals(client, headers) -> dict:
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    counts: dict[str, int] = defaultdict(int)
    page = 1
    while True:
        body = client.get(f"/api/v1/deals?status=all&per_page=100&page={page}", headers=headers)
        for deal in body.json["deals"]:
            counts[deal["status"]] += 1
            totals[deal["status"]][deal["currency"]] += deal["value"]
        if page >= body.json["pages"]:
            break
        page += 1
    return {
        "open": {"count": counts["open"], "value": _clean(totals["open"])},
        "won": {"count": counts["won"], "value": _clean(totals["won"])},
        "lost": counts["lost"],
    }


def assert_surfaces_agree(db, seller_client, api_headers) -> None:
    """Board, analytics, CSV and API all give the independently computed figures."""
    expected = expected_numbers(db)
    board = build_board(BoardFilters(status="all"), None)
    assert headline(board.numbers.as_dict()) == expected
    page = seller_client.get("/seller/pipeline").text
    assert f"weighted pipeline {money_each(expected['weighted'])}" in page

    data = analytics.compute(days=0)
    assert headline(data["numbers"].as_dict()) == expected
    analytics_page = seller_client.get("/seller/analytics?days=0").text
    assert f'id="kpi-weighted">{money_each(expected["weighted"])}<' in analytics_page

    exported = seller_client.get("/seller/pipeline/export.csv?status=all")
    counted = {key: value for key, value in expected.items() if key != "weighted"}
    assert from_csv(exported.text) == counted

    api = seller_client.get("/api/v1/pipeline", headers=api_headers).json
    assert headline(api) == expected
    assert from_api_deals(seller_client, api_headers) == counted
    assert api["forecast"] == data["forecast"]
    # The forecast spreads the weighted pipeline over the months, nothing lost or added
    # (each month rounds once, so allow a unit per month and currency).
    for currency, total in expected["weighted"].items():
        spread = sum(row["value"].get(currency, 0) for row in api["forecast"])
        assert abs(spread - total) <= len(api["forecast"])
