"""auth: sign-up requests waiting for their e-mail address to be confirmed

A sign-up creates no user until the link mailed to the address is followed; until then the
request (address, name, company, password hash) waits here. Users that exist already were
created before, by the seed, the CLI or an invitation, and stay as they are: confirmed.

Revision ID: f62285263d27
Revises: 8f1e53e48a71
Create Date: 2026-12-01 16:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

from portal.models.base import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'f62285263d27'
down_revision = '8f1e53e48a71'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'signup_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('company', sa.String(length=200), nullable=True),
        sa.Column('password_hash', sa.String(length=255), nullable=False),
        sa.Column('next_path', sa.String(length=500), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_signup_request')),
    )
    with op.batch_alter_table('signup_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signup_request_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_signup_request_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('signup_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signup_request_created_at'))
        batch_op.drop_index(batch_op.f('ix_signup_request_email'))
    op.drop_table('signup_request')
