"""CRM opportunity / deal exports for Pipeline Lens (Salesforce, HubSpot, Pipedrive, Zoho,
Dynamics 365, SAP CRM, German / French / Spanish / Dutch CRMs, a UTF-16 text export and the
motivating two-digit-year file)."""

from __future__ import annotations

import datetime as dt

from corpus_common import (
    MONTHS_ES,
    MONTHS_NL,
    companies,
    d_us,
    make_deals,
    num_de,
    num_fr,
    num_us,
    people,
    pipeline_expect,
    rng_for,
    token,
)
from corpus_io import write_csv, write_xlsx

Y24 = dict(start=dt.date(2023, 7, 1), end=dt.date(2024, 6, 28))
SF_STAGES = [
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Id. Decision Makers",
    "Proposal/Price Quote",
    "Negotiation/Review",
]


def _prob(d, base: int = 10) -> int:
    return {"won": 100, "lost": 0}.get(d.outcome, base)


def salesforce_csv(out):
    rng = rng_for(101)
    reps, accts = people(rng, 6), companies(rng, 40, ("Inc.", "LLC", "Corp."))
    deals = make_deals(
        rng,
        140,
        **Y24,
        open_stages=SF_STAGES,
        owners=reps,
        accounts=accts,
        amount=(2_000, 180_000),
        open_without_amount=0.1,
    )
    header = [
        "Opportunity Owner",
        "Account Name",
        "Opportunity Name",
        "Stage",
        "Fiscal Period",
        "Amount",
        "Amount Currency",
        "Probability (%)",
        "Age",
        "Close Date",
        "Created Date",
        "Lead Source",
        "Type",
    ]
    rows = []
    for d in deals:
        stage = {"won": "Closed Won", "lost": "Closed Lost"}.get(d.outcome, d.stage)
        close = d.expected_close
        age = ((d.closed or dt.date(2024, 6, 28)) - d.created.date()).days
        rows.append(
            [
                d.owner,
                d.account,
                d.name,
                stage,
                f"Q{(close.month - 1) // 3 + 1}-{close.year}",
                "" if d.amount is None else f"{d.amount:.2f}",
                "USD",
                _prob(d, 10 + 10 * SF_STAGES.index(d.stage) if d.stage in SF_STAGES else 10),
                age,
                d_us(close),
                d_us(d.created.date()),
                rng.choice(["Web", "Partner Referral", "Trade Show", "Phone Inquiry"]),
                rng.choice(["New Customer", "Existing Customer - Upgrade"]),
            ]
        )
    write_csv(out / "salesforce_opportunities.csv", header, rows)
    return [
        dict(
            file="salesforce_opportunities.csv",
            recipe="pipeline_lens",
            rows=len(rows),
            shape="Salesforce report export (CSV, US dates M/D/YYYY, Close Date is expected close "
            "for open deals, Account vs Owner, Age as a second number)",
            interpretations={
                "Close Date": {"type": "date", "format": "%m/%d/%Y"},
                "Created Date": {"type": "date", "format": "%m/%d/%Y"},
                "Amount": {"type": "decimal", "decimal": "."},
            },
            mapping={
                "stage": ["Stage"],
                "amount": ["Amount"],
                "created": ["Created Date"],
                "closed": ["Close Date"],
                "owner": ["Opportunity Owner"],
            },
            **pipeline_expect(deals),
        )
    ]


def salesforce_xlsx(out):
    rng = rng_for(102)
    reps, accts = people(rng, 5), companies(rng, 30, ("Inc.", "Ltd"))
    deals = make_deals(
        rng, 90, **Y24, open_stages=SF_STAGES, owners=reps, accounts=accts, amount=(5_000, 120_000)
    )
    header = [
        "Opportunity Owner",
        "Account Name",
        "Opportunity Name",
        "Stage",
        "Amount",
        "Close Date",
        "Created Date",
        "Type",
    ]
    body = []
    for d in deals:
        stage = {"won": "Closed Won", "lost": "Closed Lost"}.get(d.outcome, d.stage)
        body.append(
            [
                d.owner,
                d.account,
                d.name,
                stage,
                d.amount,
                d.expected_close,
                d.created.date(),
                rng.choice(["New Business", "Renewal"]),
            ]
        )
    total = round(sum(d.amount for d in deals if d.amount is not None), 2)
    sheet = {
        "title": "Opportunity Pipeline",
        "top": [
            ["Opportunity Pipeline"],
            ["Brightwave Analytics Inc."],
            ["As of 6/28/2024 — Filtered By: Close Date equals Current and Next FY"],
            [],
        ],
        "header": header,
        "body": body,
        "bottom": [[], [f"Grand Totals ({len(body)} records)", None, None, None, total]],
        "formats": {5: '"$"#,##0.00', 6: "m/d/yyyy", 7: "m/d/yyyy"},
    }
    write_xlsx(out / "salesforce_pipeline_report.xlsx", [sheet])
    return [
        dict(
            file="salesforce_pipeline_report.xlsx",
            recipe="pipeline_lens",
            rows=len(body),
            sheet="Opportunity Pipeline",
            shape="Salesforce formatted report in Excel: 3 title lines + blank above the header, "
            "'Grand Totals (90 records)' footer with the amount sum",
            interpretations={
                "Close Date": {"type": "date"},
                "Created Date": {"type": "date"},
                "Amount": {"type": "decimal"},
            },
            mapping={
                "stage": ["Stage"],
                "amount": ["Amount"],
                "created": ["Created Date"],
                "closed": ["Close Date"],
                "owner": ["Opportunity Owner"],
            },
            **pipeline_expect(deals),
        )
    ]


