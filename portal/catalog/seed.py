"""The demo catalog: Northwind Analytics and its four data products, one per sandbox recipe.

``seed_catalog`` goes through the same administration services as the admin pages (so the
copy below passes the same validation) and is safe to run again: existing products are left
as they are. Datasheets and guides are real PDFs, generated here.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from portal.catalog.editing import (
    PlanData,
    ProductData,
    add_faq,
    add_plan,
    add_resource,
    create_product,
)
from portal.catalog.files import files_folder
from portal.catalog.search import rebuild_search_index
from portal.catalog.sheet import build_document_pdf
from portal.extensions import db
from portal.models import Product

_SHARED_FAQ = [
    (
        "Can we pay by invoice or purchase order?",
        "Yes. Every plan can be bought with a card, and any order can instead be paid by "
        "invoice: check out with *Pay by invoice*, download the quote for your purchasing "
        "team, and we activate the licence when the purchase order arrives. Enterprise "
        "licences are always invoiced, with 30-day payment terms.",
    ),
    (
        "What happens to the data I upload for a trial?",
        "It stays yours. Trial files are processed in an isolated sandbox with no network "
        "access, are never used to train anything, and are deleted automatically after "
        "72 hours. You can delete them yourself at any time from **My trials**.",
    ),
]

PRODUCTS = [
    {
        "slug": "pipeline-lens",
        "name": "Pipeline Lens",
        "tagline": "See where every deal really stands, and which ones will close this quarter.",
        "category": "Sales analytics",
        "use_cases": ["Pipeline health", "Sales forecasting", "Win/loss analysis"],
        "recipe": "pipeline_lens",
        "is_featured": True,
        "sort_order": 1,
        "description_md": """\
Pipeline Lens reads the opportunity export you already have, from Salesforce, HubSpot,
Pipedrive or a spreadsheet, and shows the pipeline as it really is: how much of it is moving,
how much has quietly stalled, and how much will realistically close this quarter.

Instead of trusting the stage a rep picked months ago, Pipeline Lens looks at what happened to
each deal: how long it has sat in its stage compared with deals you won, when it last changed,
and how similar deals ended. The result is a **weighted forecast you can defend** in a board
meeting, and a short list of deals that need attention this week.

- Conversion and cycle time per stage, per team and per segment
- Stalled deals flagged against *your own* history, not a generic rule
- A forecast with a best case, a likely case and a worst case
- Win/loss patterns by source, size and competitor

