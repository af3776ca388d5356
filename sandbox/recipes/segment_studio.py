"""Segment Studio: RFM scoring of customers and named segments."""

from __future__ import annotations

from typing import Any

from ..errors import DataProblem
from .base import Field, Param, Recipe, RunContext, long_date

# (segment, rule on recency score r, frequency score f, monetary score m); first match wins.
SEGMENTS: list[tuple[str, str, str]] = [
    ("Champions", "r >= 4 AND f >= 4", "Bought recently, buy often and spend the most."),
    ("Loyal customers", "r >= 3 AND f >= 4", "Buy often; keep them close."),
    ("Can't lose them", "r <= 2 AND f >= 4 AND m >= 4", "Used to buy a lot, not lately."),
    ("At risk", "r <= 2 AND f >= 3", "Bought often, but a long time ago."),
    ("New customers", "r >= 4 AND f <= 1", "First purchase was recent."),
    ("Potential loyalists", "r >= 3 AND f >= 2", "Recent buyers with a few orders."),
    ("Promising", "r >= 3", "Recent, but bought once."),
    ("Hibernating", "r = 2", "Low recency and few orders."),
    ("Lost", "TRUE", "Long gone, bought rarely."),
]


def _score(column: str, descending: bool = False) -> str:
    order = "DESC" if descending else "ASC"
    # percent_rank keeps ties together, unlike ntile which splits equal values arbitrarily
    return f"least(5, 1 + floor(5 * percent_rank() OVER (ORDER BY {column} {order})))::INT"


def _repeats_order_total(ctx: RunContext) -> bool:
    """True when every order of several lines carries one amount on each of its lines (an
    export that repeats the order total per line); needs a few such orders to be sure."""
    multi, constant = ctx.one(
        "SELECT count(*), count(*) FILTER (WHERE k = n AND d = 1) FROM (SELECT order_key, "
        "count(*) AS n, count(amount) AS k, count(DISTINCT amount) AS d FROM lines "
        "GROUP BY order_key HAVING count(*) > 1)"
    )
    return multi >= 3 and constant == multi


