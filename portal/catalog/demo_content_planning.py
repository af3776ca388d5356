"""Demo catalog copy, continued: the planning and marketing products (Demand Radar, Segment
Studio), part of ``demo_content.PRODUCTS``."""

from __future__ import annotations

from portal.catalog.plans import PlanData

PLANNING_PRODUCTS = [
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