Try it on your own export before you talk to anyone: upload a CSV, map the columns, and
see your pipeline in a few minutes.
""",
        "features": [
            {
                "title": "Try on your own data",
                "text": "Upload an opportunity export and see your own pipeline in minutes.",
            },
            {
                "title": "Stage conversion funnel",
                "text": "Conversion and median days in stage, by team, segment and quarter.",
            },
            {
                "title": "Stalled-deal alerts",
                "text": "Deals that sit longer than your won deals did are flagged every Monday.",
            },
            {
                "title": "Weighted forecast",
                "text": "Best, likely and worst case, calibrated on your closed deals.",
            },
            {
                "title": "Win/loss analysis",
                "text": "Win rates by lead source, deal size, competitor and sales cycle.",
            },
            {"title": "Scheduled reports", "text": "A PDF or e-mail digest for each team lead."},
            {"title": "Single sign-on (SSO)", "text": "SAML 2.0 and OpenID Connect."},
        ],
        "specs": [
            ["Deployment", "Cloud (EU or US region)"],
            ["Data sources", "CSV, Excel, Salesforce, HubSpot, Pipedrive"],
            ["Data refresh", "Hourly with a CRM connector; on upload otherwise"],
            ["Users", "Per seat, from 1 seat"],
            ["Security", "SOC 2 Type II, encryption at rest and in transit"],
            ["Support", "E-mail on every plan; named manager on Enterprise"],
            ["Onboarding time", "Same day"],
        ],
        "plans": [
            PlanData(
                "Starter",
                4900,
                billing="monthly",
                per_seat=True,
                min_quantity=1,
                max_quantity=10,
                description="For a founder or a small sales team. Cancel any month.",
            ),
            PlanData(
                "Growth",
                39000,
                billing="yearly",
                per_seat=True,
                min_quantity=5,
                max_quantity=200,
                description="Yearly seats with CRM connectors, scheduled reports and SSO.",
            ),
            PlanData(
                "Enterprise licence",
                12_000_000,
                billing="one_time",
                description="Perpetual licence for unlimited seats, private deployment, "
                "three years of updates and a named success manager.",
            ),
        ],
        "resources": [
            (
                "datasheet",
                "Pipeline Lens datasheet",
                "Features, connectors, security and plans on two pages.",
            ),
            (
                "guide",
                "Preparing your CRM export",
                "Which columns Pipeline Lens needs and how to export them from "
                "Salesforce, HubSpot and Pipedrive.",
            ),
            (
                "video",
                "Five-minute tour of Pipeline Lens",
                "From upload to forecast with a real, anonymised opportunity export.",
            ),
        ],
        "faq": [
            (
                "Which columns does my export need?",
                "At minimum an opportunity id, an amount, a stage and the date the deal was "
                "created. A close date, an owner and a lead source make the forecast and the "
                "win/loss analysis much richer. The mapping screen tells you what each column "
                "adds.",
            ),
            (
                "How accurate is the forecast?",
                "On customers' own history, the likely case has landed within 8% of the "
                "actual quarter for most teams with at least 200 closed deals. The sheet "
                "shows the range, not just one number, so you can see how sure it is.",
            ),
        ],
    },
    {
        "slug": "data-doctor",
        "name": "Data Doctor",
        "tagline": "Find the duplicates, gaps and outliers in your data before your customers do.",
        "category": "Data quality",
        "use_cases": ["Data quality monitoring", "CRM hygiene", "Migration readiness"],
        "recipe": "data_doctor",
        "is_featured": True,
        "sort_order": 2,
        "description_md": """\
Data Doctor gives any table a check-up in minutes. Point it at a customer list, a product
catalogue or a finance extract and it reports, column by column, what is missing, what is
duplicated, what does not look like the rest, and what breaks the rules you care about.

Every finding comes with the rows behind it and a suggested fix, so the report goes straight
to the person who can correct the source. Run it before a CRM migration, before a campaign,
or every night as a quiet guard on the data your reports depend on.

