"""catalog: the product page's content version (cached page bodies)

``catalog_page_version`` holds one number raised in the same transaction as every write to a
table the product page shows, so each process renders a product page's visitor-independent
body once per change instead of on every view (portal.catalog.page_cache).

Revision ID: 3a7c5e9b1d24
Revises: 289bf390d088
Create Date: 2026-12-01 20:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3a7c5e9b1d24'
down_revision = '289bf390d088'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'catalog_page_version',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_page_version')),
    )


def downgrade():
    op.drop_table('catalog_page_version')
