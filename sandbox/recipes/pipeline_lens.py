"""Pipeline Lens: funnel, conversion, win rate and forecast from a list of deals."""

from __future__ import annotations

from typing import Any

from ..mapping.labels import CLOSED, LOST, STAGE_STEPS, WON
from ..mapping.words import fold
from ..sql import literal
from .base import Field, Param, Recipe, RunContext, long_date

# Exact outcome values of a yes/no "Won" column, besides the won/lost words of every language.
_YES = ("true", "yes", "1", "ja", "oui", "si", "sim", "y")
_NO = ("false", "no", "0", "nein", "non", "nao", "n")


def _words_re(words: tuple[str, ...]) -> str:
    return literal(r"\b(" + "|".join(words) + r")\b")


def _outcome_sql(ctx: RunContext) -> str:
    """'won' / 'lost' / 'open' from the won/lost column, else from the stage, in any of the
    seven languages ("Closed Won", "Gewonnen", "Gagné", "Ganada", "Ganho", "Vinta")."""
    column = "outcome" if ctx.has("outcome") else "stage"
    o = f"strip_accents(lower(trim({column})))"
    won, lost = _words_re(WON), _words_re(LOST)
    exact = ""
    if column == "outcome":
        yes = ", ".join(map(literal, _YES))
        no = ", ".join(map(literal, _NO))
        exact = f"WHEN {o} IN ({yes}) THEN 'won' WHEN {o} IN ({no}) THEN 'lost' "
    return (
        f"CASE {exact}WHEN regexp_matches({o}, {won}) THEN 'won' "
        f"WHEN regexp_matches({o}, {lost}) THEN 'lost' ELSE 'open' END"
    )


def _is_closed_stage(stage: str) -> bool:
    tokens = set(fold(stage).replace("-", " ").split())
    return bool(tokens & {*WON, *LOST, *CLOSED}) or fold(stage).startswith("closed")