- **Completeness**: empty and placeholder values (`N/A`, `-`, `0000-00-00`)
- **Uniqueness**: exact and fuzzy duplicates, such as *ACME Ltd.* and *Acme Limited*
- **Validity**: e-mail, phone, postcode, IBAN and date formats
- **Consistency**: outliers and values that drift from one load to the next
""",
        "features": [
            {
                "title": "Try on your own data",
                "text": "Upload a file and get a data-quality score with the rows behind it.",
            },
            {
                "title": "Fuzzy duplicate detection",
                "text": "Finds near-duplicate companies and people across spelling variants.",
            },
            {
                "title": "Format validation",
                "text": "E-mail, phone, postcode, IBAN, VAT number and date checks.",
            },
            {"title": "Outlier detection", "text": "Robust statistics per numeric column."},
            {
                "title": "Nightly monitoring",
                "text": "Scheduled checks with alerts when a score drops.",
            },
            {"title": "Scheduled reports", "text": "A weekly quality report for data owners."},
            {"title": "API access", "text": "Run checks from your own pipelines."},
        ],
        "specs": [
            ["Deployment", "Cloud (EU or US region) or on-premises"],
            ["Data sources", "CSV, Excel, JSON, Parquet, PostgreSQL, Snowflake"],
            ["Data refresh", "Nightly or on demand"],
            ["Users", "Flat price, unlimited viewers"],
            ["Security", "SOC 2 Type II, encryption at rest and in transit"],
            ["Support", "E-mail on every plan; named manager on Enterprise"],
            ["Onboarding time", "Same day"],
        ],
        "plans": [
            PlanData(
                "Essentials",
                9900,
                billing="monthly",
                description="Up to 1 million rows a month, file uploads, weekly reports.",
            ),
            PlanData(
                "Professional",
                240_000,
                billing="yearly",
                description="Up to 50 million rows a month, database connectors, "
                "nightly monitoring and the API.",
            ),
            PlanData(
                "Enterprise licence",
                6_500_000,
                billing="one_time",
                description="Perpetual on-premises licence without row limits, "
                "with three years of updates.",
            ),
        ],
        "resources": [
            (
                "datasheet",
                "Data Doctor datasheet",
                "Checks, connectors, deployment options and plans.",
            ),
            (
                "guide",
                "A data-quality checklist for CRM migrations",
                "Twelve checks to run before you move customer data to a new system.",
            ),
            (
                "video",
                "Data Doctor in four minutes",
                "A customer list with 40,000 rows, checked and cleaned on screen.",
            ),
        ],
        "faq": [
            (
                "Does Data Doctor change my data?",
                "No. It only reads. Every finding links to the rows involved and suggests a "
                "fix; you decide what to change, in the system that owns the data.",
            ),
            (
                "How does fuzzy duplicate detection work?",
                "Names are normalised (legal forms, accents, punctuation) and compared with "
                "a similarity score; pairs above the threshold you choose are grouped, with "
                "the reason shown next to each pair.",
            ),
        ],
    },
    {
        "slug": "demand-radar",
        "name": "Demand Radar",
        "tagline": "Forecast demand per product and region, with honest confidence ranges.",
        "category": "Forecasting",
        "use_cases": ["Demand forecasting", "Inventory planning", "Sales forecasting"],
        "recipe": "demand_radar",
        "is_featured": True,
        "sort_order": 3,
        "description_md": """\
Demand Radar turns your order history into a forecast your planners can act on: units per
product, per region and per week, for the next three to eighteen months, each with a range
that says how sure the forecast is.

It picks up trend, seasonality and holidays on its own, and shows *why* a forecast moved, so a
planner can challenge it rather than take it on faith. Promotions and known events can be
added as drivers. When a product is new, Demand Radar borrows the pattern of similar products.

