"""Segment Studio: RFM scoring of customers and named segments."""

from __future__ import annotations

from typing import Any

from ..errors import DataProblem
from .base import Field, Recipe, RunContext

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
        Field(
            "customer",
            "text",
            label="Customer id",
            hint="who placed the order",
            synonyms=(
                "customer id",
                "customer_id",
                "client",
                "account",
                "buyer",
                "email",
                "user id",
            ),
        ),
        Field(
            "date",
            "date",
            label="Order date",
            synonyms=(
                "order date",
                "purchase date",
                "created",
                "created at",
                "day",
                "invoice date",
            ),
        ),
        Field(
            "amount",
            "number",
            hint="order value",
            synonyms=("total", "revenue", "value", "price", "sales", "order total"),
        ),
    )
    params = ()

    def run(self, ctx: RunContext) -> dict[str, Any]:
        res = self.builder(ctx)
        ctx.progress("Scoring customers", 20)
        as_of = ctx.one("SELECT max(date) FROM data")[0]
        if as_of is None:
            raise DataProblem("The order date column has no dates. Map another column.")
        ctx.con.execute(
            "CREATE TEMP TABLE rfm AS SELECT customer, "
            "date_diff('day', max(date), $as_of) AS recency, count(*) AS frequency, "
            "coalesce(sum(amount), 0) AS monetary FROM data "
            "WHERE customer IS NOT NULL AND date IS NOT NULL GROUP BY customer",
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
        res.kpi("Customers", customers, "", "Distinct customers with at least one dated order.")
        res.kpi("Revenue", revenue, "currency", "Sum of the amount over all orders.")
        res.kpi(
            "Average order value",
            revenue / orders if orders else None,
            "currency",
            "Revenue divided by orders.",
        )
        res.kpi(
            "Repeat customers",
            100.0 * repeat / customers,
            "%",
            "Customers with more than one order.",
        )
        res.kpi(
            "Analysis date", as_of, "", "Recency is counted back from the latest order in the file."
        )
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
                "Revenue",
                "Share of revenue %",
                "Avg days since last order",
                "Avg orders",
                "Avg spend",
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
            "Revenue per segment", "bar", [r[0] for r in rows], [("Revenue", [r[2] for r in rows])]
        )
        ctx.progress("Top customers", 85)
        top = ctx.rows_of(
            "SELECT customer, segment, r, f, m, recency, frequency, monetary FROM scored "
            "ORDER BY monetary DESC LIMIT 20"
        )
        res.table(
            "Top customers",
            ["Customer", "Segment", "R", "F", "M", "Days since last order", "Orders", "Spend"],
            top,
        )
        ctx.progress("Done", 100)
        return res.to_dict()