def hubspot_csv(out):
    rng = rng_for(103)
    reps, accts = people(rng, 7), companies(rng, 50, ("GmbH", "Ltd", "Inc", "BV"))
    stages = [
        "Appointment Scheduled",
        "Qualified To Buy",
        "Presentation Scheduled",
        "Decision Maker Bought-In",
        "Contract Sent",
    ]
    deals = make_deals(
        rng,
        160,
        **Y24,
        open_stages=stages,
        owners=reps,
        accounts=accts,
        amount=(500, 60_000),
        cents=False,
        open_without_amount=0.15,
    )
    header = [
        "Record ID",
        "Deal Name",
        "Deal Stage",
        "Pipeline",
        "Amount",
        "Close Date",
        "Create Date",
        "Deal owner",
        "Associated Company",
        "Deal Type",
        "Forecast category",
        "Last Activity Date",
    ]
    rows = []
    for i, d in enumerate(deals):
        stage = {"won": "Closed Won", "lost": "Closed Lost"}.get(d.outcome, d.stage)
        close = dt.datetime.combine(d.expected_close, dt.time(0, 0))
        last = d.created + dt.timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 5))
        forecast = {"won": "Closed won", "lost": "Omitted"}.get(d.outcome, "Pipeline")
        rows.append(
            [
                9_812_300_100 + 37 * i,
                d.name,
                stage,
                "Sales Pipeline",
                "" if d.amount is None else f"{d.amount:.0f}",
                close.strftime("%Y-%m-%d %H:%M"),
                d.created.strftime("%Y-%m-%d %H:%M"),
                d.owner,
                d.account,
                rng.choice(["New Business", "Existing Business"]),
                forecast,
                last.strftime("%Y-%m-%d %H:%M"),
            ]
        )
    write_csv(out / "hubspot_deals.csv", header, rows, line_end="\n")
    return [
        dict(
            file="hubspot_deals.csv",
            recipe="pipeline_lens",
            rows=len(rows),
            shape="HubSpot deals export (Record ID, Deal owner vs Associated Company, datetimes "
            "'YYYY-MM-DD HH:MM', whole-number amounts, some open deals without amount)",
            interpretations={
                "Create Date": {"type": "datetime"},
                "Close Date": {"type": ["date", "datetime"]},  # always 00:00
                "Amount": {"type": "integer"},
            },
            mapping={
                "stage": ["Deal Stage"],
                "amount": ["Amount"],
                "created": ["Create Date"],
                "closed": ["Close Date"],
                "owner": ["Deal owner"],
            },
            **pipeline_expect(deals),
        )
    ]


def pipedrive_csv(out):
    rng = rng_for(104)
    reps, accts = people(rng, 5), companies(rng, 45, ("OÜ", "GmbH", "AB", "Ltd"))
    creators, contacts = people(rng, 2), people(rng, 60)
    stages = ["Lead In", "Contact Made", "Demo Scheduled", "Proposal Made", "Negotiations Started"]
    deals = make_deals(
        rng,
        150,
        **Y24,
        open_stages=stages,
        owners=reps,
        accounts=accts,
        amount=(800, 40_000),
        cents=False,
    )
    header = [
        "Deal - Title",
        "Deal - Creator",
        "Deal - Owner",
        "Deal - Value",
        "Deal - Currency",
        "Deal - Weighted value",
        "Deal - Probability",
        "Deal - Organization",
        "Deal - Pipeline",
        "Deal - Contact person",
        "Deal - Stage",
        "Deal - Status",
        "Deal - Deal created",
        "Deal - Expected close date",
        "Deal - Won time",
        "Deal - Lost time",
        "Deal - Deal closed on",
        "Deal - Lost reason",
    ]
    rows = []
    fmt = "%Y-%m-%d %H:%M:%S"
    for d in deals:
        stage = stages[-1] if d.outcome == "won" else d.stage
        prob = 100 if d.outcome == "won" else 20 * (stages.index(stage) + 1) % 100 or 10
        closed = (
            ""
            if d.closed is None
            else dt.datetime.combine(
                d.closed, dt.time(rng.randint(8, 18), rng.randint(0, 59), rng.randint(0, 59))
            ).strftime(fmt)
        )
        rows.append(
            [
                d.name,
                rng.choice(creators),
                d.owner,
                f"{d.amount:.0f}",
                "EUR",
                f"{d.amount * prob / 100:.0f}",
                prob,
                d.account,
                "Sales",
                rng.choice(contacts),
                stage,
                d.outcome,
                d.created.strftime(fmt),
                d.expected_close.isoformat(),
                closed if d.outcome == "won" else "",
                closed if d.outcome == "lost" else "",
                closed,
                rng.choice(["Price", "Timing", "Competitor"]) if d.outcome == "lost" else "",
            ]
        )
    write_csv(out / "pipedrive_deals.csv", header, rows, line_end="\n")
    return [
        dict(
            file="pipedrive_deals.csv",
            recipe="pipeline_lens",
            rows=len(rows),
            shape="Pipedrive deals export ('Deal - ' prefixes, Creator / Owner / Contact person "
            "all people, status open/won/lost apart from the stage, Weighted value)",
            interpretations={
                "Deal - Deal created": {"type": "datetime"},
                "Deal - Deal closed on": {"type": "datetime"},
                "Deal - Value": {"type": "integer"},
            },
            mapping={
                "stage": ["Deal - Stage"],
                "amount": ["Deal - Value"],
                "created": ["Deal - Deal created"],
                "closed": ["Deal - Deal closed on", "Deal - Won time"],
                "owner": ["Deal - Owner"],
                "outcome": ["Deal - Status"],
            },
            **pipeline_expect(deals),
        )
    ]


