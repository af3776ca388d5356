"""Small, realistic, deterministic sample data for each recipe ("no data at hand? try ours")."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta

from .errors import NotFound

_FIRST = ["Ada", "Ben", "Chloe", "Dev", "Elif", "Femi", "Gia", "Hugo", "Ines", "Jon", "Kai", "Lena"]
_LAST = ["Stone", "Okafor", "Berg", "Rossi", "Nguyen", "Silva", "Keller", "Novak", "Moreau"]
_STAGES = ["Lead", "Qualified", "Demo", "Proposal", "Negotiation"]
_OWNERS = ["Maya Chen", "Tom Weber", "Sara Lind", "Omar Haddad", "Ivy Brooks"]
_PRODUCTS = ["Starter", "Team", "Business", "Enterprise"]


def sample_csv(recipe_name: str, rows: int | None = None, seed: int = 7) -> bytes:
    """CSV bytes (UTF-8, with header) suited to ``recipe_name``; same seed, same bytes."""
    makers = {
        "pipeline_lens": (_deals, 600),
        "data_doctor": (_contacts, 400),
        "demand_radar": (_orders_daily, 1100),
        "segment_studio": (_orders, 2500),
    }
    if recipe_name not in makers:
        raise NotFound(f"There is no sample for '{recipe_name}'.")
    make, default_rows = makers[recipe_name]
    header, body = make(random.Random(seed), rows or default_rows)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(body)
    return buf.getvalue().encode("utf-8")


def _deals(rng: random.Random, n: int):
    start = date(2023, 1, 2)
    rows = []
    for i in range(n):
        created = start + timedelta(days=rng.randrange(540))
        reached = min(int(rng.expovariate(0.55)), 5)
        amount = round(rng.lognormvariate(9.3, 0.7), 2)
        recent = created > start + timedelta(days=450)
        if reached == 5 or not recent:
            won = reached == 5 or rng.random() < 0.25
            status = "won" if won else "lost"
            stage = "Closed Won" if won else "Closed Lost"
            closed = created + timedelta(days=int(rng.gammavariate(3, 15)))
        else:
            status, stage, closed = "open", _STAGES[min(reached, 4)], None
        rows.append([f"D-{1000 + i}", f"{rng.choice(_FIRST)} {rng.choice(_LAST)} deal", stage,
                     amount, created.isoformat(), closed.isoformat() if closed else "",
                     rng.choice(_OWNERS), status])  # fmt: skip
    return [
        "deal_id",
        "deal_name",
        "stage",
        "amount",
        "created_date",
        "close_date",
        "owner",
        "status",
    ], rows


def _contacts(rng: random.Random, n: int):
    rows = []
    for i in range(n):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        email = f"{first}.{last}{i}@example.com".lower()
        if rng.random() < 0.05:
            email = email.replace("@", " at ")
        signup = date(2022, 1, 1) + timedelta(days=rng.randrange(900))
        signup_text = signup.isoformat() if rng.random() > 0.03 else "soon"
        plan = rng.choice(_PRODUCTS) if rng.random() > 0.1 else ""
        seats = rng.randint(1, 200) if rng.random() > 0.08 else ""
        rows.append([f"C{i:05d}", first, last, email, signup_text, plan, seats, "EU"])
        if rng.random() < 0.02:
            rows.append(rows[-1])
    return [
        "customer_id",
        "first_name",
        "last_name",
        "email",
        "signup_date",
        "plan",
        "seats",
        "region",
    ], rows


def _orders_daily(rng: random.Random, n: int):
    start = date(2022, 1, 1)
    rows = []
    for d in range(n):
        day = start + timedelta(days=d)
        season = 1 + 0.3 * (day.month in (11, 12)) - 0.15 * (day.month in (7, 8))
        weekday = 0.6 if day.weekday() >= 5 else 1.0
        for product in _PRODUCTS[:3]:
            units = max(0, round(rng.gauss(20 + d * 0.02, 4) * season * weekday))
            rows.append([day.isoformat(), product, units])
    return ["order_date", "product", "units"], rows


def _orders(rng: random.Random, n: int):
    customers = [f"CUST-{i:04d}" for i in range(400)]
    weights = [rng.paretovariate(1.3) for _ in customers]
    start = date(2023, 1, 1)
    rows = []
    for i in range(n):
        cust = rng.choices(customers, weights)[0]
        day = start + timedelta(days=rng.randrange(600))
        rows.append([f"ORD-{i:06d}", cust, day.isoformat(), round(rng.lognormvariate(4, 0.6), 2)])
    return ["order_id", "customer_id", "order_date", "amount"], rows
