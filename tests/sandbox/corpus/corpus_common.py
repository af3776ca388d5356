"""Shared pieces of the corpus generator: names, number and date layouts, expected figures.

Everything here is plain Python over the generator's own records. Expected figures are
computed from those records, never by running ``sandbox`` code.
"""

from __future__ import annotations

import datetime as dt
import random
import string
import unicodedata
from dataclasses import dataclass, field
from statistics import mean

NBSP = "\u00a0"


def _words(text: str) -> list[str]:
    return text.split()


FIRST = _words(
    "Anna Lukas Sofia Jonas Emma Noah Mia Elias Lena Finn Clara Paul Marie Felix "
    "Laura Max Julia Leon Sarah Ben Nina David Lea Tim Hannah Jan Olivia Tom Eva Luca "
    "Ida Oscar Ruth Hugo Chloe Arthur Inès Mateo Lucía Daan Sanne Pieter Femke Grace "
    "Oliver Amelia Jack Isla Henry"
)
LAST = _words(
    "Schmidt Müller Weber Fischer Wagner Becker Hoffmann Koch Richter Klein Wolf "
    "Neumann Dubois Martin Bernard Lefèvre Moreau García López Martínez Sánchez Dekker "
    "Jansen Bakker Visser Smith Jones Taylor Brown Wilson Evans Clarke Walker "
    "Wright Hughes Green"
)
COMPANY_A = _words(
    "Nordwind Bluepeak Alpenglow Brightline Cobalt Deltaforge Evergreen Falcon "
    "Granite Harbor Ironbridge Juniper Keystone Lumen Meridian Northstar Oakridge "
    "Pinecrest Quantum Redwood Silverline Tidewater Summit Vantage Westgate Zenith "
    "Amberly Crescent Driftwood Emberly"
)
COMPANY_B = _words(
    "Logistics Systems Foods Robotics Analytics Energy Textiles Pharma Media Labs "
    "Motors Partners Software Retail Holdings Dynamics Industries Solutions"
)


def rng_for(seed: int) -> random.Random:
    return random.Random(seed)


def people(rng: random.Random, n: int) -> list[str]:
    """``n`` distinct 'First Last' names."""
    seen: list[str] = []
    while len(seen) < n:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if name not in seen:
            seen.append(name)
    return seen


def companies(rng: random.Random, n: int, suffixes: tuple[str, ...]) -> list[str]:
    seen: list[str] = []
    while len(seen) < n:
        name = f"{rng.choice(COMPANY_A)} {rng.choice(COMPANY_B)} {rng.choice(suffixes)}"
        if name not in seen:
            seen.append(name)
    return seen


def email_of(name: str, domain: str) -> str:
    plain = unicodedata.normalize("NFKD", name.lower().replace("ß", "ss"))
    local = ".".join("".join(c for c in plain if not unicodedata.combining(c)).split())
    return f"{local}@{domain}"