def zoho_csv(out):
    rng = rng_for(105)
    reps, accts = people(rng, 6), companies(rng, 40, ("Ltd", "plc", "LLP"))
    contacts = people(rng, 50)
    stages = [
        "Qualification",
        "Needs Analysis",
        "Value Proposition",
        "Id. Decision Makers",
        "Proposal/Price Quote",
        "Negotiation/Review",
    ]
    deals = make_deals(
        rng, 130, **Y24, open_stages=stages, owners=reps, accounts=accts, amount=(1_500, 90_000)
    )
    header = [
        "Record Id",
        "Deal Owner",
        "Deal Name",
        "Account Name",
        "Contact Name",
        "Amount",
        "Expected Revenue",
        "Stage",
        "Probability (%)",
        "Closing Date",
        "Created Time",
        "Modified Time",
        "Lead Source",
        "Type",
        "Currency",
    ]
    rows = []
    for i, d in enumerate(deals):
        lost = rng.choice(["Closed Lost", "Closed Lost to Competition"])
        stage = {"won": "Closed Won", "lost": lost}.get(d.outcome, d.stage)
        prob = {"won": 100, "lost": 0}.get(d.outcome, 10 * (stages.index(d.stage) + 1))
        modified = d.created + dt.timedelta(days=rng.randint(1, 30))
        rows.append(
            [
                f"zcrm_57257670000{1_203_400 + 13 * i:08d}",
                d.owner,
                d.name,
                d.account,
                rng.choice(contacts),
                f"{d.amount:.2f}",
                f"{d.amount * prob / 100:.2f}",
                stage,
                prob,
                d.expected_close.strftime("%d/%m/%Y"),
                d.created.strftime("%d/%m/%Y %H:%M"),
                modified.strftime("%d/%m/%Y %H:%M"),
                rng.choice(["Advertisement", "Cold Call", "Web Download", "Seminar"]),
                rng.choice(["New Business", "Existing Business"]),
                "GBP",
            ]
        )
    write_csv(out / "zoho_deals.csv", header, rows)
    return [
        dict(
            file="zoho_deals.csv",
            recipe="pipeline_lens",
            rows=len(rows),
            shape="Zoho CRM deals export (UK user: day-first 'dd/MM/yyyy' and 'dd/MM/yyyy HH:mm', "
            "Deal Owner vs Contact Name, Expected Revenue as a second amount)",
            interpretations={
                "Closing Date": {"type": "date", "format": "%d/%m/%Y"},
                "Created Time": {"type": "datetime", "format": "%d/%m/%Y %H:%M"},
                "Amount": {"type": "decimal", "decimal": "."},
            },
            mapping={
                "stage": ["Stage"],
                "amount": ["Amount"],
                "created": ["Created Time"],
                "closed": ["Closing Date"],
                "owner": ["Deal Owner"],
            },
            **pipeline_expect(deals),
        )
    ]