Planning teams use it to cut safety stock without running out, to plan production ahead of
seasonal peaks, and to give sales a realistic number for the quarter. Upload a year of order
lines and see your own forecast before any conversation.
""",
        "features": [
            {
                "title": "Try on your own data",
                "text": "Upload order lines and see a forecast per product in minutes.",
            },
            {
                "title": "Seasonality and holidays",
                "text": "Weekly and yearly patterns, with public holidays for 60 countries.",
            },
            {
                "title": "Confidence ranges",
                "text": "80% and 95% ranges on every forecast, checked against the past.",
            },
            {
                "title": "Forecast explanations",
                "text": "Trend, season and driver contributions for every change.",
            },
            {
                "title": "Inventory recommendations",
                "text": "Safety stock and reorder points from your service-level target.",
            },
            {"title": "Scheduled reports", "text": "A weekly forecast pack for planners."},
            {"title": "Single sign-on (SSO)", "text": "SAML 2.0 and OpenID Connect."},
            {"title": "API access", "text": "Forecasts delivered to your ERP through the API."},
        ],
        "specs": [
            ["Deployment", "Cloud (EU or US region) or on-premises"],
            ["Data sources", "CSV, Excel, Parquet, SAP, Microsoft Dynamics, Snowflake"],
            ["Data refresh", "Daily"],
            ["Users", "Flat price, unlimited planners"],
            ["Forecast horizon", "3 to 18 months, weekly or monthly"],
            ["Security", "SOC 2 Type II, ISO 27001, encryption at rest and in transit"],
            ["Support", "E-mail and phone; 24/7 on Enterprise"],
            ["Onboarding time", "Two to four weeks with a connector"],
        ],
        "plans": [
            PlanData(
                "Starter",
                19_900,
                billing="monthly",
                description="Up to 500 products and one region; file uploads.",
            ),
            PlanData(
                "Business",
                1_490_000,
                billing="yearly",
                description="Up to 20,000 products in all regions, ERP connectors, "
                "inventory recommendations and the API.",
            ),
            PlanData(
                "Enterprise licence",
                25_000_000,
                billing="one_time",
                description="Perpetual licence for unlimited products and sites, on-premises "
                "or private cloud, with implementation, training and five years of "
                "updates and 24/7 support.",
            ),
        ],
        "resources": [
            (
                "datasheet",
                "Demand Radar datasheet",
                "Methods, connectors, deployment and plans at a glance.",
            ),
            (
                "guide",
                "How Demand Radar forecasts: a guide for planners",
                "The models, how the confidence ranges are checked, and when to override "
                "a forecast.",
            ),
            (
                "video",
                "Demand Radar walkthrough",
                "A year of order lines from a wholesaler, forecast and explained.",
            ),
        ],
        "faq": [
            (
                "How much history do I need?",
                "One year of order lines gives a useful forecast; two or more years let "
                "Demand Radar learn yearly seasonality properly. Products with a short history "
                "borrow the pattern of similar products.",
            ),
            (
                "What does the Enterprise licence include?",
                "A perpetual licence for unlimited products and sites, installation on your "
                "premises or private cloud, a six-week implementation with our team, "
                "training for planners, five years of updates and 24/7 support. It is "
                "invoiced: download a quote at checkout.",
            ),
        ],
    },
    {
        "slug": "segment-studio",
        "name": "Segment Studio",
        "tagline": "Group customers by what they actually do, and know who is about to leave.",
        "category": "Customer analytics",
        "use_cases": ["Customer segmentation", "Churn prevention", "Campaign targeting"],
        "recipe": "segment_studio",
        "is_featured": False,
        "sort_order": 4,
        "description_md": """\
Segment Studio groups your customers by behaviour (how recently they bought, how often, and
how much) and describes each segment in plain words: *loyal regulars*, *big but fading*,
*new and promising*. Marketing gets audiences it can use the same afternoon; customer success
gets a list of accounts drifting away while there is still time to call.

Segments are built from your own transactions, not from a template, and each one comes with
the numbers behind it: size, revenue share, typical basket and trend since last month.
Export any segment to your e-mail or ad platform as a CSV.

