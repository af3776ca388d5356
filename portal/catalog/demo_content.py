"""The demo catalog's copy: Northwind Analytics' four data products with their plans,
resources and FAQ (used by ``seed.py``)."""

from __future__ import annotations

from portal.catalog.demo_content_planning import PLANNING_PRODUCTS
from portal.catalog.plans import PlanData

SHARED_FAQ = [
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
    *PLANNING_PRODUCTS,
]

GUIDE_SECTIONS = {
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