def dynamics_xlsx(out):
    rng = rng_for(106)
    reps, accts = people(rng, 6), companies(rng, 35, ("Ltd", "Inc.", "GmbH"))
    contacts = people(rng, 40)
    phases = ["1-Qualify", "2-Develop", "3-Propose"]
    deals = make_deals(
        rng, 110, **Y24, open_stages=phases, owners=reps, accounts=accts, amount=(3_000, 150_000)
    )
    header = [
        "(Do Not Modify) Opportunity",
        "(Do Not Modify) Row Checksum",
        "(Do Not Modify) Modified On",
        "Topic",
        "Potential Customer",
        "Contact",
        "Est. Revenue",
        "Est. Close Date",
        "Actual Revenue",
        "Actual Close Date",
        "Probability",
        "Status",
        "Status Reason",
        "Pipeline Phase",
        "Owner",
        "Created On",
    ]
    body = []
    for d in deals:
        guid = "-".join(token(rng, k, "0123456789abcdef") for k in (8, 4, 4, 4, 12))
        status = {"won": "Won", "lost": "Lost"}.get(d.outcome, "Open")
        reason = {"won": "Won", "lost": rng.choice(["Canceled", "Out-Sold"])}.get(
            d.outcome, rng.choice(["In Progress", "On Hold"])
        )
        phase = "4-Close" if d.outcome != "open" else d.stage
        est_close = (
            d.expected_close
            if d.outcome == "open"
            else (d.closed + dt.timedelta(days=rng.randint(-20, 20)))
        )
        body.append(
            [
                guid,
                token(rng, 28) + "==",
                d.created + dt.timedelta(days=3),
                d.name,
                d.account,
                rng.choice(contacts),
                d.amount,
                est_close,
                d.amount if d.outcome == "won" else None,
                d.closed,
                _prob(d, 40),
                status,
                reason,
                phase,
                d.owner,
                d.created,
            ]
        )
    main = {
        "title": "All Opportunities",
        "top": [],
        "header": header,
        "body": body,
        "formats": {
            3: "dd/mm/yyyy hh:mm",
            7: '"£"#,##0.00',
            8: "dd/mm/yyyy",
            9: '"£"#,##0.00',
            10: "dd/mm/yyyy",
            16: "dd/mm/yyyy hh:mm",
        },
        "hidden_columns": [1, 2, 3],
    }
    hidden = {
        "title": "hiddenSheet",
        "state": "hidden",
        "top": [],
        "header": ["opportunity"],
        "body": [["Status:Open;Won;Lost"], ["Pipeline Phase"]],
    }
    write_xlsx(out / "dynamics365_opportunities.xlsx", [main, hidden])
    return [
        dict(
            file="dynamics365_opportunities.xlsx",
            recipe="pipeline_lens",
            rows=len(body),
            sheet="All Opportunities",
            shape="Dynamics 365 'Export to Excel' (hidden '(Do Not Modify)' GUID/checksum columns, "
            "hiddenSheet, Est. vs Actual revenue and close date, Status apart from phase)",
            interpretations={
                "Created On": {"type": "datetime"},
                "Actual Close Date": {"type": "date"},
                "Est. Revenue": {"type": "decimal"},
            },
            mapping={
                "stage": ["Pipeline Phase"],
                "amount": ["Est. Revenue"],
                "created": ["Created On"],
                "closed": ["Actual Close Date"],
                "owner": ["Owner"],
                "outcome": ["Status"],
            },
            **pipeline_expect(deals),
        )
    ]


def sap_csv(out):
    rng = rng_for(107)
    reps, accts = people(rng, 5), companies(rng, 30, ("AG", "GmbH", "SE"))
    stages = ["Identify Opportunity", "Qualify Opportunity", "Develop Proposal", "Negotiation"]
    deals = make_deals(
        rng, 120, **Y24, open_stages=stages, owners=reps, accounts=accts, amount=(10_000, 2_500_000)
    )
    header = [
        "Opportunity ID",
        "Description",
        "Prospect",
        "Employee Responsible",
        "Sales Stage",
        "Status",
        "Expected Sales Volume",
        "Currency",
        "Start Date",
        "Closing Date",
        "Chance of Success (%)",
    ]
    rows = []
    for i, d in enumerate(deals):
        status = {"won": "Won", "lost": "Lost"}.get(d.outcome, rng.choice(["Open", "In Process"]))
        stage = "Closing" if d.outcome != "open" else d.stage
        rows.append(
            [
                str(4_000_120 + i),
                d.name,
                d.account,
                d.owner,
                stage,
                status,
                num_de(d.amount),
                "EUR",
                d.created.strftime("%d.%m.%Y"),
                d.expected_close.strftime("%d.%m.%Y"),
                _prob(d, 30),
            ]
        )
    write_csv(out / "sap_crm_opportunities.csv", header, rows, delimiter=";")
    return [
        dict(
            file="sap_crm_opportunities.csv",
            recipe="pipeline_lens",
            rows=len(rows),
            shape="SAP CRM WebUI export by a German-locale user (English headers, ';', "
            "'1.234.567,00', dd.mm.yyyy, Employee Responsible vs Prospect)",
            interpretations={
                "Expected Sales Volume": {"type": "decimal", "decimal": ",", "thousands": "."},
                "Start Date": {"type": "date", "format": "%d.%m.%Y"},
                "Closing Date": {"type": "date", "format": "%d.%m.%Y"},
            },
            mapping={
                "stage": ["Sales Stage"],
                "amount": ["Expected Sales Volume"],
                "created": ["Start Date"],
                "closed": ["Closing Date"],
                "owner": ["Employee Responsible"],
                "outcome": ["Status"],
            },
            **pipeline_expect(deals),
        )
    ]


def _locale_deals(seed, n, stages, suffixes, amount=(1_000, 400_000), missing=0.0):
    rng = rng_for(seed)
    reps, accts = people(rng, 5), companies(rng, 35, suffixes)
    deals = make_deals(
        rng,
        n,
        **Y24,
        open_stages=stages,
        owners=reps,
        accounts=accts,
        amount=amount,
        open_without_amount=missing,
    )
    return rng, deals


