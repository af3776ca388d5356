"""Catalog fixtures: the uploaded-files folder, a consenting visitor, a small catalog."""

from __future__ import annotations

import pytest

from portal.catalog.files import files_folder
from portal.catalog.plans import PlanData, add_plan
from portal.catalog.search import rebuild_search_index
from portal.catalog.staff_services import ProductData, add_faq, create_product


@pytest.fixture
def catalog_files(app):
    """Where uploaded PDFs go (a temporary folder, set by the ``app`` fixture)."""
    return files_folder(app)


VISITOR_ID = "visitor-abcdef123456"


@pytest.fixture
def visitor_client(client):
    """An anonymous visitor who accepted tracking (their events are recorded)."""
    client.set_cookie("td_consent", "accept")
    client.set_cookie("td_vid", VISITOR_ID)
    return client


@pytest.fixture
def small_catalog(db):
    """Three products with distinct copy, for search ranking and comparison."""
    radar = create_product(
        ProductData(
            slug="demand-radar",
            name="Demand Radar",
            tagline="Forecast demand per product and region",
            category="Forecasting",
            use_cases=["Demand forecasting", "Inventory planning"],
            description_md="Forecasts from your **order history**, with seasonality.",
            features=[{"title": "Seasonality", "text": "Weekly and yearly patterns"}],
            specs=[["Deployment", "Cloud"], ["Data refresh", "Daily"]],
            recipe="demand_radar",
            is_featured=True,
        )
    )
    add_plan(radar, PlanData("Starter", 19_900, billing="monthly"))
    add_plan(radar, PlanData("Enterprise", 25_000_000, billing="one_time"))
    doctor = create_product(
        ProductData(
            slug="data-doctor",
            name="Data Doctor",
            tagline="Find duplicates and gaps in your data",
            category="Data quality",
            use_cases=["Data quality monitoring"],
            description_md="Checks every column. Mentions a forecast only once.",
            features=[
                {"title": "Seasonality", "text": "Not really"},
                {"title": "Fuzzy duplicates", "text": "Near-duplicate companies"},
            ],
            specs=[["Deployment", "Cloud or on-premises"], ["Data refresh", "Daily"]],
            recipe="data_doctor",
        )
    )
    add_plan(doctor, PlanData("Essentials", 9900, billing="monthly"))
    add_faq(doctor, "Can it find duplicate suppliers?", "Yes, fuzzy matching finds them.")
    lens = create_product(
        ProductData(
            slug="pipeline-lens",
            name="Pipeline Lens",
            tagline="See where every deal stands",
            category="Sales analytics",
            use_cases=["Pipeline health", "Demand forecasting"],
            description_md="Win/loss analysis and stalled deals.",
            recipe="pipeline_lens",
        )
    )
    add_plan(lens, PlanData("Seat", 4900, billing="monthly", per_seat=True, max_quantity=10))
    rebuild_search_index()
    db.session.commit()
    return {"radar": radar, "doctor": doctor, "lens": lens}
