"""Try before you buy: who owns which sandbox dataset and run.

The files themselves (Parquet data, results) live in the sandbox store; these rows link a
sandbox id to its owner (a user or a consenting visitor) and product, so the portal can list
them, apply quotas, export or erase them and credit journey events. Deleting a dataset
deletes its rows and its files.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow

if TYPE_CHECKING:
    from portal.models.catalog import Product

RUN_STATES = ("queued", "running", "succeeded", "failed")


class TrialDataset(Base):
    """A file a prospect uploaded (or the sample they chose), as stored in the sandbox."""

    __tablename__ = "trial_dataset"

    id: Mapped[int] = mapped_column(primary_key=True)
    sandbox_id: Mapped[str] = mapped_column(String(40), unique=True)
    # "u<user id>" or "v<visitor id>": the sandbox store's owner key.
    owner_key: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    format: Mapped[str] = mapped_column(String(16))
    rows: Mapped[int] = mapped_column(BigInteger)
    columns: Mapped[int]
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    is_sample: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)

    runs: Mapped[list[TrialRun]] = relationship(
        back_populates="dataset",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="TrialRun.created_at.desc()",
    )
    product: Mapped[Product | None] = relationship()


class TrialRun(Base):
    """One demo run of a recipe on a dataset; ``state`` mirrors the sandbox run state."""

    __tablename__ = "trial_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    sandbox_id: Mapped[str] = mapped_column(String(40), unique=True)
    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("trial_dataset.id", ondelete="CASCADE"), index=True
    )
    owner_key: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"), index=True)
    recipe: Mapped[str] = mapped_column(String(60))
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(12), default="queued", index=True)
    rows: Mapped[int | None] = mapped_column(BigInteger)
    error_category: Mapped[str | None] = mapped_column(String(20))
    # Journey credit for the completion event, kept only when the person consented.
    visitor_id: Mapped[str | None] = mapped_column(String(40))
    tracked: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)

    dataset: Mapped[TrialDataset] = relationship(back_populates="runs")
    product: Mapped[Product | None] = relationship()

    @property
    def done(self) -> bool:
        return self.state in ("succeeded", "failed")
