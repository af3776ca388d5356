"""commerce: tax treatment, note and VAT-id check on orders

Revision ID: 5b1e7c3d9a20
Revises: 693f02e7c2d4
Create Date: 2026-12-01 10:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b1e7c3d9a20'
down_revision = '693f02e7c2d4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('order_record', schema=None) as batch_op:
        # existing orders: treatment unknown (''), no note, VAT id not checked
        batch_op.add_column(sa.Column('tax_treatment', sa.String(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('tax_note', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('vat_check', sa.String(length=10), nullable=False, server_default='none'))
        batch_op.add_column(sa.Column('buyer_is_business', sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade():
    with op.batch_alter_table('order_record', schema=None) as batch_op:
        batch_op.drop_column('buyer_is_business')
        batch_op.drop_column('vat_check')
        batch_op.drop_column('tax_note')
        batch_op.drop_column('tax_treatment')
