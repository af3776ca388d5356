"""auth: a session version per user (revocable sessions) and the latest reset-link nonce

``user_account.session_version`` is part of every session and remember cookie; raising it
(logout, sign out everywhere, password change or reset) ends them all. ``reset_nonce`` names
the one password-reset link that still works.

Revision ID: d5f7a9b1c3e4
Revises: c4e6a8b0d2f3
Create Date: 2026-12-01 13:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd5f7a9b1c3e4'
down_revision = 'c4e6a8b0d2f3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('reset_nonce', sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('reset_nonce')
        batch_op.drop_column('session_version')
