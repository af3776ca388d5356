"""What the vendor sells: products, their plans (prices), resources and FAQ."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, TimestampMixin

BILLING_PERIODS = ("one_time", "monthly", "yearly")
RESOURCE_KINDS = ("datasheet", "guide", "video")


class Product(TimestampMixin, Base):
    __tablename__ = "product"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    tagline: Mapped[str] = mapped_column(String(200), default="")
    category: Mapped[str] = mapped_column(String(60), index=True, default="")
    use_cases: Mapped[list[str]] = mapped_column(JSON, default=list)
    description_md: Mapped[str] = mapped_column(Text, default="")
    # [{"title": ..., "text": ...}]
    features: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # [[label, value], ...] keeps the vendor's order
    specs: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    # Name of the sandbox recipe this product demos (``sandbox.RECIPES``).
    recipe: Mapped[str | None] = mapped_column(String(60))
    is_active: Mapped[bool] = mapped_column(default=True, index=True)
    is_featured: Mapped[bool] = mapped_column(default=False)
    sort_order: Mapped[int] = mapped_column(default=0)

    plans: Mapped[list[Plan]] = relationship(
        back_populates="product", order_by="Plan.sort_order, Plan.unit_amount"
    )
    resources: Mapped[list[Resource]] = relationship(
        back_populates="product", order_by="Resource.sort_order, Resource.id"
    )
    faqs: Mapped[list[Faq]] = relationship(
        back_populates="product", order_by="Faq.sort_order, Faq.id"
    )

    @property
    def is_archived(self) -> bool:
        return not self.is_active

    @property
    def active_plans(self) -> list[Plan]:
        """The plans on sale (archived plans stay for old orders)."""
        return [plan for plan in self.plans if plan.is_active]

    @property
    def starting_plan(self) -> Plan | None:
        """The cheapest plan on sale: the "from" price on cards."""
        return min(self.active_plans, key=lambda plan: plan.unit_amount, default=None)


class Plan(TimestampMixin, Base):
    """A price. Money is integer minor units plus an ISO 4217 currency, never a float."""

    __tablename__ = "plan"
    __table_args__ = (
        CheckConstraint("unit_amount >= 0", name="unit_amount_not_negative"),
        CheckConstraint("min_quantity >= 1", name="min_quantity_positive"),
        CheckConstraint("max_quantity >= min_quantity", name="quantity_bounds"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(String(300), default="")
    unit_amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    billing: Mapped[str] = mapped_column(String(12), default="monthly")
    per_seat: Mapped[bool] = mapped_column(default=False)
    min_quantity: Mapped[int] = mapped_column(default=1)
    max_quantity: Mapped[int] = mapped_column(default=1)
    is_active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)

    product: Mapped[Product] = relationship(back_populates="plans")

    @property
    def billing_label(self) -> str:
        """How the price applies, in words: "per seat per month", "one-time", ..."""
        period = {"one_time": "one-time", "monthly": "per month", "yearly": "per year"}
        label = period.get(self.billing, self.billing)
        if not self.per_seat:
            return label
        return "per seat, one-time" if self.billing == "one_time" else f"per seat {label}"


class Resource(TimestampMixin, Base):
    """A datasheet or guide (an uploaded, validated PDF) or a video link."""

    __tablename__ = "resource"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(160))
    summary: Mapped[str] = mapped_column(String(400), default="")
    url: Mapped[str | None] = mapped_column(String(500))
    # Opaque stored file name (never a user-supplied path) for uploaded PDFs.
    file_key: Mapped[str | None] = mapped_column(String(80))
    sort_order: Mapped[int] = mapped_column(default=0)

    product: Mapped[Product] = relationship(back_populates="resources")

    @property
    def is_file(self) -> bool:
        return self.file_key is not None


class Faq(TimestampMixin, Base):
    __tablename__ = "faq"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    question: Mapped[str] = mapped_column(String(300))
    answer_md: Mapped[str] = mapped_column(Text)
    sort_order: Mapped[int] = mapped_column(default=0)

    product: Mapped[Product] = relationship(back_populates="faqs")


class CatalogPageVersion(Base):
    """One row: a number raised in the same transaction as every write to a table the
    product page shows (portal.catalog.page_cache). Each process keeps the rendered,
    visitor-independent part of a product page under the version it read first, so a view
    reads this one row instead of the product, its plans and its voices. No row yet =
    version 0."""

    __tablename__ = "catalog_page_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(default=0)