class SegmentStudio(Recipe):
    name = "segment_studio"
    title = "Segment Studio"
    description = (
        "Group your customers by how recently they bought, how often and how much (RFM). "
        "Each customer gets a 1-5 score for recency, frequency and money spent and a named "
        "segment such as Champions, At risk or Lost, with the number of customers, their "
        "share of revenue and example customers for each."
    )
    fields = (
        Field("customer", "text", label="Customer id", hint="who placed the order"),
        Field("date", "date", label="Order date", concept="order_date"),
        Field(
            "amount",
            "number",
            hint="order or line value",
            concept="order_amount",
            instead=("quantity", "unit_price"),
        ),
        Field(
            "order_id",
            "text",
            required=False,
            label="Order id",
            hint="groups the lines of one order; without it every row is an order",
            concept="order_id",
        ),
        Field("quantity", "number", required=False, hint="units on the line"),
        Field("unit_price", "number", required=False, label="Unit price", hint="price per unit"),
    )
    params = (
        Param(
            "as_of",
            "date",
            None,
            hint="recency is counted back from this day; empty means the latest order date",
            label="As of",
        ),
    )

    def run(self, ctx: RunContext) -> dict[str, Any]:
        res = self.builder(ctx)
        ctx.progress("Scoring customers", 20)
        as_of, as_of_words = ctx.as_of(ctx.one("SELECT max(date) FROM data")[0])
        if as_of is None:
            raise DataProblem("The order date column has no dates. Map another column.")
        money = ctx.money_unit("amount", "unit_price")
        if note := ctx.mixed_currency_note("amount") or ctx.mixed_currency_note("unit_price"):
            res.note(note)
        unit = "" if money == "currency" else f" ({money})"
        self._orders(ctx, res, as_of)
        ctx.con.execute(
            "CREATE TEMP TABLE rfm AS SELECT customer, "
            "date_diff('day', max(date), $as_of) AS recency, count(*) AS frequency, "
            "coalesce(sum(amount), 0) AS monetary FROM orders GROUP BY customer",
            {"as_of": as_of},
        )
        case = " ".join(
            f"WHEN {rule} THEN '{name.replace(chr(39), chr(39) * 2)}'" for name, rule, _ in SEGMENTS
        )
        ctx.con.execute(
            "CREATE TEMP TABLE scored AS SELECT *, "
            f"CASE {case} END AS segment FROM (SELECT *, {_score('recency', True)} AS r, "
            f"{_score('frequency')} AS f, {_score('monetary')} AS m FROM rfm)"
        )
        customers, revenue, orders, repeat = ctx.one(
            "SELECT count(*), sum(monetary), sum(frequency), count(*) FILTER (WHERE frequency > 1) "
            "FROM scored"
        )
        if not customers:
            raise DataProblem("No rows have both a customer and an order date.")
        ctx.progress("Naming segments", 60)
        self._kpis(ctx, res, money, (customers, revenue, orders, repeat))
        res.kpi(
            "Analysis date", as_of.isoformat(), "", as_of_words + " Recency counts back from it."
        )
        self._segments(ctx, res, unit, customers, revenue)
        ctx.progress("Top customers", 85)
        self._top(ctx, res, unit)
        ctx.progress("Done", 100)
        return res.to_dict()

    def _segments(self, ctx: RunContext, res, unit: str, customers: int, revenue) -> None:
        rows = ctx.rows_of(
            "SELECT segment, count(*), sum(monetary), avg(recency), avg(frequency), avg(monetary), "
            "string_agg(customer::VARCHAR, ', ' ORDER BY monetary DESC) FILTER (WHERE rn <= 3) "
            "FROM (SELECT *, row_number() OVER (PARTITION BY segment ORDER BY monetary DESC) "
            "AS rn FROM scored) "
            "GROUP BY segment"
        )
        order = {name: i for i, (name, _, _) in enumerate(SEGMENTS)}
        about = {name: text for name, _, text in SEGMENTS}
        rows.sort(key=lambda r: order[r[0]])
        res.table(
            "Segments",
            [
                "Segment",
                "Customers",
                "Share of customers %",
                f"Revenue{unit}",
                "Share of revenue %",
                "Avg days since last order",
                "Avg orders",
                f"Avg spend{unit}",
                "Example customers",
                "What it means",
            ],
            [
                [
                    s,
                    n,
                    100.0 * n / customers,
                    v,
                    100.0 * v / revenue if revenue else None,
                    rec,
                    freq,
                    mon,
                    ex,
                    about[s],
                ]
                for s, n, v, rec, freq, mon, ex in rows
            ],
        )
        res.chart(
            "Customers per segment",
            "doughnut",
            [r[0] for r in rows],
            [("Customers", [r[1] for r in rows])],
        )
        res.chart(
            "Revenue per segment",
            "bar",
            [r[0] for r in rows],
            [(f"Revenue{unit}", [r[2] for r in rows])],
        )

    def _top(self, ctx: RunContext, res, unit: str) -> None:
        top = ctx.rows_of(
            "SELECT customer, segment, r, f, m, recency, frequency, monetary FROM scored "
            "ORDER BY monetary DESC LIMIT 20"
        )
        res.table(
            "Top customers",
            [
                "Customer",
                "Segment",
                "R",
                "F",
                "M",
                "Days since last order",
                "Orders",
                f"Spend{unit}",
            ],
            top,
        )

    def _kpis(self, ctx: RunContext, res, money: str, figures: tuple) -> None:
        customers, revenue, orders, repeat = figures
        lines, priced = ctx.one("SELECT count(*), count(amount) FROM lines")
        if not priced:
            what = "quantity and unit price" if ctx.amount_sql() != "amount" else "an amount"
            words = f"None of the {lines:,} order lines has {what}, so there is no revenue."
        else:
            words = "Sum of the amount over all orders."
            if ctx.amount_sql() != "amount":
                words = "Sum of quantity x unit price over all order lines."
        res.kpi("Customers", customers, "", "Distinct customers with at least one dated order.")
        res.kpi("Revenue", revenue, money, words)
        by_id = ctx.has("order_id")
        res.kpi(
            "Orders",
            orders,
            "",
            f"Distinct order ids ({lines:,} lines)." if by_id else "Each row counts as one order.",
        )
        res.kpi(
            "Average order value",
            revenue / orders if orders and priced else None,
            money,
            ("Revenue divided by distinct orders." if by_id else "Revenue divided by rows.")
            if priced
            else words,
        )
        res.kpi(
            "Orders per customer",
            orders / customers,
            "",
            "Distinct orders per customer." if by_id else "Rows per customer.",
        )
        res.kpi(
            "Repeat customers",
            100.0 * repeat / customers,
            "%",
            "Customers with more than one order."
            if repeat
            else f"All {customers:,} customers placed a single order.",
        )
        if not by_id:
            res.note(
                "Each row counts as one order. If a row is one line of an order, map the "
                "order id so the lines are grouped into orders."
            )

    def _orders(self, ctx: RunContext, res, as_of) -> None:
        """``orders``: one row per order (the lines of an order id summed, else each row)."""
        key = "CAST(order_id AS VARCHAR)" if ctx.has("order_id") else "CAST(rowid AS VARCHAR)"
        ctx.con.execute(
            f"CREATE TEMP TABLE lines AS SELECT customer, date, {ctx.amount_sql()} AS amount, "
            f"{key} AS order_key FROM data "
            "WHERE customer IS NOT NULL AND date IS NOT NULL AND date <= $as_of",
            {"as_of": as_of},
        )
        later = ctx.con.execute(
            "SELECT count(*) FROM data WHERE date > $as_of", {"as_of": as_of}
        ).fetchone()[0]
        if later:
            res.note(f"{later:,} rows dated after {long_date(as_of)} are left out.")
        no_customer, no_date = ctx.one(
            "SELECT count(*) FILTER (WHERE customer IS NULL), "
            "count(*) FILTER (WHERE customer IS NOT NULL AND date IS NULL) FROM data"
        )
        if no_customer:
            res.note(f"{no_customer:,} rows have no customer and are left out.")
        if no_date:
            res.note(f"{no_date:,} rows have no order date and are left out.")
        total = "sum(amount)"
        if ctx.has("order_id") and ctx.has("amount") and _repeats_order_total(ctx):
            total = "max(amount)"
            res.note(
                "Every order with several lines repeats the same amount on each line, so the "
                "amount is read as the order total and counted once per order."
            )
        ctx.con.execute(
            f"CREATE TEMP TABLE orders AS SELECT customer, order_key, max(date) AS date, "
            f"{total} AS amount, count(*) AS lines FROM lines GROUP BY customer, order_key"
        )
