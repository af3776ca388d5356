"""pipeline: the default stages read the buying room (plan steps, committee, shares)

Researching, Validating and Deciding gain a way in through the room's figures, as OR clauses:
a buyer alone, without a committee or a plan, still moves on the events alone. Only stages
whose criteria are still exactly the defaults written by 693f02e7c2d4 change (matched on the
criteria text, so a renamed stage with default criteria changes too); an admin's edited
criteria are left as they are. A description changes only where it is still the default.
Downgrade puts back the event-only criteria where the room-aware defaults are unchanged.

Deals move to a further stage these criteria allow at their next event or room change;
``flask pipeline rebuild`` replays them all at once.

Revision ID: 558e9d2df0bd
Revises: 3ee8729c0e04
Create Date: 2026-12-01 16:40:00.000000

"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from portal.models.base import UTCDateTime

# revision identifiers, used by Alembic.
revision = '558e9d2df0bd'
down_revision = '3ee8729c0e04'
branch_labels = None
depends_on = None

stage = sa.table(
    'stage',
    sa.column('criteria', sa.String),
    sa.column('description', sa.String),
    sa.column('updated_at', UTCDateTime(timezone=True)),
)

# (criteria before, criteria after, description before, description after), normalised as
# ``portal.pipeline.criteria.validate`` writes them. Frozen here: the code may move on.
CHANGES = (
    (
        "product_viewed >= 3 OR products_compared >= 1 OR sheet_downloaded >= 1"
        " OR resource_downloaded >= 1 OR searched >= 3",
        "product_viewed >= 3 OR products_compared >= 1 OR sheet_downloaded >= 1"
        " OR resource_downloaded >= 1 OR searched >= 3 OR plan_steps_total >= 1",
        "Reading up: product pages, comparisons, sheets and guides.",
        "Reading up: product pages, comparisons, sheets and guides; or a shortlist (and its"
        " evaluation plan) started.",
    ),
    (
        "demo_completed >= 1 AND (testimonials_viewed >= 1 OR reference_requested >= 1"
        " OR question_asked >= 1)",
        "demo_completed >= 1 AND (testimonials_viewed >= 1 OR reference_requested >= 1"
        " OR question_asked >= 1 OR shares >= 1 OR plan_steps_done >= 2)",
        "A demo worked; now checking with customers who use it.",
        "A demo worked; now checking with customers who use it, sharing the result with the"
        " committee, or another plan step (a reference call, the security pack) is done.",
    ),
    (
        "cart_item_added >= 1 OR checkout_started >= 1 OR quote_downloaded >= 1"
        " OR quote_requested >= 1 OR order_placed >= 1",
        "cart_item_added >= 1 OR checkout_started >= 1 OR quote_downloaded >= 1"
        " OR quote_requested >= 1 OR order_placed >= 1"
        " OR (committee_members >= 2 AND plan_steps_done >= 3)",
        "Something is in the cart, a quote or an order.",
        "Something is in the cart, a quote or an order; or a committee of two or more has"
        " done three plan steps.",
    ),
)


def move_criteria(connection, forward: bool = True) -> int:
    """Replace default criteria (and default descriptions) with their counterparts; returns
    the number of stages changed. Stages with other criteria are not touched."""
    now = datetime.now(UTC)
    changed = 0
    for criteria_old, criteria_new, words_old, words_new in CHANGES:
        if not forward:
            criteria_old, criteria_new = criteria_new, criteria_old
            words_old, words_new = words_new, words_old
        connection.execute(
            sa.update(stage)
            .where(stage.c.criteria == criteria_old, stage.c.description == words_old)
            .values(description=words_new)
        )
        result = connection.execute(
            sa.update(stage)
            .where(stage.c.criteria == criteria_old)
            .values(criteria=criteria_new, updated_at=now)
        )
        changed += result.rowcount or 0
    return changed


def upgrade():
    move_criteria(op.get_bind(), forward=True)


def downgrade():
    move_criteria(op.get_bind(), forward=False)
