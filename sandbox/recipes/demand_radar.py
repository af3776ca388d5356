"""Demand Radar: totals per period, trend, seasonality and a forecast with intervals."""

from __future__ import annotations

import warnings
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from ..errors import DataProblem
from .base import Field, Param, Recipe, RunContext, long_date

if TYPE_CHECKING:
    import pandas as pd

SEASON = {"day": 7, "week": 52, "month": 12, "quarter": 4}
FREQ = {"day": "D", "week": "W-MON", "month": "MS", "quarter": "QS"}
LABEL_FMT = {"day": "%Y-%m-%d", "week": "%Y-%m-%d", "month": "%Y-%m", "quarter": "%Y-%m"}
_DAYS = {"day": 1, "week": 7, "month": 28, "quarter": 90}
MAX_PERIODS = 1000
MIN_PERIODS = 4


def _next_start(start: date, period: str) -> date:
    if period == "day":
        return start + timedelta(days=1)
    if period == "week":
        return start + timedelta(days=7)
    months = 1 if period == "month" else 3
    year, month = divmod(start.month - 1 + months, 12)
    return date(start.year + year, month + 1, 1)


def _label(d: date, period: str) -> str:
    if period == "quarter":
        return f"{d.year}-Q{(d.month - 1) // 3 + 1}"
    return d.strftime(LABEL_FMT[period])


