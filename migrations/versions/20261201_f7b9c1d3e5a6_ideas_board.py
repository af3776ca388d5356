"""ideas: the co-creation board (ideas, votes, comments, notices to voters)

Revision ID: f7b9c1d3e5a6
Revises: c4e6a8b0d2f3
Create Date: 2026-12-01 13:45:00.000000

"""
from alembic import op
import sqlalchemy as sa

from portal.models.base import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'f7b9c1d3e5a6'
down_revision = 'c4e6a8b0d2f3'
branch_labels = None
depends_on = None

STATUS_CHECK = "status IN ('new', 'under_review', 'planned', 'in_progress', 'shipped', 'declined')"


def upgrade():
    op.create_table(
        'idea',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('product_id', sa.Integer(), nullable=True),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('title', sa.String(length=140), nullable=False),
        sa.Column('description_md', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('status_note', sa.Text(), nullable=False),
        sa.Column('status_changed_at', UTCDateTime(), nullable=True),
        sa.Column('merged_into_id', sa.Integer(), nullable=True),
        sa.Column('is_hidden', sa.Boolean(), nullable=False),
        sa.Column('vote_count', sa.Integer(), nullable=False),
        sa.Column('customer_vote_count', sa.Integer(), nullable=False),
        sa.Column('comment_count', sa.Integer(), nullable=False),
        sa.Column('trend_log', sa.Float(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.CheckConstraint(STATUS_CHECK, name=op.f('ck_idea_status_known')),
        sa.CheckConstraint('vote_count >= 0 AND customer_vote_count >= 0', name=op.f('ck_idea_votes_positive')),
        sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_idea_author_id_user_account'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['merged_into_id'], ['idea.id'], name=op.f('fk_idea_merged_into_id_idea'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_idea_product_id_product'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_idea')),
    )
    op.create_index(op.f('ix_idea_author_id'), 'idea', ['author_id'])
    op.create_index(op.f('ix_idea_merged_into_id'), 'idea', ['merged_into_id'])
    op.create_index('ix_idea_board_votes', 'idea', ['merged_into_id', 'is_hidden', 'vote_count'])
    op.create_index('ix_idea_board_trend', 'idea', ['merged_into_id', 'is_hidden', 'trend_log'])
    op.create_index('ix_idea_product_status', 'idea', ['product_id', 'status'])
    op.create_table(
        'idea_vote',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('idea_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('is_customer', sa.Boolean(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_idea_vote_account_id_account'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['idea_id'], ['idea.id'], name=op.f('fk_idea_vote_idea_id_idea'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_idea_vote_user_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_vote')),
        sa.UniqueConstraint('idea_id', 'user_id', name='uq_idea_vote_idea_user'),
    )
    op.create_index(op.f('ix_idea_vote_idea_id'), 'idea_vote', ['idea_id'])
    op.create_index(op.f('ix_idea_vote_user_id'), 'idea_vote', ['user_id'])
    op.create_index(op.f('ix_idea_vote_account_id'), 'idea_vote', ['account_id'])
    op.create_table(
        'idea_comment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('idea_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('is_staff', sa.Boolean(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('is_hidden', sa.Boolean(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_idea_comment_author_id_user_account'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['idea_id'], ['idea.id'], name=op.f('fk_idea_comment_idea_id_idea'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_comment')),
    )
    op.create_index(op.f('ix_idea_comment_author_id'), 'idea_comment', ['author_id'])
    op.create_index('ix_idea_comment_idea_created', 'idea_comment', ['idea_id', 'created_at'])
    op.create_table(
        'idea_notice',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('idea_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('message', sa.String(length=1300), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('sent_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['idea_id'], ['idea.id'], name=op.f('fk_idea_notice_idea_id_idea'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_idea_notice_user_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_notice')),
    )
    op.create_index('ix_idea_notice_pending', 'idea_notice', ['sent_at', 'user_id'])


def downgrade():
    op.drop_table('idea_notice')
    op.drop_table('idea_comment')
    op.drop_table('idea_vote')
    op.drop_table('idea')