def _clean_checkup(file, header, rows, deals, *, missing_amounts: bool) -> dict:
    """Data Doctor on a correctly typed locale file: empty cells include the null tokens
    and the unfilled close dates, and there is nothing wrong with the dates or numbers."""
    open_deals = sum(1 for d in deals if d.closed is None)
    empty = open_deals + (sum(1 for d in deals if d.amount is None) if missing_amounts else 0)
    return dict(
        file=file,
        recipe="data_doctor",
        rows=len(rows),
        shape="the same file through Data Doctor: no false alarms on correctly read values",
        kpis={
            "Rows": len(rows),
            "Columns": len(header),
            "Duplicate rows": 0,
            "Empty cells": 100.0 * empty / (len(rows) * len(header)),
        },
        no_findings=["future", "not a date", "not dates", "as text", "mixed", "invalid date"],
    )


def german_csv(out):
    stages = ["Erstkontakt", "Bedarfsanalyse", "Angebot", "Verhandlung"]
    rng, deals = _locale_deals(108, 150, stages, ("GmbH", "AG", "KG"), missing=0.2)
    header = [
        "Name",
        "Firma",
        "Phase",
        "Betrag (EUR)",
        "Erstellt am",
        "Abschlussdatum",
        "Verantwortlich",
        "Status",
        "Wahrscheinlichkeit",
    ]
    rows = []
    for d in deals:
        amount = rng.choice(["n/a", "-"]) if d.amount is None else num_de(d.amount)
        chance = {"won": 100, "lost": 0}.get(d.outcome, 10 * (stages.index(d.stage) + 2))
        rows.append(
            [
                d.name,
                d.account,
                "Abschluss" if d.closed else d.stage,
                amount,
                d.created.strftime("%d.%m.%Y"),
                d.closed.strftime("%d.%m.%Y") if d.closed else "",
                d.owner,
                {"won": "Gewonnen", "lost": "Verloren"}.get(d.outcome, "Offen"),
                f"{chance} %",
            ]
        )
    write_csv(out / "crm_export_de.csv", header, rows, delimiter=";", bom=True)
    return [
        dict(
            file="crm_export_de.csv",
            recipe="pipeline_lens",
            currency="EUR",
            rows=len(rows),
            shape="German CRM export (UTF-8 BOM, ';', 'Betrag (EUR)' as '248.561,77' with n/a "
            "and '-' for missing, dd.mm.yyyy, Gewonnen/Verloren/Offen)",
            interpretations={
                "Betrag (EUR)": {
                    "type": "decimal",
                    "decimal": ",",
                    "thousands": ".",
                    "currency": "EUR",
                    "nulls": ["n/a", "-"],
                },
                "Erstellt am": {"type": "date", "format": "%d.%m.%Y"},
                "Abschlussdatum": {"type": "date", "format": "%d.%m.%Y"},
                "Wahrscheinlichkeit": {"type": ["integer", "decimal"], "percent": True},
            },
            mapping={
                "stage": ["Phase"],
                "amount": ["Betrag (EUR)"],
                "created": ["Erstellt am"],
                "closed": ["Abschlussdatum"],
                "owner": ["Verantwortlich"],
                "outcome": ["Status"],
            },
            **pipeline_expect(deals),
        ),
        _clean_checkup("crm_export_de.csv", header, rows, deals, missing_amounts=True),
    ]


def french_csv(out):
    stages = ["Prospection", "Qualification", "Proposition", "Négociation"]
    rng, deals = _locale_deals(109, 120, stages, ("SA", "SARL", "SAS"))
    header = [
        "Opportunité",
        "Compte",
        "Propriétaire",
        "Étape",
        "Montant",
        "Date de création",
        "Date de clôture",
        "Statut",
    ]
    rows = []
    for d in deals:
        rows.append(
            [
                d.name,
                d.account,
                d.owner,
                "Conclusion" if d.closed else d.stage,
                f"{num_fr(d.amount)} €",
                d.created.strftime("%d/%m/%Y"),
                d.closed.strftime("%d/%m/%Y") if d.closed else "—",
                {"won": "Gagnée", "lost": "Perdue"}.get(d.outcome, "En cours"),
            ]
        )
    write_csv(out / "crm_export_fr.csv", header, rows, delimiter=";", encoding="cp1252")
    return [
        dict(
            file="crm_export_fr.csv",
            recipe="pipeline_lens",
            currency="EUR",
            rows=len(rows),
            shape="French CRM export in Windows-1252 (';', '12 345,50 €' with no-break spaces, "
            "dd/mm/yyyy, '—' for no close date, Gagnée/Perdue/En cours)",
            interpretations={
                "Montant": {"type": "decimal", "decimal": ",", "thousands": " ", "currency": "EUR"},
                "Date de création": {"type": "date", "format": "%d/%m/%Y"},
                "Date de clôture": {"type": "date", "format": "%d/%m/%Y", "nulls": ["—"]},
            },
            mapping={
                "stage": ["Étape"],
                "amount": ["Montant"],
                "created": ["Date de création"],
                "closed": ["Date de clôture"],
                "owner": ["Propriétaire"],
                "outcome": ["Statut"],
            },
            **pipeline_expect(deals),
        ),
        _clean_checkup("crm_export_fr.csv", header, rows, deals, missing_amounts=False),
    ]


