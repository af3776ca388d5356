"""Pipeline Lens: funnel, conversion, win rate and forecast from a list of deals."""

from __future__ import annotations

from typing import Any

from .base import Field, Param, Recipe, RunContext

_WON = ("won", "win", "closed won", "closed-won", "true", "yes", "1", "signed")
_LOST = ("lost", "lose", "closed lost", "closed-lost", "false", "no", "0", "dead", "churned")
# Usual CRM stage words, earliest first; unknown stages are ordered by how many deals they hold.
_STAGE_WORDS = (
    "lead",
    "new",
    "prospect",
    "contact",
    "qualif",
    "discovery",
    "demo",
    "meeting",
    "evaluat",
    "solution",
    "proposal",
    "quote",
    "negotiat",
    "contract",
    "commit",
    "closing",
)


def _outcome_sql(ctx: RunContext) -> str:
    won = ", ".join(f"'{w}'" for w in _WON)
    lost = ", ".join(f"'{w}'" for w in _LOST)
    if ctx.has("outcome"):
        o = "lower(trim(outcome))"
        return (
            f"CASE WHEN {o} IN ({won}) OR {o} LIKE '%won%' THEN 'won' "
            f"WHEN {o} IN ({lost}) OR {o} LIKE '%lost%' THEN 'lost' ELSE 'open' END"
        )
    s = "lower(stage)"
    return (
        f"CASE WHEN {s} LIKE '%won%' THEN 'won' WHEN {s} LIKE '%lost%' THEN 'lost' ELSE 'open' END"
    )


def _is_closed_stage(stage: str) -> bool:
    s = stage.lower()
    return "won" in s or "lost" in s or s.startswith("closed")


