"""Stage definitions: the default stages (written by ``seed-demo`` and a data migration, never
by a read), listing them, and saving or deleting one (which replays every deal).
"""

from __future__ import annotations

from sqlalchemy import func, select, update

from portal.extensions import db
from portal.models import Stage
from portal.pipeline import criteria
from portal.pipeline.errors import PipelineError
from portal.pipeline.rebuild import rebuild_deals
from portal.pipeline.rules import forget_rules

# name, win probability %, criteria, stalled after days, is_won, notify, description.
# The room's figures (``criteria.ROOM_METRICS``) only ever add a way in (OR): a buyer alone,
# without a committee or a plan, moves through the stages on events as before.
DEFAULT_STAGES = (
    ("Exploring", 5, "", 30, False, False, "Someone from the account arrived and looked around."),
    (
        "Researching",
        10,
        "product_viewed >= 3 OR products_compared >= 1 OR sheet_downloaded >= 1"
        " OR resource_downloaded >= 1 OR searched >= 3 OR plan_steps_total >= 1",
        21,
        False,
        False,
        "Reading up: product pages, comparisons, sheets and guides; or a shortlist (and its"
        " evaluation plan) started.",
    ),
    (
        "Trying",
        25,
        "demo_uploaded >= 1 OR demo_started >= 1",
        14,
        False,
        False,
        "Running a demo on their own data.",
    ),
    (
        "Validating",
        45,
        "demo_completed >= 1 AND (testimonials_viewed >= 1 OR reference_requested >= 1"
        " OR question_asked >= 1 OR shares >= 1 OR plan_steps_done >= 2)",
        14,
        False,
        False,
        "A demo worked; now checking with customers who use it, sharing the result with the"
        " committee, or another plan step (a reference call, the security pack) is done.",
    ),
    (
        "Deciding",
        70,
        "cart_item_added >= 1 OR checkout_started >= 1 OR quote_downloaded >= 1"
        " OR quote_requested >= 1 OR order_placed >= 1"
        " OR (committee_members >= 2 AND plan_steps_done >= 3)",
        10,
        False,
        True,
        "Something is in the cart, a quote or an order; or a committee of two or more has"
        " done three plan steps.",
    ),
    ("Customer", 100, "order_paid >= 1", 0, True, False, "Paid. Stop selling, start servicing."),
)


def create_default_stages() -> list[Stage]:
    """Create the default stages when there are none (idempotent; ``seed-demo`` and the data
    migration call it, nothing that reads)."""
    stages = list(db.session.scalars(select(Stage).order_by(Stage.position, Stage.id)))
    if stages:
        return stages
    for position, (name, probability, text, stalled, won, notify, desc) in enumerate(
        DEFAULT_STAGES
    ):
        stages.append(
            Stage(
                name=name,
                position=position,
                probability=probability,
                criteria=criteria.validate(text),
                stalled_after_days=stalled,
                is_won=won,
                notify_on_entry=notify,
                description=desc,
            )
        )
    db.session.add_all(stages)
    db.session.flush()
    return stages


def list_stages() -> list[Stage]:
    """The stages in board order (a read: creates nothing)."""
    return list(db.session.scalars(select(Stage).order_by(Stage.position, Stage.id)))


def save_stage(
    stage: Stage | None,
    *,
    name: str,
    position: int,
    probability: int,
    criteria_text: str,
    stalled_after_days: int,
    is_won: bool = False,
    notify_on_entry: bool = False,
    description: str = "",
) -> tuple[Stage, bool]:
    """Create or update a stage after validating it. Returns (stage, rebuilt): changing the
    criteria or the order recomputes every deal from the events."""
    name = " ".join((name or "").split())
    if not name:
        raise PipelineError("Give the stage a name.", "name")
    if not 0 <= probability <= 100:
        raise PipelineError("The win probability is a percentage from 0 to 100.", "probability")
    if stalled_after_days < 0:
        raise PipelineError(
            "Use 0 (never stalled) or a positive number of days.", "stalled_after_days"
        )
    try:
        normalised = criteria.validate(criteria_text)
    except criteria.CriteriaError as error:
        raise PipelineError(str(error), "criteria") from None
    clash = db.session.scalar(select(Stage).where(func.lower(Stage.name) == name.lower()))
    if clash is not None and clash is not stage:
        raise PipelineError(f"There is already a stage called {clash.name}.", "name")
    if stage is None:
        stage = Stage()
        db.session.add(stage)
        rebuild_needed = True
    else:
        rebuild_needed = stage.criteria != normalised or stage.position != position
    stage.name = name
    stage.position = position
    stage.probability = probability
    stage.criteria = normalised
    stage.stalled_after_days = stalled_after_days
    stage.notify_on_entry = notify_on_entry
    stage.description = (description or "").strip()[:300]
    if is_won:  # one won stage
        db.session.execute(update(Stage).where(Stage.id != stage.id).values(is_won=False))
    stage.is_won = is_won
    db.session.flush()
    forget_rules()
    if rebuild_needed:
        rebuild_deals()
    return stage, rebuild_needed


def delete_stage(stage: Stage) -> None:
    """Remove a stage; its deals move to wherever their criteria now put them."""
    if db.session.scalar(select(func.count()).select_from(Stage)) <= 1:
        raise PipelineError("Keep at least one stage.")
    db.session.delete(stage)
    db.session.flush()
    forget_rules()
    rebuild_deals()
