"""The catalog's full-text search index, kept outside SQLAlchemy's metadata.

One table, ``search_fts``, holds one row per searchable thing (a product, a resource, a FAQ
entry) and is built differently per database, because each database's own full-text search
wants its own shape:

- SQLite: an FTS5 virtual table (``bm25`` ranking, porter stemming);
- PostgreSQL: a plain table with a generated, weighted ``tsvector`` column and a GIN index.

Neither shape can be expressed as a SQLAlchemy ``Table``, so the DDL lives here: it runs right
after the ``product`` table is created (``db.create_all`` in tests) and is repeated verbatim in
the catalog migration. ``include_in_migrations`` keeps Alembic's autogenerate from proposing
to drop the index (SQLite also lists FTS5's shadow tables, ``search_fts_data`` etc.).
The rows are written only by ``portal.catalog.search.rebuild_search_index``.
"""

from __future__ import annotations

from sqlalchemy import DDL, event

from portal.models.catalog import Product

SEARCH_TABLE = "search_fts"

SQLITE_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
    "title, body, kind UNINDEXED, ref_id UNINDEXED, product_id UNINDEXED, "
    "tokenize = 'porter unicode61 remove_diacritics 2')",
)

POSTGRESQL_DDL = (
    "CREATE TABLE IF NOT EXISTS search_fts ("
    " id SERIAL PRIMARY KEY,"
    " kind VARCHAR(12) NOT NULL,"
    " ref_id INTEGER NOT NULL,"
    # CASCADE: a TRUNCATE or DELETE of products empties their index rows too.
    " product_id INTEGER NOT NULL REFERENCES product (id) ON DELETE CASCADE,"
    " title TEXT NOT NULL,"
    " body TEXT NOT NULL,"
    " document TSVECTOR GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english', title), 'A') || "
    "setweight(to_tsvector('english', body), 'B')) STORED)",
    "CREATE INDEX IF NOT EXISTS ix_search_fts_document ON search_fts USING gin (document)",
    "CREATE INDEX IF NOT EXISTS ix_search_fts_product_id ON search_fts (product_id)",
)

DROP_DDL = "DROP TABLE IF EXISTS search_fts"


def include_in_migrations(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic ``include_name`` hook: autogenerate ignores the search index tables."""
    return not (type_ == "table" and name is not None and name.startswith(SEARCH_TABLE))


for _statement in SQLITE_DDL:
    event.listen(Product.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in POSTGRESQL_DDL:
    event.listen(
        Product.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql")
    )
event.listen(Product.__table__, "before_drop", DDL(DROP_DDL))