def _stage_rank(stage: str, count: int) -> tuple[int, int]:
    s = stage.lower()
    for i, word in enumerate(_STAGE_WORDS):
        if word in s:
            return (i, -count)
    return (len(_STAGE_WORDS) // 2, -count)


class PipelineLens(Recipe):
    name = "pipeline_lens"
    title = "Pipeline Lens"
    description = (
        "See your sales pipeline the way a revenue leader does: how many deals reach each "
        "stage and convert to the next, your win rate, average deal size and sales-cycle "
        "length, a forecast that weights open deals by how often deals at their stage have "
        "been won, and the open deals that have stalled."
    )
    fields = (
        Field(
            "stage",
            "text",
            hint="the deal's pipeline stage",
            synonyms=("deal stage", "phase", "pipeline stage"),
        ),
        Field(
            "amount",
            "number",
            hint="deal value",
            synonyms=("value", "deal value", "revenue", "arr", "size", "price"),
        ),
        Field(
            "created",
            "date",
            label="Created date",
            hint="when the deal was opened",
            synonyms=(
                "created at",
                "create date",
                "created date",
                "open date",
                "opened",
                "start date",
            ),
        ),
        Field(
            "closed",
            "date",
            required=False,
            label="Closed date",
            hint="when it was won or lost",
            synonyms=("close date", "closed at", "closed date", "won date", "end date"),
        ),
        Field(
            "owner",
            "text",
            required=False,
            hint="sales rep",
            synonyms=("rep", "sales rep", "account executive", "ae", "salesperson", "seller"),
        ),
        Field(
            "outcome",
            "text",
            required=False,
            label="Won/lost status",
            hint="won, lost or open",
            synonyms=("status", "result", "won lost", "is won", "deal status"),
        ),
        Field(
            "deal",
            "text",
            required=False,
            label="Deal name or id",
            synonyms=("deal id", "deal name", "opportunity", "name", "id"),
        ),
    )
    params = (
        Param(
            "stall_days",
            "int",
            30,
            1,
            365,
            "open deals older than this many days count as stalled",
            "Stalled after (days)",
        ),
    )

    def run(self, ctx: RunContext) -> dict[str, Any]:
        res = self.builder(ctx)
        con = ctx.con
        con.execute(
            f"CREATE TEMP TABLE deals AS SELECT *, {_outcome_sql(ctx)} AS result FROM data "
            "WHERE stage IS NOT NULL"
        )
        ctx.progress("Ordering stages", 20)
        by_stage = ctx.rows_of(
            "SELECT stage, result, count(*), coalesce(sum(amount), 0) FROM deals GROUP BY ALL"
        )
        counts: dict[str, int] = {}
        for stage, _result, n, _amt in by_stage:
            counts[stage] = counts.get(stage, 0) + n
        stages = sorted(
            (s for s in counts if not _is_closed_stage(s)), key=lambda s: _stage_rank(s, counts[s])
        )
        index = {s: i for i, s in enumerate(stages)}
        reached = [0] * (len(stages) + 1)
        won = lost = 0
        open_amount = [0.0] * len(stages)
        for stage, result, n, amt in by_stage:
            if result == "won":
                won += n
                top = len(stages)
            else:
                lost += n if result == "lost" else 0
                top = index.get(stage, 0)
                if result == "open" and stage in index:
                    open_amount[index[stage]] += amt
            for k in range(min(top, len(stages) - 1) + 1 if stages else 0):
                reached[k] += n
            if result == "won":
                reached[len(stages)] += n
        ctx.progress("Computing funnel", 45)
        self._funnel(res, stages, reached, won)
        total = sum(counts.values())
        closed = won + lost
        res.kpi("Deals", total, "deals", "Deals in the file with a stage.")
        res.kpi(
            "Win rate",
            100.0 * won / closed if closed else None,
            "%",
            f"Won deals out of all closed deals ({won:,} won, {lost:,} lost).",
        )
        avg_won, avg_all = ctx.one(
            "SELECT avg(amount) FILTER (WHERE result = 'won'), avg(amount) FROM deals"
        )
        res.kpi(
            "Average deal size",
            avg_won if avg_won is not None else avg_all,
            "currency",
            "Average amount of won deals."
            if avg_won is not None
            else "Average amount of all deals (none won yet).",
        )
        if ctx.has("closed"):
            cycle, median = ctx.one(
                "SELECT avg(date_diff('day', created, closed)), "
                "median(date_diff('day', created, closed)) FROM deals "
                "WHERE result = 'won' AND closed >= created"
            )
            res.kpi(
                "Sales cycle",
                cycle,
                "days",
                f"Average days from created to closed for won deals (median {median or 0:.0f}).",
            )
        else:
            res.note("Map a closed date to see how long your sales cycle is.")
        ctx.progress("Forecasting", 65)
        p_win = [won / r if r else 0.0 for r in reached[: len(stages)]]
        forecast = sum(a * p for a, p in zip(open_amount, p_win, strict=True))
        res.kpi(
            "Weighted forecast",
            forecast,
            "currency",
            "Open pipeline with each deal weighted by the share of deals at its stage that "
            "were eventually won.",
        )
        res.kpi("Open pipeline", sum(open_amount), "currency", "Total amount of open deals.")
        res.table(
            "Forecast by stage",
            ["Stage", "Open amount", "Win probability %", "Weighted amount"],
            [[s, a, 100 * p, a * p] for s, a, p in zip(stages, open_amount, p_win, strict=True)],
        )
        ctx.progress("Finding stalled deals", 80)
        self._stalled(ctx, res)
        if ctx.has("owner"):
            self._owners(ctx, res)
        self._monthly(ctx, res)
        ctx.progress("Done", 100)
        return res.to_dict()

    def _funnel(self, res, stages: list[str], reached: list[int], won: int) -> None:
        labels = [*stages, "Won"]
        rows = []
        for i, label in enumerate(labels):
            nxt = reached[i + 1] if i + 1 < len(labels) else None
            conv = 100.0 * nxt / reached[i] if nxt is not None and reached[i] else None
            rows.append([label, reached[i], conv])
        res.table(
            "Funnel by stage", ["Stage", "Deals that reached it", "Converted to next %"], rows
        )
        res.chart("Funnel", "bar", labels, [("Deals", reached)])
        if len(stages) < 2:
            res.note("Only one open stage was found, so the funnel has a single step.")

    def _stalled(self, ctx: RunContext, res) -> None:
        days = ctx.params["stall_days"]
        today = ctx.one("SELECT max(greatest(created, coalesce(closed, created))) FROM deals")[0]
        if today is None:
            return
        label = "deal" if ctx.has("deal") else "CAST(NULL AS VARCHAR)"
        where = "result = 'open' AND date_diff('day', created, $today) > $days"
        n, value = ctx.con.execute(
            f"SELECT count(*), coalesce(sum(amount), 0) FROM deals WHERE {where}",
            {"today": today, "days": days},
        ).fetchone()
        res.kpi(
            "Stalled deals",
            n,
            "deals",
            f"Open deals created more than {days} days before the latest date in the file "
            f"({today}); together worth {value:,.0f}.",
        )
        rows = ctx.con.execute(
            f"SELECT {label}, stage, owner, amount, date_diff('day', created, $today) AS age "
            f"FROM deals WHERE {where} ORDER BY amount DESC NULLS LAST LIMIT 20",
            {"today": today, "days": days},
        ).fetchall()
        res.table("Largest stalled deals", ["Deal", "Stage", "Owner", "Amount", "Age (days)"], rows)

    def _owners(self, ctx: RunContext, res) -> None:
        rows = ctx.rows_of(
            "SELECT owner, count(*), count(*) FILTER (WHERE result = 'won'), "
            "100.0 * count(*) FILTER (WHERE result = 'won') / "
            "nullif(count(*) FILTER (WHERE result <> 'open'), 0), "
            "coalesce(sum(amount) FILTER (WHERE result = 'won'), 0), "
            "coalesce(sum(amount) FILTER (WHERE result = 'open'), 0) "
            "FROM deals GROUP BY owner ORDER BY 5 DESC, 2 DESC LIMIT 25"
        )
        res.table(
            "By owner",
            ["Owner", "Deals", "Won", "Win rate %", "Won amount", "Open pipeline"],
            rows,
        )
        res.chart(
            "Won amount by owner",
            "bar",
            [r[0] for r in rows[:12]],
            [("Won amount", [r[4] for r in rows[:12]])],
        )

    def _monthly(self, ctx: RunContext, res) -> None:
        rows = ctx.rows_of(
            "SELECT strftime(date_trunc('month', created), '%Y-%m') AS m, count(*), "
            "count(*) FILTER (WHERE result = 'won') FROM deals WHERE created IS NOT NULL "
            "GROUP BY m ORDER BY m DESC LIMIT 36"
        )[::-1]
        res.chart(
            "Deals created per month",
            "line",
            [r[0] for r in rows],
            [("Created", [r[1] for r in rows]), ("Won", [r[2] for r in rows])],
        )
