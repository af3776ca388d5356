"""pipeline: deal value with its source (orders and quotes books, reference, label)

The deal's orders and quotes as the journey told them, and the value's reference (order or
quote number, the id to link to) and words ("open invoice order TD-48"). Existing deals get
empty books; ``flask pipeline rebuild`` recomputes them (and their values) from the events.

Revision ID: a3d5f7b9c1e2
Revises: 27aac7a9cdb8
Create Date: 2026-12-01 11:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3d5f7b9c1e2'
down_revision = '27aac7a9cdb8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('deal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('orders', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
        batch_op.add_column(sa.Column('quotes', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
        batch_op.add_column(sa.Column('value_ref', sa.String(length=40), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('value_ref_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('value_label', sa.String(length=120), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('deal', schema=None) as batch_op:
        batch_op.drop_column('value_label')
        batch_op.drop_column('value_ref_id')
        batch_op.drop_column('value_ref')
        batch_op.drop_column('quotes')
        batch_op.drop_column('orders')