class DemandRadar(Recipe):
    name = "demand_radar"
    title = "Demand Radar"
    description = (
        "Turn a list of dated values (orders, units, tickets) into totals per day, week, month "
        "or quarter, see whether demand is rising or falling and whether it follows a season, "
        "and get a forecast of the next periods with a likely range, fitted with exponential "
        "smoothing (statsmodels ETS). Add a category to compare products or regions."
    )
    fields = (
        Field("date", "date", hint="when it happened", concept="period_date"),
        Field("value", "number", hint="the quantity or amount to forecast"),
        Field("category", "text", required=False, hint="product, region or channel"),
    )
    params = (
        Param(
            "period",
            "choice",
            "auto",
            hint="size of each time bucket",
            choices=("auto", "day", "week", "month", "quarter"),
        ),
        Param("horizon", "int", 6, 1, 36, "how many periods to forecast", "Forecast periods"),
        Param(
            "as_of",
            "date",
            None,
            hint="the history ends on this day; empty means the latest date in your data",
            label="As of",
        ),
    )

    def run(self, ctx: RunContext) -> dict[str, Any]:
        import pandas as pd  # noqa: F401 - heavy; only this recipe needs it

        res = self.builder(ctx)
        as_of, as_of_words = ctx.as_of(ctx.one("SELECT max(date) FROM data")[0])
        first, last, rows, values = ctx.con.execute(
            "SELECT min(date), max(date), count(date), count(value) FROM data WHERE date <= $a",
            {"a": as_of},
        ).fetchone()
        if not rows:
            raise DataProblem("The date column has no dates. Map another column.")
        self.unit = ctx.money_unit("value") if ctx.currency("value") else ""
        if note := ctx.mixed_currency_note("value"):
            res.note(note)
        self.as_of = as_of
        self.gap = self._gap(ctx)
        period = ctx.params["period"]
        if period == "auto":
            period = self._auto_period((last - first).days)
        ctx.progress(f"Totals per {period}", 20)
        series = self._series(ctx, period, "TRUE")
        if len(series) < MIN_PERIODS:
            raise DataProblem(
                f"The data covers only {len(series)} {period}(s); a forecast needs at least "
                f"{MIN_PERIODS}. Choose a shorter period or upload a longer history."
            )
        total = float(series.sum())
        if not values:
            words = f"None of the {rows:,} dated rows has a value."
        elif not total:
            words = f"All {values:,} values add up to zero."
        else:
            words = f"Sum of the value over {len(series)} {period}s."
        res.kpi("Total", total, self.unit, words)
        res.kpi("As of", as_of.isoformat(), "", as_of_words)
        self._partial(res, last, period)
        res.kpi(
            "Average per " + period, total / len(series), self.unit, f"Mean total per {period}."
        )
        ctx.progress("Trend and seasonality", 45)
        self._trend_season(res, series, period)
        ctx.progress("Forecasting", 65)
        horizon = int(ctx.params["horizon"])
        fc = self._forecast(res, series, period, horizon)
        labels = [_label(d, period) for d in series.index] + [_label(d, period) for d in fc.index]
        pad = [None] * len(series)
        res.chart(
            f"Totals per {period} and forecast",
            "line",
            labels,
            [
                ("Actual", [*series.tolist(), *[None] * len(fc)]),
                ("Forecast", [*pad[:-1], float(series.iloc[-1]), *fc["mean"].tolist()]),
                ("Low (80%)", [*pad, *fc["low"].tolist()]),
                ("High (80%)", [*pad, *fc["high"].tolist()]),
            ],
        )
        res.table(
            f"Forecast for the next {horizon} {period}s",
            ["Period", "Forecast", "Low (80%)", "High (80%)"],
            [[_label(d, period), r["mean"], r["low"], r["high"]] for d, r in fc.iterrows()],
        )
        res.table(
            f"Totals per {period}",
            ["Period", "Total"],
            [[_label(d, period), v] for d, v in series.tail(120).items()],
        )
        if ctx.has("category"):
            ctx.progress("Comparing categories", 85)
            self._categories(ctx, res, period)
        ctx.progress("Done", 100)
        return res.to_dict()

    def _gap(self, ctx: RunContext) -> float | None:
        """Median days between consecutive distinct dates (about 91 for quarterly data)."""
        return ctx.con.execute(
            "SELECT median(g) FROM (SELECT date_diff('day', lag(d) OVER (ORDER BY d), d) AS g "
            "FROM (SELECT DISTINCT date AS d FROM data WHERE date <= $a))",
            {"a": self.as_of},
        ).fetchone()[0]

    def _auto_period(self, span: int) -> str:
        """The bucket the dates themselves come in (one per quarter, month or week), else
        by the span of daily data; never buckets finer than the data (no empty months
        between quarters)."""
        gap = self.gap
        by_span = "month" if span > 730 else "week" if span > 120 else "day"
        if gap is None:
            return by_span
        if gap >= 80:
            return "quarter"
        if gap >= 27:
            return "month"
        if gap >= 6:
            return "week" if span <= 4 * 365 else "month"
        return by_span

    def _partial(self, res, last: date, period: str) -> None:
        """Say so when the history stops inside its last period (a low last bar is no dip);
        data of one date per period (monthly figures) is never partial."""
        import pandas as pd

        if self.gap is not None and self.gap >= _DAYS[period] * 0.9:
            return
        start = pd.Timestamp(last).to_period(FREQ[period][0]).start_time.date()
        if period == "week":
            start = last - timedelta(days=last.weekday())
        end = _next_start(start, period) - timedelta(days=1)
        if last < end:
            res.note(
                f"The data ends on {long_date(last)}, inside the last {period} "
                f"({_label(start, period)}), so that {period}'s total is partial."
            )

    def _series(self, ctx: RunContext, period: str, where: str, params=None) -> pd.Series:
        import pandas as pd

        rows = ctx.con.execute(
            f"SELECT date_trunc('{period}', date)::DATE AS p, sum(value) FROM data "
            f"WHERE date IS NOT NULL AND date <= $as_of AND {where} GROUP BY p ORDER BY p",
            {"as_of": self.as_of, **(params or {})},
        ).fetchall()
        if not rows:
            return pd.Series(dtype="float64")
        s = pd.Series({pd.Timestamp(p): float(v or 0) for p, v in rows})
        s = s.asfreq(FREQ[period], fill_value=0.0)
        s.index = [ts.date() for ts in s.index]
        return s.tail(MAX_PERIODS)

    def _trend_season(self, res, series: pd.Series, period: str) -> None:
        import numpy as np
        import pandas as pd
        from statsmodels.tsa.seasonal import STL

        sp = SEASON[period]
        y = series.to_numpy(dtype=float)
        if len(y) >= 2 * sp + 1:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = STL(y, period=sp, robust=True).fit()
            trend, seasonal, resid = fit.trend, fit.seasonal, fit.resid
            strength = max(0.0, 1 - np.var(resid) / max(np.var(seasonal + resid), 1e-12))
            peak = int(np.argmax([seasonal[i::sp].mean() for i in range(sp)]))
            peak_label = _label(series.index[peak], period)
            res.kpi(
                "Seasonality strength",
                100 * strength,
                "%",
                f"How much of the ups and downs repeat every {sp} {period}s (STL decomposition); "
                f"the peak falls like {peak_label}.",
            )
        else:
            trend = (
                pd.Series(y).rolling(min(len(y), 3), center=True, min_periods=1).mean().to_numpy()
            )
            res.note(
                f"Seasonality needs at least {2 * sp + 1} {period}s of history; "
                f"this file has {len(y)}."
            )
        base = max(abs(float(np.mean(y))), 1e-9)
        slope = (trend[-1] - trend[0]) / max(len(trend) - 1, 1)
        change = 100 * slope / base
        word = "rising" if change > 0.5 else "falling" if change < -0.5 else "flat"
        res.kpi(
            "Trend",
            change,
            "%",
            f"Demand is {word}: the underlying level changes by about {change:+.1f}% of the "
            f"average per {period}.",
        )

    def _forecast(self, res, series: pd.Series, period: str, horizon: int) -> pd.DataFrame:
        import pandas as pd
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        sp = SEASON[period]
        y = pd.Series(series.to_numpy(dtype=float), index=pd.RangeIndex(len(series)))
        seasonal = "add" if len(y) >= 2 * sp + 2 else None
        trend = "add" if len(y) >= 8 else None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model = ETSModel(
                y,
                error="add",
                trend=trend,
                damped_trend=trend is not None,
                seasonal=seasonal,
                seasonal_periods=sp if seasonal else None,
            )
            fit = model.fit(disp=False, maxiter=200)
            frame = fit.get_prediction(start=len(y), end=len(y) + horizon - 1).summary_frame(
                alpha=0.2
            )
        if any("converge" in str(w.message).lower() for w in caught):
            res.note("The forecast model did not fully converge; treat the range with care.")
        future = pd.date_range(
            pd.Timestamp(series.index[-1]), periods=horizon + 1, freq=FREQ[period]
        )[1:]
        out = pd.DataFrame(
            {
                "mean": frame["mean"].to_numpy(),
                "low": frame["pi_lower"].to_numpy(),
                "high": frame["pi_upper"].to_numpy(),
            },
            index=[ts.date() for ts in future],
        )
        kind = "trend and season" if seasonal and trend else "trend" if trend else "level"
        res.kpi(
            "Next " + period,
            float(out["mean"].iloc[0]),
            self.unit,
            f"Forecast for {_label(out.index[0], period)}, 80% range "
            f"{out['low'].iloc[0]:,.1f} to {out['high'].iloc[0]:,.1f} (exponential smoothing "
            f"with {kind}).",
        )
        res.kpi(
            f"Next {horizon} {period}s",
            float(out["mean"].sum()),
            self.unit,
            "Sum of the forecast over the whole horizon.",
        )
        return out

    def _categories(self, ctx: RunContext, res, period: str) -> None:
        rows = ctx.rows_of(
            "SELECT category, sum(value) AS v, count(*) FROM data WHERE category IS NOT NULL "
            "AND date <= $a GROUP BY category ORDER BY v DESC NULLS LAST LIMIT 10",
            {"a": self.as_of},
        )
        grand = (
            ctx.con.execute(
                "SELECT sum(value) FROM data WHERE date <= $a", {"a": self.as_of}
            ).fetchone()[0]
            or 0
        )
        res.table(
            "Top categories",
            ["Category", "Total", "Share %", "Rows"],
            [[c, v, 100.0 * (v or 0) / grand if grand else None, k] for c, v, k in rows],
        )
        top = [r[0] for r in rows[:5]]
        all_series = self._series(ctx, period, "TRUE")
        datasets = []
        for cat in top:
            s = self._series(ctx, period, "category = $c", {"c": cat})
            s = s.reindex(all_series.index, fill_value=0.0)
            datasets.append((str(cat), s.tail(120).tolist()))
        labels = [_label(d, period) for d in all_series.tail(120).index]
        res.chart(f"Top categories per {period}", "line", labels, datasets)
