"""catalog: full-text search index

Revision ID: 2476dd96d8d9
Revises: ee0dbf4d076b
Create Date: 2026-11-23 20:05:12.000000

The search index is shaped per database (see portal/models/search.py, which runs the same
statements after ``db.create_all``): an FTS5 virtual table on SQLite, a table with a generated
weighted tsvector and a GIN index on PostgreSQL. The statements are copied here on purpose, so
this revision keeps doing what it did when the application code changes later.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '2476dd96d8d9'
down_revision = 'ee0dbf4d076b'
branch_labels = None
depends_on = None

SQLITE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
    "title, body, kind UNINDEXED, ref_id UNINDEXED, product_id UNINDEXED, "
    "tokenize = 'porter unicode61 remove_diacritics 2')",
)

POSTGRESQL = (
    "CREATE TABLE IF NOT EXISTS search_fts ("
    " id SERIAL PRIMARY KEY,"
    " kind VARCHAR(12) NOT NULL,"
    " ref_id INTEGER NOT NULL,"
    " product_id INTEGER NOT NULL REFERENCES product (id) ON DELETE CASCADE,"
    " title TEXT NOT NULL,"
    " body TEXT NOT NULL,"
    " document TSVECTOR GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english', title), 'A') || "
    "setweight(to_tsvector('english', body), 'B')) STORED)",
    "CREATE INDEX IF NOT EXISTS ix_search_fts_document ON search_fts USING gin (document)",
    "CREATE INDEX IF NOT EXISTS ix_search_fts_product_id ON search_fts (product_id)",
)


def upgrade():
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(dialect, ()):
        op.execute(statement)
    # Products that already exist are indexed by `flask catalog reindex` (or seed-demo).


def downgrade():
    op.execute("DROP TABLE IF EXISTS search_fts")