def spanish_csv(out):
    stages = ["Prospección", "Calificación", "Propuesta", "Negociación"]
    rng, deals = _locale_deals(110, 110, stages, ("S.L.", "S.A."), amount=(600, 2_400_000))
    for d in deals:  # whole euros, as this export shows them
        d.amount = float(round(d.amount))
    header = [
        "Oportunidad",
        "Cuenta",
        "Propietario",
        "Etapa",
        "Importe",
        "Fecha de creación",
        "Fecha de cierre",
        "Estado",
    ]
    rows = []
    for d in deals:
        closed = (
            f"{d.closed.day} {MONTHS_ES[d.closed.month - 1]} {d.closed.year}" if d.closed else ""
        )
        rows.append(
            [
                d.name,
                d.account,
                d.owner,
                "Cierre" if d.closed else d.stage,
                f"€ {num_de(d.amount, 0)}",
                d.created.strftime("%d/%m/%Y"),
                closed,
                {"won": "Ganada", "lost": "Perdida"}.get(d.outcome, "Abierta"),
            ]
        )
    write_csv(out / "crm_export_es.csv", header, rows, delimiter=";")
    return [
        dict(
            file="crm_export_es.csv",
            recipe="pipeline_lens",
            currency="EUR",
            rows=len(rows),
            shape="Spanish CRM export (';', whole euros '€ 1.200' / '€ 1.250.000' with '.' as "
            "thousands, dd/mm/yyyy, close dates '14 ene 2024', Ganada/Perdida/Abierta)",
            interpretations={
                "Importe": {"type": ["integer", "decimal"], "thousands": ".", "currency": "EUR"},
                "Fecha de creación": {"type": "date", "format": "%d/%m/%Y"},
                "Fecha de cierre": {"type": "date", "format": "%d %b %Y"},
            },
            mapping={
                "stage": ["Etapa"],
                "amount": ["Importe"],
                "created": ["Fecha de creación"],
                "closed": ["Fecha de cierre"],
                "owner": ["Propietario"],
                "outcome": ["Estado"],
            },
            **pipeline_expect(deals),
        )
    ]


def dutch_csv(out):
    stages = ["Lead", "Gekwalificeerd", "Offerte", "Onderhandeling"]
    rng, deals = _locale_deals(
        111, 100, stages, ("B.V.", "N.V."), amount=(900, 250_000), missing=0.2
    )
    header = [
        "Naam",
        "Organisatie",
        "Eigenaar",
        "Fase",
        "Bedrag",
        "Aangemaakt op",
        "Sluitingsdatum",
        "Status",
    ]
    rows = []
    for d in deals:
        closed = (
            f"{d.closed.day} {MONTHS_NL[d.closed.month - 1]} {d.closed.year}" if d.closed else ""
        )
        rows.append(
            [
                d.name,
                d.account,
                d.owner,
                "Afgesloten" if d.closed else d.stage,
                "#N/A" if d.amount is None else f"€ {num_de(d.amount)}",
                d.created.strftime("%d-%m-%Y"),
                closed,
                {"won": "Gewonnen", "lost": "Verloren"}.get(d.outcome, "Open"),
            ]
        )
    write_csv(out / "crm_export_nl.csv", header, rows, delimiter=";")
    return [
        dict(
            file="crm_export_nl.csv",
            recipe="pipeline_lens",
            currency="EUR",
            rows=len(rows),
            shape="Dutch CRM export (';', '€ 1.234,56', '#N/A' for missing amounts, dd-mm-yyyy, "
            "close dates '3 mrt 2024', Gewonnen/Verloren/Open)",
            interpretations={
                "Bedrag": {
                    "type": "decimal",
                    "decimal": ",",
                    "thousands": ".",
                    "currency": "EUR",
                    "nulls": ["#N/A"],
                },
                "Aangemaakt op": {"type": "date", "format": "%d-%m-%Y"},
                "Sluitingsdatum": {"type": "date", "format": "%d %b %Y"},
            },
            mapping={
                "stage": ["Fase"],
                "amount": ["Bedrag"],
                "created": ["Aangemaakt op"],
                "closed": ["Sluitingsdatum"],
                "owner": ["Eigenaar"],
                "outcome": ["Status"],
            },
            **pipeline_expect(deals),
        )
    ]


