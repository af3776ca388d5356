"""pipeline: the default stages

The buyer's process (Exploring → Researching → Trying → Validating → Deciding → Customer) as
data, so that no page has to create stages when it reads them. Written only into an empty
stage table; the definitions are ``portal.pipeline.stages.DEFAULT_STAGES`` (also used by
``seed-demo``). Downgrade leaves the stages alone: admins may have edited them.

Revision ID: 693f02e7c2d4
Revises: 307040c59f24
Create Date: 2026-12-01 10:40:00.000000

"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from portal.models.base import UTCDateTime
from portal.pipeline import criteria
from portal.pipeline.stages import DEFAULT_STAGES

# revision identifiers, used by Alembic.
revision = '693f02e7c2d4'
down_revision = '307040c59f24'
branch_labels = None
depends_on = None

stage = sa.table(
    'stage',
    sa.column('name', sa.String),
    sa.column('position', sa.Integer),
    sa.column('probability', sa.Integer),
    sa.column('criteria', sa.String),
    sa.column('stalled_after_days', sa.Integer),
    sa.column('is_won', sa.Boolean),
    sa.column('notify_on_entry', sa.Boolean),
    sa.column('description', sa.String),
    sa.column('created_at', UTCDateTime(timezone=True)),
    sa.column('updated_at', UTCDateTime(timezone=True)),
)


def upgrade():
    connection = op.get_bind()
    if connection.scalar(sa.select(sa.func.count()).select_from(stage)):
        return
    now = datetime.now(UTC)
    op.bulk_insert(
        stage,
        [
            {
                'name': name,
                'position': position,
                'probability': probability,
                'criteria': criteria.validate(text),
                'stalled_after_days': stalled,
                'is_won': won,
                'notify_on_entry': notify,
                'description': description,
                'created_at': now,
                'updated_at': now,
            }
            for position, (name, probability, text, stalled, won, notify, description) in enumerate(
                DEFAULT_STAGES
            )
        ],
    )


def downgrade():
    pass