def _stage_rank(stage: str, count: int) -> tuple[int, int]:
    s = fold(stage)
    for i, step in enumerate(STAGE_STEPS):
        if any(word in s for word in step):
            return (i, -count)
    return (len(STAGE_STEPS) // 2, -count)


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
        Field("stage", "text", hint="the deal's pipeline stage"),
        Field("amount", "number", hint="deal value"),
        Field("created", "date", label="Created date", hint="when the deal was opened"),
        Field(
            "closed", "date", required=False, label="Closed date", hint="when it was won or lost"
        ),
        Field("owner", "text", required=False, hint="the sales rep who owns the deal"),
        Field("outcome", "text", required=False, label="Won/lost status", hint="won, lost or open"),
        Field("deal", "text", required=False, label="Deal name or id"),
        Field(
            "account",
            "text",
            required=False,
            label="Account (customer company)",
            hint="the company the deal is with",
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
        Param(
            "as_of",
            "date",
            None,
            hint="the day deal ages are measured to; empty means the latest date in your data",
            label="As of",
        ),
    )

    def run(self, ctx: RunContext) -> dict[str, Any]:
        res = self.builder(ctx)
        ctx.con.execute(
            f"CREATE TEMP TABLE deals AS SELECT *, {_outcome_sql(ctx)} AS result FROM data "
            "WHERE stage IS NOT NULL"
        )
        self.money = ctx.money_unit("amount")
        if note := ctx.mixed_currency_note("amount"):
            res.note(note)
        no_stage = ctx.one("SELECT count(*) FROM data WHERE stage IS NULL")[0]
        if no_stage:
            res.note(f"{no_stage:,} rows have no stage and are left out.")
        # The latest thing that happened: a deal created, or won or lost. An open deal's
        # close date is a plan (an expected close), not an event.
        latest = ctx.one(
            "SELECT greatest(max(created), max(closed) FILTER (WHERE result <> 'open')) FROM deals"
        )[0]
        as_of, as_of_words = ctx.as_of(latest)
        ctx.progress("Ordering stages", 20)
        by_stage = ctx.rows_of(
            "SELECT stage, result, count(*), coalesce(sum(amount), 0), count(amount) "
            "FROM deals GROUP BY ALL"
        )
        counts: dict[str, int] = {}
        for stage, _result, n, _amt, _k in by_stage:
            counts[stage] = counts.get(stage, 0) + n
        stages = sorted(
            (s for s in counts if not _is_closed_stage(s)), key=lambda s: _stage_rank(s, counts[s])
        )
        funnel = self._reach(stages, by_stage)
        ctx.progress("Computing funnel", 45)
        self._funnel(res, stages, funnel["reached"], funnel["won"])
        self._headline(ctx, res, sum(counts.values()), funnel)
        ctx.progress("Forecasting", 65)
        self._forecast(res, stages, funnel)
        ctx.progress("Finding stalled deals", 80)
        if as_of is not None:
            self._stalled(ctx, res, as_of)
        res.kpi("As of", as_of.isoformat() if as_of else None, "", as_of_words)
        if ctx.has("owner"):
            self._owners(ctx, res)
        if ctx.has("account"):
            self._accounts(ctx, res)
        self._monthly(ctx, res)
        ctx.progress("Done", 100)
        return res.to_dict()

    def _reach(self, stages: list[str], by_stage: list[tuple]) -> dict[str, Any]:
        """How many deals reached each open stage (a won deal passed them all)."""
        index = {s: i for i, s in enumerate(stages)}
        reached = [0] * (len(stages) + 1)
        won = lost = open_deals = open_priced = 0
        open_amount = [0.0] * len(stages)
        for stage, result, n, amt, priced in by_stage:
            if result == "won":
                won += n
                top = len(stages)
            else:
                lost += n if result == "lost" else 0
                top = index.get(stage, 0)
                if result == "open":
                    open_deals += n
                    open_priced += priced
                    if stage in index:
                        open_amount[index[stage]] += amt
            for k in range(min(top, len(stages) - 1) + 1 if stages else 0):
                reached[k] += n
            if result == "won":
                reached[len(stages)] += n
        return {"reached": reached, "won": won, "lost": lost, "open_amount": open_amount,
                "open": open_deals, "open_priced": open_priced}  # fmt: skip

    def _headline(self, ctx: RunContext, res, total: int, funnel: dict[str, Any]) -> None:
        won, lost = funnel["won"], funnel["lost"]
        closed = won + lost
        res.kpi("Deals", total, "deals", "Deals in the file with a stage.")
        res.kpi(
            "Win rate",
            100.0 * won / closed if closed else None,
            "%",
            f"Won deals out of all closed deals ({won:,} won, {lost:,} lost)."
            if closed
            else "No deal is won or lost yet, so there is no win rate.",
        )
        avg_won, avg_all, priced = ctx.one(
            "SELECT avg(amount) FILTER (WHERE result = 'won'), avg(amount), count(amount) "
            "FROM deals"
        )
        if not priced:
            words = f"None of the {total:,} deals has an amount."
        elif avg_won is not None:
            words = "Average amount of won deals."
        else:
            words = "Average amount of all deals (none won yet)."
        res.kpi("Average deal size", avg_won if avg_won is not None else avg_all, self.money, words)
        won_amount = ctx.one("SELECT sum(amount) FILTER (WHERE result = 'won') FROM deals")[0]
        res.kpi(
            "Won amount",
            won_amount or 0,
            self.money,
            "Total amount of won deals."
            if won_amount is not None
            else (
                "No deal is won yet."
                if not won
                else f"None of the {won:,} won deals has an amount."
            ),
        )
        if priced and priced < total:
            res.note(f"{total - priced:,} of {total:,} deals have no amount; sums leave them out.")
        if ctx.has("closed"):
            self._cycle(ctx, res, won)
        else:
            res.note("Map a closed date to see how long your sales cycle is.")

    def _cycle(self, ctx: RunContext, res, won: int) -> None:
        cycle, median, n = ctx.one(
            "SELECT avg(date_diff('day', created, closed)), "
            "median(date_diff('day', created, closed)), count(*) FROM deals "
            "WHERE result = 'won' AND closed >= created"
        )
        if n:
            words = f"Average days from created to closed for won deals (median {median:.0f})."
        elif won:
            words = f"None of the {won:,} won deals has a closed date on or after its created date."
        else:
            words = "No deal is won yet, so there is no sales cycle to measure."
        res.kpi("Sales cycle", cycle, "days", words)

    def _forecast(self, res, stages: list[str], funnel: dict[str, Any]) -> None:
        reached, won, open_amount = funnel["reached"], funnel["won"], funnel["open_amount"]
        p_win = [won / r if r else 0.0 for r in reached[: len(stages)]]
        forecast = sum(a * p for a, p in zip(open_amount, p_win, strict=True))
        pipeline = sum(open_amount)
        why = self._why_no_pipeline(funnel)
        res.kpi(
            "Weighted forecast",
            forecast,
            self.money,
            why
            or (
                "No deal is won yet, so no stage has a win probability to weight by."
                if not won
                else "Open pipeline with each deal weighted by the share of deals at its "
                "stage that were eventually won."
            ),
        )
        res.kpi("Open pipeline", pipeline, self.money, why or "Total amount of open deals.")
        unit = "" if self.money == "currency" else f" ({self.money})"
        res.table(
            "Forecast by stage",
            ["Stage", f"Open amount{unit}", "Win probability %", f"Weighted amount{unit}"],
            [[s, a, 100 * p, a * p] for s, a, p in zip(stages, open_amount, p_win, strict=True)],
        )

    @staticmethod
    def _why_no_pipeline(funnel: dict[str, Any]) -> str:
        """Why the open pipeline is zero, or "" when it is not."""
        if sum(funnel["open_amount"]):
            return ""
        if not funnel["open"]:
            return "There are no open deals: every deal is won or lost."
        if not funnel["open_priced"]:
            return f"The {funnel['open']:,} open deals have no amount."
        return "The open deals' amounts add up to zero."

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

    def _stalled(self, ctx: RunContext, res, as_of) -> None:
        days = ctx.params["stall_days"]
        label = "deal" if ctx.has("deal") else "CAST(NULL AS VARCHAR)"
        # The one definition of a stalled deal: open, and older than the threshold on the
        # as-of date (deals created after it did not exist yet).
        where = (
            "result = 'open' AND created <= $as_of AND date_diff('day', created, $as_of) > $days"
        )
        args = {"as_of": as_of, "days": days}
        n, value, open_deals = ctx.con.execute(
            f"SELECT count(*) FILTER (WHERE {where}), "
            f"coalesce(sum(amount) FILTER (WHERE {where}), 0), "
            "count(*) FILTER (WHERE result = 'open') FROM deals",
            args,
        ).fetchone()
        when = long_date(as_of)
        if n:
            words = (
                f"Open deals created more than {days} days before {when}; together worth "
                f"{value:,.0f}" + ("" if self.money == "currency" else f" {self.money}") + "."
            )
        elif open_deals:
            words = f"None of the {open_deals:,} open deals was created more than {days} days "
            words += f"before {when}."
        else:
            words = "There are no open deals, so none can stall."
        res.kpi("Stalled deals", n, "deals", words)
        rows = ctx.con.execute(
            f"SELECT {label}, stage, owner, amount, date_diff('day', created, $as_of) AS age "
            f"FROM deals WHERE {where} ORDER BY amount DESC NULLS LAST LIMIT 20",
            args,
        ).fetchall()
        unit = "" if self.money == "currency" else f" ({self.money})"
        res.table(
            "Largest stalled deals",
            ["Deal", "Stage", "Owner", f"Amount{unit}", f"Age on {when} (days)"],
            rows,
        )

    def _owners(self, ctx: RunContext, res) -> None:
        rows = self._by(ctx, "owner")
        unit = "" if self.money == "currency" else f" ({self.money})"
        res.table(
            "By owner",
            ["Owner", "Deals", "Won", "Win rate %", f"Won amount{unit}", f"Open pipeline{unit}"],
            rows,
        )
        res.chart(
            "Won amount by owner",
            "bar",
            [r[0] for r in rows[:12]],
            [(f"Won amount{unit}", [r[4] for r in rows[:12]])],
        )

    def _accounts(self, ctx: RunContext, res) -> None:
        unit = "" if self.money == "currency" else f" ({self.money})"
        res.table(
            "Top accounts",
            ["Account", "Deals", "Won", "Win rate %", f"Won amount{unit}", f"Open pipeline{unit}"],
            self._by(ctx, "account"),
        )

    @staticmethod
    def _by(ctx: RunContext, column: str) -> list[tuple]:
        return ctx.rows_of(
            f"SELECT {column}, count(*), count(*) FILTER (WHERE result = 'won'), "
            "100.0 * count(*) FILTER (WHERE result = 'won') / "
            "nullif(count(*) FILTER (WHERE result <> 'open'), 0), "
            "coalesce(sum(amount) FILTER (WHERE result = 'won'), 0), "
            "coalesce(sum(amount) FILTER (WHERE result = 'open'), 0) "
            f"FROM deals GROUP BY {column} ORDER BY 5 DESC, 2 DESC LIMIT 25"
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
