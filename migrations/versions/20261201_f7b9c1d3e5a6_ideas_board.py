"""ideas: the co-creation board (ideas, votes, comments, notices to voters); reviews with
depth (sub-ratings, recommend 0-10, pros, cons, use case), vendor replies, review revisions

Revision ID: f7b9c1d3e5a6
Revises: e6a8b0c2d4f5
Create Date: 2026-12-01 13:45:00.000000

"""
from alembic import op
import sqlalchemy as sa

from portal.models.base import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'f7b9c1d3e5a6'
down_revision = 'e6a8b0c2d4f5'
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
    with op.batch_alter_table('testimonial', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ease_of_use', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('support_rating', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('value_rating', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('recommend', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('pros', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('cons', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('use_case', sa.String(length=200), nullable=False, server_default=''))
        batch_op.create_check_constraint('ease_range', 'ease_of_use BETWEEN 1 AND 5')
        batch_op.create_check_constraint('support_range', 'support_rating BETWEEN 1 AND 5')
        batch_op.create_check_constraint('value_range', 'value_rating BETWEEN 1 AND 5')
        batch_op.create_check_constraint('recommend_range', 'recommend BETWEEN 0 AND 10')
    op.create_table(
        'vendor_reply',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('testimonial_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('moderated_by_id', sa.Integer(), nullable=True),
        sa.Column('moderated_at', UTCDateTime(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.CheckConstraint("status IN ('pending', 'approved', 'rejected')", name=op.f('ck_vendor_reply_status_known')),
        sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_vendor_reply_author_id_user_account'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['moderated_by_id'], ['user_account.id'], name=op.f('fk_vendor_reply_moderated_by_id_user_account'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['testimonial_id'], ['testimonial.id'], name=op.f('fk_vendor_reply_testimonial_id_testimonial'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_vendor_reply')),
        sa.UniqueConstraint('testimonial_id', name=op.f('uq_vendor_reply_testimonial_id')),
    )
    op.create_table(
        'testimonial_revision',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('testimonial_id', sa.Integer(), nullable=False),
        sa.Column('snapshot', sa.JSON(), nullable=False),
        sa.Column('published_at', UTCDateTime(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['testimonial_id'], ['testimonial.id'], name=op.f('fk_testimonial_revision_testimonial_id_testimonial'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_testimonial_revision')),
    )
    op.create_index(op.f('ix_testimonial_revision_testimonial_id'), 'testimonial_revision', ['testimonial_id'])


def downgrade():
    op.drop_table('testimonial_revision')
    op.drop_table('vendor_reply')
    with op.batch_alter_table('testimonial', schema=None) as batch_op:
        for name in ('recommend_range', 'value_range', 'support_range', 'ease_range'):
            batch_op.drop_constraint(op.f(f'ck_testimonial_{name}'), type_='check')
        for column in ('use_case', 'cons', 'pros', 'recommend', 'value_rating', 'support_rating', 'ease_of_use'):
            batch_op.drop_column(column)
    op.drop_table('idea_notice')
    op.drop_table('idea_comment')
    op.drop_table('idea_vote')
    op.drop_table('idea')