def token(rng: random.Random, n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def rand_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def rand_time(rng: random.Random, day: dt.date, first_hour: int = 8, last_hour: int = 19):
    """A datetime on ``day`` inside office hours (so UTC and local agree on the date)."""
    return dt.datetime(
        day.year,
        day.month,
        day.day,
        rng.randint(first_hour, last_hour),
        rng.randint(0, 59),
        rng.randint(0, 59),
    )


# ------------------------------------------------------------------ number layouts


def num_us(x: float, decimals: int = 2) -> str:
    return f"{x:,.{decimals}f}"


def num_de(x: float, decimals: int = 2) -> str:
    """248561.77 -> '248.561,77'."""
    return f"{x:,.{decimals}f}".replace(",", "X").replace(".", ",").replace("X", ".")


def num_fr(x: float, decimals: int = 2, space: str = NBSP) -> str:
    """1234.5 -> '1 234,50' with a no-break space."""
    return f"{x:,.{decimals}f}".replace(",", space).replace(".", ",")


def paren(x: float) -> str:
    """Accounting layout: -350 -> '(350.00)'."""
    return f"({num_us(-x)})" if x < 0 else num_us(x)


# ------------------------------------------------------------------- month names

MONTHS_EN = _words("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec")
MONTHS_DE = _words(
    "Januar Februar März April Mai Juni Juli August September Oktober November Dezember"
)
MONTHS_FR = _words("janv. févr. mars avr. mai juin juil. août sept. oct. nov. déc.")
MONTHS_ES = _words("ene feb mar abr may jun jul ago sep oct nov dic")
MONTHS_NL = _words("jan feb mrt apr mei jun jul aug sep okt nov dec")


def d_us(d: dt.date) -> str:
    """3/7/2024 (month first, no padding: Salesforce, QuickBooks)."""
    return f"{d.month}/{d.day}/{d.year}"


# ------------------------------------------------------------------ records


@dataclass
class Deal:
    name: str
    account: str
    owner: str
    stage: str
    outcome: str  # won | lost | open
    amount: float | None
    created: dt.datetime
    closed: dt.date | None  # actual close (won/lost only)
    expected_close: dt.date
    extra: dict = field(default_factory=dict)


def make_deals(
    rng: random.Random,
    n: int,
    *,
    start: dt.date,
    end: dt.date,
    open_stages: list[str],
    owners: list[str],
    accounts: list[str],
    amount: tuple[float, float],
    cents: bool = True,
    p_won: float = 0.3,
    p_lost: float = 0.25,
    open_without_amount: float = 0.0,
) -> list[Deal]:
    deals = []
    for i in range(n):
        created_day = rand_date(rng, start, end - dt.timedelta(days=20))
        created = rand_time(rng, created_day)
        r = rng.random()
        outcome = "won" if r < p_won else "lost" if r < p_won + p_lost else "open"
        value = rng.uniform(*amount)
        value = round(value, 2) if cents else float(round(value / 50) * 50)
        closed = None
        if outcome != "open":
            closed = min(created_day + dt.timedelta(days=rng.randint(4, 140)), end)
        if outcome == "open" and rng.random() < open_without_amount:
            value = None
        expected = closed or created_day + dt.timedelta(days=rng.randint(15, 120))
        deals.append(
            Deal(
                name=f"{rng.choice(accounts).split()[0]} deal {i + 1}",
                account=rng.choice(accounts),
                owner=rng.choice(owners),
                stage=rng.choice(open_stages),
                outcome=outcome,
                amount=value,
                created=created,
                closed=closed,
                expected_close=expected,
            )
        )
    return deals


def pipeline_expect(deals: list[Deal]) -> dict:
    won = [d for d in deals if d.outcome == "won"]
    lost = [d for d in deals if d.outcome == "lost"]
    opened = [d for d in deals if d.outcome == "open"]
    won_amounts = [d.amount for d in won if d.amount is not None]
    cycles = [(d.closed - d.created.date()).days for d in won]
    # "Now" for stalled deals is the latest thing that happened in the file: a created date
    # or the close of a won/lost deal. Expected close dates of open deals are plans.
    as_of = max([d.created.date() for d in deals] + [d.closed for d in won + lost])
    stalled = [d for d in opened if (as_of - d.created.date()).days > 30]
    no_amount = [d for d in opened if d.amount is None]
    owners = sorted({d.owner for d in deals})
    by_owner = {o: {"Won amount": sum(d.amount or 0 for d in won if d.owner == o)} for o in owners}
    return {
        "kpis": {
            "Deals": len(deals),
            "Win rate": 100.0 * len(won) / (len(won) + len(lost)),
            "Average deal size": mean(won_amounts),
            "Sales cycle": mean(cycles),
            "Open pipeline": sum(d.amount for d in opened if d.amount is not None),
            "As of": as_of.isoformat(),
            "Stalled deals": len(stalled),
        },
        # a zero pipeline must say why: the open deals have no amount
        "kpi_text": {"Open pipeline": str(len(no_amount))} if len(no_amount) == len(opened) else {},
        "kpis_if_present": {"Won amount": sum(won_amounts)},
        "tables": {"By owner": {"key": "Owner", "rows": by_owner}},
    }


@dataclass
class Line:
    order: str
    customer: str | None
    when: dt.datetime
    product: str
    qty: int
    price: float
    extra: dict = field(default_factory=dict)

    @property
    def total(self) -> float:
        return round(self.qty * self.price, 2)


PRODUCTS = [
    ("Ceramic mug", 12.5),
    ("Linen tea towel", 9.9),
    ("Espresso beans 1 kg", 24.0),
    ("Cast iron pan", 59.0),
    ("Olive wood board", 34.5),
    ("Glass carafe", 19.95),
    ("Stoneware bowl", 14.0),
    ("Chef knife", 89.0),
    ("Apron", 22.0),
    ("Pour-over kettle", 45.0),
    ("Salt cellar", 7.5),
    ("Bread tin", 16.9),
]


def make_lines(
    rng: random.Random,
    n_orders: int,
    customers: list[str],
    *,
    start: dt.date,
    end: dt.date,
    first_order: int,
    max_lines: int = 4,
    order_fmt: str = "{}",
) -> list[Line]:
    lines = []
    for k in range(n_orders):
        order = order_fmt.format(first_order + k)
        customer = rng.choice(customers)
        when = rand_time(rng, rand_date(rng, start, end))
        for product, price in rng.sample(PRODUCTS, rng.randint(1, max_lines)):
            lines.append(Line(order, customer, when, product, rng.randint(1, 4), price))
    lines.sort(key=lambda x: (x.when, x.order))
    return lines


def segment_expect(lines: list[Line], *, per_row_orders: bool = False) -> dict:
    """Segment Studio figures: orders are distinct order ids (lines grouped)."""
    kept = [x for x in lines if x.customer is not None]
    orders: dict[str, set[str]] = {}
    for x in kept:
        orders.setdefault(x.customer, set()).add(x.order)
    n_orders = len({x.order for x in kept})
    revenue = round(sum(x.total for x in kept), 6)
    customers = len(orders)
    return {
        "kpis": {
            "Customers": customers,
            "Revenue": revenue,
            "Average order value": revenue / n_orders,
            "Repeat customers": 100.0 * sum(1 for s in orders.values() if len(s) > 1) / customers,
            "Analysis date": max(x.when for x in kept).date().isoformat(),
        },
        "kpis_if_present": {"Orders per customer": n_orders / customers, "Orders": n_orders},
    }


PERIOD_LABEL = {
    "month": lambda d: f"{d.year}-{d.month:02d}",
    "quarter": lambda d: f"{d.year}-Q{(d.month - 1) // 3 + 1}",
    "week": lambda d: d.isoformat(),
    "day": lambda d: d.isoformat(),
}


def bucket(d: dt.date, period: str) -> dt.date:
    if period == "month":
        return d.replace(day=1)
    if period == "quarter":
        return dt.date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)
    if period == "week":
        return d - dt.timedelta(days=d.weekday())
    return d


def next_bucket(d: dt.date, period: str) -> dt.date:
    if period in ("month", "quarter"):
        step = 1 if period == "month" else 3
        m = d.month - 1 + step
        return dt.date(d.year + m // 12, m % 12 + 1, 1)
    return d + dt.timedelta(days=7 if period == "week" else 1)


def demand_expect(points: list[tuple[dt.date, float]], period: str | None = None) -> dict:
    """Demand Radar figures from (date, value) points: totals per bucket, zero-filled."""
    first = min(d for d, _ in points)
    last = max(d for d, _ in points)
    if period is None:
        span = (last - first).days
        period = "month" if span > 730 else "week" if span > 120 else "day"
    b, end = bucket(first, period), bucket(last, period)
    n = 1
    while b < end:
        b = next_bucket(b, period)
        n += 1
    total = sum(v for _, v in points)
    label = PERIOD_LABEL[period]
    return {
        "period": period,
        "kpis": {"Total": total, f"Average per {period}": total / n},
        "kpi_text": {f"Next {period}": label(next_bucket(end, period))},
        "table_last": {f"Totals per {period}": label(end)},
    }
