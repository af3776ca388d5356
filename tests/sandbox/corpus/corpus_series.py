"""Dated series for Demand Radar (month-year labels in four languages, quarters, US dates,
Excel serial days, an accounting export with parentheses negatives) and messy tables for
Data Doctor."""

from __future__ import annotations

import datetime as dt
import math

from corpus_common import (
    MONTHS_DE,
    MONTHS_EN,
    MONTHS_ES,
    MONTHS_FR,
    companies,
    demand_expect,
    email_of,
    num_de,
    num_fr,
    paren,
    people,
    rng_for,
)
from corpus_io import csv_text, write_csv


def _months(first: dt.date, n: int) -> list[dt.date]:
    return [
        dt.date(first.year + (first.month - 1 + k) // 12, (first.month - 1 + k) % 12 + 1, 1)
        for k in range(n)
    ]


def _seasonal(rng, k: int, base: float, growth: float, amp: float, noise: float) -> float:
    return base * (1 + growth) ** k * (
        1 + amp * math.sin(2 * math.pi * (k % 12) / 12)
    ) + rng.uniform(-noise, noise)


def passengers(out):
    rng = rng_for(301)
    months = _months(dt.date(1949, 1, 1), 144)
    points = [
        (m, float(round(_seasonal(rng, k, 120, 0.01, 0.18, 6)))) for k, m in enumerate(months)
    ]
    rows = [[f"{MONTHS_EN[m.month - 1]} {m.year}", int(v)] for m, v in points]
    write_csv(out / "passengers_monthly.csv", ["Month", "Passengers"], rows, line_end="\n")
    return [
        dict(
            file="passengers_monthly.csv",
            recipe="demand_radar",
            rows=len(rows),
            shape="Classic monthly series with 'Jan 1949' month labels",
            interpretations={
                "Month": {"type": "date", "format": "%b %Y"},
                "Passengers": {"type": "integer"},
            },
            mapping={"date": ["Month"], "value": ["Passengers"]},
            **demand_expect(points),
        )
    ]


def quarters(out):
    rng = rng_for(302)
    qs = [dt.date(2015 + k // 4, 3 * (k % 4) + 1, 1) for k in range(32)]
    rows, points = [], []
    for region, base in (("North", 410_000), ("South", 260_000), ("West", 180_000)):
        for k, q in enumerate(qs):
            v = round(
                base * 1.015**k * (1 + 0.12 * math.cos(math.pi * k / 2))
                + rng.uniform(-9_000, 9_000),
                2,
            )
            points.append((q, v))
            rows.append([f"{q.year}-Q{(q.month - 1) // 3 + 1}", region, f"{v:.2f}"])
    write_csv(out / "revenue_by_quarter.csv", ["Quarter", "Region", "Revenue"], rows)
    return [
        dict(
            file="revenue_by_quarter.csv",
            recipe="demand_radar",
            rows=len(rows),
            shape="Quarterly revenue per region with '2017-Q3' labels (totals must be per "
            "quarter, not monthly buckets with empty months between)",
            interpretations={
                "Quarter": {"type": "date", "format": "%Y-Q%q"},
                "Revenue": {"type": "decimal"},
            },
            mapping={"date": ["Quarter"], "value": ["Revenue"], "category": ["Region"]},
            **demand_expect(points, "quarter"),
        )
    ]


def german_months(out):
    rng = rng_for(303)
    points = [
        (m, round(_seasonal(rng, k, 84_000, 0.006, 0.25, 3_000), 2))
        for k, m in enumerate(_months(dt.date(2019, 1, 1), 60))
    ]
    rows = [[f"{MONTHS_DE[m.month - 1]} {m.year}", num_de(v)] for m, v in points]
    write_csv(out / "umsatz_monatlich_de.csv", ["Monat", "Umsatz (EUR)"], rows, delimiter=";")
    return [
        dict(
            file="umsatz_monatlich_de.csv",
            recipe="demand_radar",
            rows=len(rows),
            shape="German monthly revenue: 'März 2019' month names, 'Umsatz (EUR)' as '84.123,45'",
            interpretations={
                "Monat": {"type": "date", "format": "%B %Y"},
                "Umsatz (EUR)": {
                    "type": "decimal",
                    "decimal": ",",
                    "thousands": ".",
                    "currency": "EUR",
                },
            },
            mapping={"date": ["Monat"], "value": ["Umsatz (EUR)"]},
            **demand_expect(points),
        )
    ]


def french_months(out):
    rng = rng_for(304)
    points = [
        (m, float(round(_seasonal(rng, k, 5_400, 0.01, 0.3, 250))))
        for k, m in enumerate(_months(dt.date(2020, 1, 1), 36))
    ]
    rows = [[f"{MONTHS_FR[m.month - 1]} {m.year}", num_fr(v, 0)] for m, v in points]
    write_csv(out / "ventes_mensuelles_fr.csv", ["Mois", "Ventes (unités)"], rows, delimiter=";")
    return [
        dict(
            file="ventes_mensuelles_fr.csv",
            recipe="demand_radar",
            rows=len(rows),
            shape="French monthly units: 'janv. 2020', 'févr. 2020' labels, '5 432' with no-break "
            "space thousands",
            interpretations={
                "Mois": {"type": "date", "format": "%b %Y"},
                "Ventes (unités)": {"type": "integer", "thousands": " "},
            },
            mapping={"date": ["Mois"], "value": ["Ventes (unités)"]},
            **demand_expect(points),
        )
    ]


def spanish_months(out):
    rng = rng_for(305)
    points = [
        (m, float(round(_seasonal(rng, k, 9_000, 0.012, 0.35, 400))))
        for k, m in enumerate(_months(dt.date(2021, 1, 1), 48))
    ]
    rows = [[f"{MONTHS_ES[m.month - 1]} {m.year}", num_de(v, 0)] for m, v in points]
    write_csv(out / "ventas_mensuales_es.csv", ["Mes", "Unidades vendidas"], rows, delimiter=";")
    return [
        dict(
            file="ventas_mensuales_es.csv",
            recipe="demand_radar",
            rows=len(rows),
            shape="Spanish monthly units: 'ene 2021' labels, '12.345' with '.' as thousands "
            "separator (not a decimal point)",
            interpretations={
                "Mes": {"type": "date", "format": "%b %Y"},
                "Unidades vendidas": {"type": "integer", "thousands": "."},
            },
            mapping={"date": ["Mes"], "value": ["Unidades vendidas"]},
            **demand_expect(points),
        )
    ]


def us_daily(out):
    rng = rng_for(306)
    first = dt.date(2024, 1, 8)
    rows, points = [], []
    for k in range(200):
        day = first + dt.timedelta(days=k)
        for channel, base in (("Email", 40), ("Chat", 25)):
            v = max(0, round(base * (0.6 if day.weekday() >= 5 else 1) + rng.uniform(-8, 8)))
            points.append((day, float(v)))
            rows.append([day.strftime("%m/%d/%Y"), channel, v])
    write_csv(out / "support_tickets_daily.csv", ["Date", "Channel", "Tickets"], rows)
    return [
        dict(
            file="support_tickets_daily.csv",
            recipe="demand_radar",
            rows=len(rows),
            shape="Help-desk export: US month-first dates '03/14/2024', two channels per day",
            interpretations={"Date": {"type": "date", "format": "%m/%d/%Y"}},
            mapping={"date": ["Date"], "value": ["Tickets"], "category": ["Channel"]},
            **demand_expect(points),
        )
    ]


def excel_serial(out):
    rng = rng_for(307)
    first, epoch = dt.date(2023, 1, 2), dt.date(1899, 12, 30)
    points = [(first + dt.timedelta(days=k), float(rng.randint(20, 140))) for k in range(400)]
    rows = [[(d - epoch).days, int(v)] for d, v in points]
    write_csv(out / "units_excel_serial.csv", ["Date", "Units"], rows)
    return [
        dict(
            file="units_excel_serial.csv",
            recipe="demand_radar",
            rows=len(rows),
            shape="CSV saved from a sheet whose date cells lost their format: Excel serial days "
            "(45000...) under a 'Date' header",
            interpretations={"Date": {"type": "date", "format": "excel"}},
            mapping={"date": ["Date"], "value": ["Units"]},
            **demand_expect(points),
        )
    ]


def quickbooks(out):
    rng = rng_for(308)
    custs = companies(rng, 25, ("LLC", "Inc."))
    rows, points = [], []
    day = dt.date(2023, 1, 3)
    num = 1001
    while day <= dt.date(2023, 12, 28) and len(rows) < 300:
        kind = rng.choices(["Invoice", "Sales Receipt", "Credit Memo"], [7, 2, 1])[0]
        v = round(rng.uniform(80, 4_800), 2) * (-0.25 if kind == "Credit Memo" else 1)
        v = round(v, 2)
        points.append((day, v))
        rows.append(
            [
                "",
                day.strftime("%m/%d/%Y"),
                kind,
                str(num),
                rng.choice(custs),
                rng.choice(["Wholesale bread", "Catering", "Pastry order", ""]),
                paren(v),
            ]
        )
        num += 1
        day += dt.timedelta(days=rng.choice([0, 1, 1, 2]))
    before = "Sunrise Bakery LLC\r\nTransaction List by Date\r\nJanuary - December 2023\r\n\r\n"
    after = "\r\n" + csv_text(
        [["TOTAL", "", "", "", "", "", paren(round(sum(v for _, v in points), 2))]]
    )
    header = ["", "Date", "Transaction Type", "Num", "Name", "Memo/Description", "Amount"]
    write_csv(out / "quickbooks_transactions.csv", header, rows, before=before, after=after)
    return [
        dict(
            file="quickbooks_transactions.csv",
            recipe="demand_radar",
            rows=len(rows),
            shape="QuickBooks 'Transaction List by Date' CSV: 3 title lines, a leading empty "
            "column, '1,234.56' and parentheses negatives '(350.00)', a TOTAL footer",
            interpretations={
                "Amount": {"type": "decimal", "decimal": ".", "thousands": ","},
                "Date": {"type": "date", "format": "%m/%d/%Y"},
            },
            mapping={"date": ["Date"], "value": ["Amount"]},
            **demand_expect(points),
        )
    ]


def contacts_messy(out):
    rng = rng_for(401)
    countries = (
        ["Germany"] * 80
        + ["France"] * 50
        + ["Netherlands"] * 40
        + ["Spain"] * 30
        + ["Austria"] * 20
    )
    rng.shuffle(countries)
    header = [
        "Contact ID",
        "First Name",
        "Last Name",
        "Email",
        "Country",
        "Signup Date",
        "Last Order Date",
        "Lifetime Value",
    ]
    rows, clean = [], []
    bad_emails = [
        "anna.schmidt@",
        "j.smith(at)mail.com",
        "no email",
        "bob@@example.com",
        "maria@domain",
    ]
    plan = list(range(220))
    rng.shuffle(plan)
    bad_at, typo_at, future_at = set(plan[:5]), set(plan[5:7]), set(plan[7:10])
    mixed_at, blank_last, no_order, na_value = (
        set(plan[10:22]),
        set(plan[22:27]),
        set(plan[27:37]),
        set(plan[37:45]),
    )
    for i in range(220):
        first, last = people(rng, 1)[0].split(" ", 1)
        signup = dt.date(2022, 1, 1) + dt.timedelta(days=rng.randint(0, 600))
        last_order = signup + dt.timedelta(days=rng.randint(1, 300))
        if i in future_at:
            last_order = dt.date(2031 + i % 2, rng.randint(1, 12), rng.randint(13, 28))
        if i in mixed_at:
            signup = signup.replace(day=max(signup.day, 13))
        rows.append(
            [
                f"C-{1001 + i}",
                first,
                "" if i in blank_last else last,
                bad_emails.pop() if i in bad_at else email_of(f"{first} {last}", "mail.eu"),
                "Germnay" if i in typo_at else countries[i],
                signup.strftime("%d/%m/%Y") if i in mixed_at else signup.isoformat(),
                "" if i in no_order else last_order.isoformat(),
                "n/a" if i in na_value else f"{rng.uniform(20, 6_000):,.2f}",
            ]
        )
        if i not in bad_at | typo_at | future_at | mixed_at | blank_last | no_order | na_value:
            clean.append(i)
    for copy in [list(rows[src]) for src in rng.sample(clean, 6)]:
        rows.insert(rng.randint(0, len(rows)), copy)
    write_csv(out / "contacts_messy.csv", header, rows)
    empty = len(blank_last) + len(no_order) + len(na_value)
    return [
        dict(
            file="contacts_messy.csv",
            recipe="data_doctor",
            rows=len(rows),
            shape="Contact list with planted problems: 6 duplicate rows, 5 bad e-mails, "
            "'Germnay' typo, 3 order dates in 2031/2032, 12 dd/mm/yyyy dates among ISO ones, "
            "'n/a' values",
            interpretations={
                "Last Order Date": {"type": "date", "format": "%Y-%m-%d"},
                "Lifetime Value": {"type": "decimal", "thousands": ",", "nulls": ["n/a"]},
            },
            kpis={
                "Rows": len(rows),
                "Columns": len(header),
                "Duplicate rows": 6,
                "Empty cells": 100.0 * empty / (len(rows) * len(header)),
            },
            findings=[
                ["Email", "5"],
                ["Germnay"],
                ["Last Order Date", "future"],
                ["Signup Date", "format"],
            ],
        )
    ]


def leads_ragged(out):
    rng = rng_for(402)
    names = people(rng, 150)
    firms = companies(rng, 30, ("Ltd", "GmbH"))
    ragged = sorted(rng.sample(range(150), 4))
    lines = ["Lead ID,Full Name,Company,Email,Created"]
    for i, n in enumerate(names):
        firm = "Smith, Jones & Co" if i in ragged else rng.choice(firms)
        created = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 170))
        lines.append(f"L-{5000 + i},{n},{firm},{email_of(n, 'leads.io')},{created.isoformat()}")
    (out / "leads_ragged.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    numbers = [str(i + 2) for i in ragged]  # line 1 is the header
    return [
        dict(
            file="leads_ragged.csv",
            recipe="data_doctor",
            shape="Lead list where 4 company names hold an unquoted comma (6 values instead of 5)",
            kpis={"Columns": 5},
            findings=[numbers],
        )
    ]


def sap_billing(out):
    """SAP billing documents: German number layout with SAP's trailing minus for credits."""
    rng = rng_for(309)
    custs = companies(rng, 20, ("GmbH", "AG"))
    rows, points = [], []
    for k in range(320):
        day = dt.date(2022, 1, 3) + dt.timedelta(days=int(k * 2.6))
        credit = rng.random() < 0.08
        v = round(rng.uniform(150, 48_000) * (-0.3 if credit else 1), 2)
        points.append((day, v))
        text = num_de(abs(v)) + ("-" if v < 0 else "")
        rows.append(
            [
                str(90_001_000 + k),
                "G2" if credit else "F2",
                day.strftime("%d.%m.%Y"),
                str(100_000 + custs.index(rng.choice(custs))),
                text,
                "EUR",
            ]
        )
    header = ["Fakturabeleg", "Fakturaart", "Fakturadatum", "Auftraggeber", "Nettowert", "Währung"]
    write_csv(out / "sap_billing_documents.csv", header, rows, delimiter=";", encoding="cp1252")
    return [
        dict(
            file="sap_billing_documents.csv",
            recipe="demand_radar",
            rows=len(rows),
            shape="SAP billing documents (VF05-style, cp1252, ';'): '12.345,67' and credit memos "
            "with SAP's trailing minus '1.234,56-', dd.mm.yyyy",
            interpretations={
                "Nettowert": {"type": "decimal", "decimal": ",", "thousands": "."},
                "Fakturadatum": {"type": "date", "format": "%d.%m.%Y"},
            },
            mapping={"date": ["Fakturadatum"], "value": ["Nettowert"]},
            **demand_expect(points),
        )
    ]


def deals_checkup(out):
    """Data Doctor on a deal list with planted problems the typed reading would hide."""
    rng = rng_for(403)
    reps = people(rng, 5)
    stages = ["Qualification", "Proposal", "Negotiation", "Closed Won", "Closed Lost"]
    header = ["Deal ID", "Owner", "Stage", "Amount", "Close Date", "Fiscal Quarter", "Fiscal Year"]
    rows = []
    plan = list(range(180))
    rng.shuffle(plan)
    wrong_q, texty, typo = set(plan[:3]), set(plan[3:7]), set(plan[7:9])
    words = iter(["TBD", "approx 500", "call back", "ask finance"])
    for i in range(180):
        close = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randint(0, 700))
        q = (close.month - 1) // 3 + 1
        if i in wrong_q:
            q = q % 4 + 1  # a quarter that does not match the close date
        stage = "Negotation" if i in typo else rng.choice(stages)
        amount = next(words) if i in texty else f"{rng.uniform(500, 90_000):.2f}"
        rows.append(
            [
                f"D-{7000 + i}",
                rng.choice(reps),
                stage,
                amount,
                close.isoformat(),
                f"Q{q} {close.year}",
                close.year,
            ]
        )
    write_csv(out / "deals_checkup.csv", header, rows)
    return [
        dict(
            file="deals_checkup.csv",
            recipe="data_doctor",
            rows=len(rows),
            shape="Deal list with 3 close dates outside their 'Q1 2024' fiscal quarter, 4 amounts "
            "written as words ('TBD'), a 'Negotation' typo of 'Negotiation', a Fiscal Year column",
            interpretations={
                "Close Date": {"type": "date", "format": "%Y-%m-%d"},
                "Fiscal Year": {"type": "integer"},
            },
            kpis={"Rows": len(rows), "Columns": len(header), "Duplicate rows": 0},
            findings=[["Close Date", "Fiscal Quarter", "3"], ["Amount", "TBD"], ["Negotation"]],
            no_findings=["2,02"],  # years are shown without thousands separators
        )
    ]


CASES = [
    passengers,
    quarters,
    german_months,
    french_months,
    spanish_months,
    us_daily,
    excel_serial,
    quickbooks,
    sap_billing,
    deals_checkup,
    contacts_messy,
    leads_ragged,
]