Upload a transaction file to see your own customers segmented before you decide anything.
""",
        "features": [
            {
                "title": "Try on your own data",
                "text": "Upload transactions and see your customers segmented in minutes.",
            },
            {
                "title": "RFM segmentation",
                "text": "Recency, frequency and monetary value, scored and grouped.",
            },
            {
                "title": "Churn risk",
                "text": "Customers whose buying rhythm has broken, ranked by value at risk.",
            },
            {
                "title": "Segment stories",
                "text": "Each segment described in plain words, with its key numbers.",
            },
            {"title": "Audience export", "text": "CSV exports for e-mail and ad platforms."},
            {"title": "Single sign-on (SSO)", "text": "SAML 2.0 and OpenID Connect."},
        ],
        "specs": [
            ["Deployment", "Cloud (EU or US region)"],
            ["Data sources", "CSV, Excel, Shopify, Stripe, BigQuery"],
            ["Data refresh", "Daily"],
            ["Users", "Per seat, from 1 seat"],
            ["Security", "SOC 2 Type II, encryption at rest and in transit"],
            ["Support", "E-mail on every plan; named manager on Enterprise"],
            ["Onboarding time", "Same day"],
        ],
        "plans": [
            PlanData(
                "Analyst",
                2900,
                billing="monthly",
                per_seat=True,
                min_quantity=1,
                max_quantity=25,
                description="For one marketer or analyst. Up to 100,000 customers.",
            ),
            PlanData(
                "Team",
                29_000,
                billing="yearly",
                per_seat=True,
                min_quantity=5,
                max_quantity=500,
                description="Yearly seats, up to 5 million customers, connectors and SSO.",
            ),
            PlanData(
                "Enterprise licence",
                9_500_000,
                billing="one_time",
                description="Perpetual licence for unlimited customers and seats, "
                "private deployment and three years of updates.",
            ),
        ],
        "resources": [
            (
                "datasheet",
                "Segment Studio datasheet",
                "Segments, churn scoring, connectors and plans.",
            ),
            (
                "guide",
                "From segments to campaigns",
                "Five campaigns our customers run on their segments, with results.",
            ),
            (
                "video",
                "Segment Studio in five minutes",
                "An online shop's transactions, segmented and exported to e-mail.",
            ),
        ],
        "faq": [
            (
                "Which data do I need?",
                "One row per transaction with a customer id, a date and an amount. Product "
                "categories and channels are optional and make the segment stories richer.",
            ),
            (
                "Do you handle personal data?",
                "Only what you upload, and you can upload pseudonymised customer ids. We are "
                "GDPR compliant, sign a data processing agreement on request, and keep EU "
                "customers' data in the EU region.",
            ),
        ],
    },
]

_GUIDE_SECTIONS = {
    "datasheet": lambda p: [
        ("What it is", p["tagline"]),
        ("Key capabilities", "\n".join(f"- {f['title']}: {f['text']}" for f in p["features"])),
        ("Technical details", "\n".join(f"{label}: {value}" for label, value in p["specs"])),
        ("Try it", "Upload your own file at /try/" + p["slug"] + " and see results in minutes."),
    ],
    "guide": lambda p: [
        ("Who this guide is for", "Analysts and team leads preparing a first evaluation."),
        ("Before you start", p["faq"][0][1]),
        (
            "Step by step",
            "1. Export the data described above as CSV or Excel.\n"
            "2. Upload it on the product's Try page and map the columns.\n"
            "3. Run the demo and read the results with your team.\n"
            "4. Compare with what you know about your business, and ask us anything.",
        ),
        ("Good to know", p["faq"][1][1]),
    ],
}


def _resource_pdf(spec: dict, kind: str, title: str) -> bytes:
    sections = _GUIDE_SECTIONS[kind](spec)
    return build_document_pdf(title, f"{spec['name']} by Northwind Analytics", sections)


def seed_catalog() -> list[str]:
    """Create the demo catalog once; index it for search; return lines to print."""
    folder = files_folder(current_app)
    existing = set(db.session.scalars(select(Product.slug)))
    created = []
    for spec in PRODUCTS:
        if spec["slug"] in existing:
            continue
        product = create_product(
            ProductData(
                **{
                    key: spec[key]
                    for key in (
                        "slug",
                        "name",
                        "tagline",
                        "category",
                        "use_cases",
                        "description_md",
                        "features",
                        "specs",
                        "recipe",
                        "is_featured",
                        "sort_order",
                    )
                }
            )
        )
        for order, plan in enumerate(spec["plans"]):
            plan.sort_order = order
            add_plan(product, plan)
        for order, (kind, title, summary) in enumerate(spec["resources"]):
            if kind == "video":
                url = f"https://videos.northwind.example/{spec['slug']}/tour"
                add_resource(product, kind, title, summary, url=url, sort_order=order)
            else:
                pdf = _resource_pdf(spec, kind, title)
                add_resource(
                    product, kind, title, summary, pdf=pdf, folder=folder, sort_order=order
                )
        for order, (question, answer) in enumerate(spec["faq"] + _SHARED_FAQ):
            add_faq(product, question, answer, sort_order=order)
        created.append(spec["name"])
    rebuild_search_index()
    total = len(PRODUCTS)
    if created:
        return [f"Catalog: created {', '.join(created)} ({total} demo products)."]
    return [f"Catalog: the {total} demo products are already there."]
