"""pipeline: the stage history's version (cached medians); currency in the forecast index

``stage_history_version`` holds one number raised with every change to the stage history,
so the analytics medians are computed once per change instead of on every page view
(portal.pipeline.history_figures). ``ix_deal_stage_value`` also covers ``currency``: the
forecast and the pipeline numbers group by it.

Revision ID: 289bf390d088
Revises: f62285263d27
Create Date: 2026-12-01 16:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '289bf390d088'
down_revision = 'f62285263d27'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'stage_history_version',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_history_version')),
    )
    with op.batch_alter_table('deal', schema=None) as batch_op:
        batch_op.drop_index('ix_deal_stage_value')
        batch_op.create_index(
            'ix_deal_stage_value',
            ['stage_id', 'value', 'lost_at', 'stage_entered_at', 'currency'],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table('deal', schema=None) as batch_op:
        batch_op.drop_index('ix_deal_stage_value')
        batch_op.create_index(
            'ix_deal_stage_value', ['stage_id', 'value', 'lost_at', 'stage_entered_at'], unique=False
        )
    op.drop_table('stage_history_version')
