"""room: snapshots of the room's figures, one per change (the history a rebuild replays)

Backfill: a deal that already holds room figures gets one snapshot of them from the moment
the deal opened (the rebuild used today's figures from the start until now: the same
result). Downgrade drops the history.

Revision ID: 8f1e53e48a71
Revises: 558e9d2df0bd
Create Date: 2026-12-01 16:45:00.000000

"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import portal.models.base

# revision identifiers, used by Alembic.
revision = '8f1e53e48a71'
down_revision = '558e9d2df0bd'
branch_labels = None
depends_on = None


def upgrade():
    snapshot = op.create_table('room_snapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_room_snapshot_account_id_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_room_snapshot'))
    )
    with op.batch_alter_table('room_snapshot', schema=None) as batch_op:
        batch_op.create_index('ix_room_snapshot_account_at', ['account_id', 'at'], unique=False)

    deal = sa.table(
        'deal',
        sa.column('account_id', sa.Integer),
        sa.column('room', sa.JSON),
        sa.column('opened_at', portal.models.base.UTCDateTime(timezone=True)),
    )
    now = datetime.now(UTC)
    rows = [
        {
            'account_id': account_id,
            'at': opened_at or now,
            'figures': {k: v for k, v in room.items() if k != 'at'},
        }
        for account_id, room, opened_at in op.get_bind().execute(
            sa.select(deal.c.account_id, deal.c.room, deal.c.opened_at)
        )
        if room
    ]
    if rows:
        op.bulk_insert(snapshot, rows)


def downgrade():
    with op.batch_alter_table('room_snapshot', schema=None) as batch_op:
        batch_op.drop_index('ix_room_snapshot_account_at')

    op.drop_table('room_snapshot')