def two_digit_year_csv(out):
    """The motivating file: '20-10-16' is 20 Oct 2016, next to a 'Q4 2016' column."""
    rng = rng_for(112)
    agents, accts = people(rng, 8), companies(rng, 40, ("Inc", "Co"))
    products = ["GTX Basic", "GTX Pro", "MG Special", "MG Advanced", "GTK 500"]
    deals = make_deals(
        rng,
        200,
        start=dt.date(2016, 6, 1),
        end=dt.date(2016, 12, 31),
        open_stages=["Prospecting", "Engaging"],
        owners=agents,
        accounts=accts,
        amount=(400, 30_000),
        cents=False,
        p_won=0.45,
        p_lost=0.3,
    )
    header = [
        "opportunity_id",
        "sales_agent",
        "product",
        "account",
        "deal_stage",
        "engage_date",
        "close_date",
        "close_value",
        "close_quarter",
    ]
    rows = []
    for d in deals:
        if d.outcome == "lost":
            d.amount = 0.0  # lost deals carry a close value of 0 in this export
        c = d.closed
        rows.append(
            [
                token(rng, 8, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
                d.owner,
                rng.choice(products),
                d.account,
                {"won": "Won", "lost": "Lost"}.get(d.outcome, d.stage),
                d.created.strftime("%d-%m-%y"),
                c.strftime("%d-%m-%y") if c else "",
                "" if d.outcome == "open" else f"{d.amount:.0f}",
                f"Q{(c.month - 1) // 3 + 1} {c.year}" if c else "",
            ]
        )
        if d.outcome == "open":
            d.amount = None
    write_csv(out / "opportunities_2016_dmy.csv", header, rows, line_end="\n")
    base = dict(
        file="opportunities_2016_dmy.csv",
        rows=len(rows),
        shape="The issue's motivating file: day-month-two-digit-year dates "
        "'20-10-16' (20 Oct 2016) beside a 'Q4 2016' close_quarter column",
        interpretations={
            "engage_date": {"type": "date", "format": "%d-%m-%y"},
            "close_date": {"type": "date", "format": "%d-%m-%y"},
        },
    )
    exp = pipeline_expect(deals)
    engaged = [d.created.date() for d in deals]
    closes = [d.closed for d in deals if d.closed]
    doctor = dict(
        base,
        recipe="data_doctor",
        kpis={"Rows": len(rows), "Columns": len(header), "Duplicate rows": 0},
        profile={
            "engage_date": {"Min": min(engaged).isoformat(), "Max": max(engaged).isoformat()},
            "close_date": {"Min": min(closes).isoformat(), "Max": max(closes).isoformat()},
        },
        no_findings=["future", "2020", "2031"],
    )
    pipe = dict(
        base,
        recipe="pipeline_lens",
        mapping={
            "stage": ["deal_stage"],
            "amount": ["close_value"],
            "created": ["engage_date"],
            "closed": ["close_date"],
            "owner": ["sales_agent"],
        },
        **exp,
    )
    return [pipe, doctor]


def utf16_text(out):
    rng = rng_for(113)
    reps, accts = people(rng, 4), companies(rng, 30, ("Ltd", "plc"))
    stages = ["Discovery", "Demo", "Proposal", "Negotiation"]
    deals = make_deals(
        rng, 90, **Y24, open_stages=stages, owners=reps, accounts=accts, amount=(1_000, 75_000)
    )
    header = ["Deal", "Company", "Owner", "Stage", "Value", "Created", "Closed", "Outcome"]
    rows = [
        [
            d.name,
            d.account,
            d.owner,
            "Closed" if d.closed else d.stage,
            f"£{num_us(d.amount)}",
            d.created.strftime("%d/%m/%Y"),
            d.closed.strftime("%d/%m/%Y") if d.closed else "",
            {"won": "Won", "lost": "Lost"}.get(d.outcome, "Open"),
        ]
        for d in deals
    ]
    write_csv(out / "uk_deals_unicode.txt", header, rows, delimiter="\t", encoding="utf-16")
    return [
        dict(
            file="uk_deals_unicode.txt",
            recipe="pipeline_lens",
            currency="GBP",
            rows=len(rows),
            shape="Excel 'Unicode Text' save (UTF-16 LE with BOM, tab-separated) of a UK deal "
            "list: '£12,500.00', dd/mm/yyyy",
            interpretations={
                "Value": {"type": "decimal", "decimal": ".", "thousands": ",", "currency": "GBP"},
                "Created": {"type": "date", "format": "%d/%m/%Y"},
                "Closed": {"type": "date", "format": "%d/%m/%Y"},
            },
            mapping={
                "stage": ["Stage"],
                "amount": ["Value"],
                "created": ["Created"],
                "closed": ["Closed"],
                "owner": ["Owner"],
                "outcome": ["Outcome"],
            },
            **pipeline_expect(deals),
        )
    ]


MONTHS_IT = ["gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"]


def italian_csv(out):
    stages = ["Prospezione", "Qualificazione", "Proposta", "Trattativa"]
    rng, deals = _locale_deals(114, 100, stages, ("S.p.A.", "S.r.l."), amount=(900, 300_000))
    header = [
        "Opportunità",
        "Cliente",
        "Responsabile",
        "Fase",
        "Importo (€)",
        "Data creazione",
        "Data chiusura",
        "Stato",
    ]
    rows = []
    for d in deals:
        c = d.closed
        rows.append(
            [
                d.name,
                d.account,
                d.owner,
                "Chiusura" if c else d.stage,
                num_de(d.amount),
                f"{d.created.day:02d}/{d.created.month:02d}/{d.created.year}",
                f"{c.day} {MONTHS_IT[c.month - 1]} {c.year}" if c else "",
                {"won": "Vinta", "lost": "Persa"}.get(d.outcome, "Aperta"),
            ]
        )
    write_csv(out / "crm_export_it.csv", header, rows, delimiter=";")
    return [
        dict(
            file="crm_export_it.csv",
            recipe="pipeline_lens",
            currency="EUR",
            rows=len(rows),
            shape="Italian CRM export (';', 'Importo (€)' as '12.345,67', dd/mm/yyyy, close dates "
            "'3 mag 2024', Vinta/Persa/Aperta)",
            interpretations={
                "Importo (€)": {
                    "type": "decimal",
                    "decimal": ",",
                    "thousands": ".",
                    "currency": "EUR",
                },
                "Data creazione": {"type": "date", "format": "%d/%m/%Y"},
                "Data chiusura": {"type": "date", "format": "%d %b %Y"},
            },
            mapping={
                "stage": ["Fase"],
                "amount": ["Importo (€)"],
                "created": ["Data creazione"],
                "closed": ["Data chiusura"],
                "owner": ["Responsabile"],
                "outcome": ["Stato"],
            },
            **pipeline_expect(deals),
        )
    ]


def portuguese_csv(out):
    stages = ["Prospecção", "Qualificação", "Proposta", "Negociação"]
    rng, deals = _locale_deals(115, 100, stages, ("Ltda.", "S.A."), amount=(500, 900_000))
    header = [
        "Oportunidade",
        "Conta",
        "Proprietário",
        "Etapa",
        "Valor",
        "Data de criação",
        "Data de fechamento",
        "Status",
    ]
    rows = [
        [
            d.name,
            d.account,
            d.owner,
            "Fechamento" if d.closed else d.stage,
            f"R$ {num_de(d.amount)}",
            d.created.strftime("%d/%m/%Y"),
            d.closed.strftime("%d/%m/%Y") if d.closed else "",
            {"won": "Ganha", "lost": "Perdida"}.get(d.outcome, "Aberta"),
        ]
        for d in deals
    ]
    write_csv(out / "crm_export_pt_br.csv", header, rows, delimiter=";")
    return [
        dict(
            file="crm_export_pt_br.csv",
            recipe="pipeline_lens",
            currency="BRL",
            rows=len(rows),
            shape="Brazilian CRM export (';', 'R$ 1.234,56', dd/mm/yyyy, Ganha/Perdida/Aberta)",
            interpretations={
                "Valor": {"type": "decimal", "decimal": ",", "thousands": ".", "currency": "BRL"},
                "Data de criação": {"type": "date", "format": "%d/%m/%Y"},
            },
            mapping={
                "stage": ["Etapa"],
                "amount": ["Valor"],
                "created": ["Data de criação"],
                "closed": ["Data de fechamento"],
                "owner": ["Proprietário"],
                "outcome": ["Status"],
            },
            **pipeline_expect(deals),
        )
    ]


def ambiguous_uk_csv(out):
    """Every day is 1-12, so dd/mm and mm/dd both parse; only dd/mm keeps created <= closed
    and the dates in one contiguous year."""
    rng = rng_for(116)
    reps, accts = people(rng, 5), companies(rng, 30, ("Ltd", "plc"))
    stages = ["Discovery", "Demo", "Proposal", "Negotiation"]
    deals = []
    while len(deals) < 90:
        batch = make_deals(
            rng, 40, **Y24, open_stages=stages, owners=reps, accounts=accts, amount=(1_000, 60_000)
        )
        deals += [
            d for d in batch if d.created.day <= 12 and (d.closed is None or d.closed.day <= 12)
        ]
    deals = deals[:90]
    header = [
        "Opportunity",
        "Account",
        "Owner",
        "Stage",
        "Amount (GBP)",
        "Created",
        "Closed",
        "Result",
    ]
    rows = [
        [
            f"Deal {i + 1}",
            d.account,
            d.owner,
            "Closed" if d.closed else d.stage,
            f"{d.amount:.2f}",
            d.created.strftime("%d/%m/%Y"),
            d.closed.strftime("%d/%m/%Y") if d.closed else "",
            {"won": "Won", "lost": "Lost"}.get(d.outcome, "Open"),
        ]
        for i, d in enumerate(deals)
    ]
    write_csv(out / "uk_deals_ambiguous_dates.csv", header, rows)
    return [
        dict(
            file="uk_deals_ambiguous_dates.csv",
            recipe="pipeline_lens",
            currency="GBP",
            rows=len(rows),
            shape="UK deal list where every day is 1-12 (03/04/2024 fits both readings); only "
            "day-first keeps Created <= Closed, so the evidence decides",
            interpretations={
                "Created": {"type": "date", "format": "%d/%m/%Y"},
                "Closed": {"type": "date", "format": "%d/%m/%Y"},
            },
            mapping={
                "stage": ["Stage"],
                "amount": ["Amount (GBP)"],
                "created": ["Created"],
                "closed": ["Closed"],
                "owner": ["Owner"],
                "outcome": ["Result"],
            },
            **pipeline_expect(deals),
        )
    ]


CASES = [
    salesforce_csv,
    salesforce_xlsx,
    hubspot_csv,
    pipedrive_csv,
    zoho_csv,
    dynamics_xlsx,
    sap_csv,
    german_csv,
    french_csv,
    spanish_csv,
    dutch_csv,
    two_digit_year_csv,
    utf16_text,
    italian_csv,
    portuguese_csv,
    ambiguous_uk_csv,
]
