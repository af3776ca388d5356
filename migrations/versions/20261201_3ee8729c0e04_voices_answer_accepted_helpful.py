"""voices: the asker accepts an answer, readers mark answers helpful (best answer first)

Revision ID: 3ee8729c0e04
Revises: f7b9c1d3e5a6
Create Date: 2026-12-01 16:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

from portal.models.base import UTCDateTime


# revision identifiers, used by Alembic.
revision = '3ee8729c0e04'
down_revision = 'f7b9c1d3e5a6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_accepted', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('helpful_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.create_check_constraint('helpful_not_negative', 'helpful_count >= 0')
    op.create_table(
        'answer_helpful_vote',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('answer_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['answer_id'], ['answer.id'], name=op.f('fk_answer_helpful_vote_answer_id_answer'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_answer_helpful_vote_user_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_answer_helpful_vote')),
        sa.UniqueConstraint('answer_id', 'user_id', name='uq_answer_helpful_vote_answer_user'),
    )
    op.create_index(op.f('ix_answer_helpful_vote_answer_id'), 'answer_helpful_vote', ['answer_id'])
    op.create_index(op.f('ix_answer_helpful_vote_user_id'), 'answer_helpful_vote', ['user_id'])


def downgrade():
    op.drop_index(op.f('ix_answer_helpful_vote_user_id'), table_name='answer_helpful_vote')
    op.drop_index(op.f('ix_answer_helpful_vote_answer_id'), table_name='answer_helpful_vote')
    op.drop_table('answer_helpful_vote')
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_constraint('helpful_not_negative', type_='check')
        batch_op.drop_column('helpful_count')
        batch_op.drop_column('is_accepted')
