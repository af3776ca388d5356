"""Prices a deal's value is computed from: plan prices and each product's cheapest active plan."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from portal.extensions import db
from portal.models import Plan
from portal.pipeline.engine import DealState
from portal.pipeline.settings import setting
from portal.pipeline.value import PriceBook


def deal_currency() -> str:
    return setting("PIPELINE_CURRENCY")


def prices_for(state: DealState) -> PriceBook:
    plan_ids = [int(p) for p in state.cart]
    return load_prices(plan_ids=plan_ids, product_ids=state.tried_products)


def load_prices(
    plan_ids: Iterable[int] | None = None, product_ids: Iterable[int] | None = None
) -> PriceBook:
    """Plan prices by plan id, and the cheapest active plan per product. None = all."""
    book = PriceBook()
    plan_ids = None if plan_ids is None else list(plan_ids)
    product_ids = None if product_ids is None else list(product_ids)
    if plan_ids is None or plan_ids:
        query = select(Plan.id, Plan.unit_amount, Plan.currency)
        if plan_ids is not None:
            query = query.where(Plan.id.in_(plan_ids))
        book.plans = {pid: (amount, cur) for pid, amount, cur in db.session.execute(query)}
    if product_ids is None or product_ids:
        query = select(Plan.product_id, Plan.unit_amount, Plan.currency).where(Plan.is_active)
        if product_ids is not None:
            query = query.where(Plan.product_id.in_(product_ids))
        for product_id, amount, cur in db.session.execute(query):
            if product_id not in book.cheapest or (amount, cur) < book.cheapest[product_id]:
                book.cheapest[product_id] = (amount, cur)
    return book
