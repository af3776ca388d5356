"""pipeline: alerts raised once per deal and key; longer alert kinds

``notification.once_key`` names what an alert is about ("order:48"), so a deal raises it
once; kinds grow to 20 characters (quote_requested, quote_expiring, ...); the old "deciding"
kind becomes "stage" (any stage with alerts on).

Revision ID: c4e6a8b0d2f3
Revises: a3d5f7b9c1e2
Create Date: 2026-12-01 11:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e6a8b0d2f3'
down_revision = 'a3d5f7b9c1e2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=sa.String(length=12), type_=sa.String(length=20), existing_nullable=False)
        batch_op.add_column(sa.Column('once_key', sa.String(length=80), nullable=False, server_default=''))
        batch_op.create_index('ix_notification_deal_once', ['deal_id', 'once_key'], unique=False)
    op.execute("UPDATE notification SET kind = 'stage' WHERE kind = 'deciding'")


def downgrade():
    op.execute("UPDATE notification SET kind = 'deciding' WHERE kind = 'stage'")
    op.execute("DELETE FROM notification WHERE length(kind) > 12")
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_deal_once')
        batch_op.drop_column('once_key')
        batch_op.alter_column('kind', existing_type=sa.String(length=20), type_=sa.String(length=12), existing_nullable=False)
