"""The product page's visitor-independent body, rendered once per product and content version.

A product page view used to load the product with its plans, resources and FAQ, aggregate its
testimonials and answer delays, and render ~40 links, for a body that is the same for every
visitor. Now each process keeps that body, rendered, under the *catalog page version*: one
number in ``catalog_page_version``, raised in the same transaction as every write to a table
the page shows (``PAGE_TABLES``). A view reads that one row; while it has not moved, the body
comes from memory and only the per-visitor shell (navigation, cart count, consent banner,
flash messages) is rendered.

Per visitor, inside the body:
- CSRF tokens: the body is rendered with ``csrf_token()`` answering a marker (random per
  process, so no stored text can contain it); the marker is split out once and each view
  joins the parts with its own token. A visitor never sees another's token.
- The visitor's roles (the shortlist button is for signed-in buyers): the body is rendered
  with a ``current_user`` that holds the roles and nothing else (``Roles``) and kept per
  role combination. Anything else personal would render empty in the cached body and differ
  from the uncached page, which the tests compare byte for byte per visitor state.

Why the version is exact:
- every INSERT/UPDATE/DELETE SQLAlchemy executes on a page table is seen at the engine
  (``after_execute``), whoever issued it: the unit of work, ``update()``/``delete()``
  statements, Core. So are DELETEs on tables whose deletion cascades *in the database* into
  a page table (deleting a user deletes their testimonials). Statements in a Session raise the
  version once, just before it commits (the version row is the transaction's last lock, so
  two writers cannot deadlock on it); a bare Connection raises it after the statement;
- the version is read before the product, and a reader sees only committed versions, so a
  body is never older than the version it is kept under (it may be newer: harmless);
- a transaction that wrote a page table renders without the cache (it may still roll back);
- the store is per application (two databases never share it) and bounded: an LRU of
  ``PRODUCT_PAGE_CACHE_SIZE`` bodies (product × roles × script root, ~15 kB each).

Raw SQL text (``text("UPDATE plan …")``) is not seen: write page tables through SQLAlchemy
constructs. Preview pages are never cached.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import lru_cache, partial

from flask import current_app, render_template, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool
from sqlalchemy.sql.dml import UpdateBase

from portal.catalog import version_feed
from portal.extensions import db
from portal.models import CatalogPageVersion, Faq, Plan, Product, Resource
from portal.models.base import Base, version_bump
from portal.models.voices import Answer, Question, Testimonial

# What the product page shows: the product, its plans, resources, FAQ, the testimonial
# summary (testimonials) and the typical answer time (questions and answers). A test renders
# the page cold and checks that every table it reads is here.
PAGE_MODELS = (Product, Plan, Resource, Faq, Testimonial, Question, Answer)
PAGE_TABLES = frozenset(model.__table__.name for model in PAGE_MODELS)
VERSION_ROW = 1
BODY_TEMPLATE = "catalog/_product_body.html"

_STORE = "catalog.page_cache"
_CHANGED = "catalog.page_changed"  # session.info: this transaction wrote a page table
_OWNER = "catalog.page_session"  # connection.info: the session.info its writes belong to
_OWNED = "catalog.page_connections"  # session.info: connection.info dicts it owns
_SOURCE = "catalog.page_version_source"  # app.extensions: what gives the version
_source_lock = threading.Lock()
_table = CatalogPageVersion.__table__
_READ_VERSION = select(_table.c.version).where(_table.c.id == VERSION_ROW)
# A marker in place of the CSRF token while the body is rendered for everyone.
_TOKEN = f"csrf-{secrets.token_hex(16)}"


def _cascading_tables() -> frozenset[str]:
    """Tables whose DELETE changes a page table in the database itself (ON DELETE CASCADE or
    SET NULL on a page table's foreign key): the ORM never sees those rows change."""
    found = set()
    for name in PAGE_TABLES:
        for key in Base.metadata.tables[name].foreign_keys:
            if (key.ondelete or "").upper() in ("CASCADE", "SET NULL", "SET DEFAULT"):
                found.add(key.column.table.name)
    return frozenset(found - PAGE_TABLES)


DELETE_TABLES = _cascading_tables()


# -- the version ------------------------------------------------------------------------


@lru_cache(maxsize=4)
def bump_statement(dialect: str):
    """Raise the version by one (the row made on first use); on PostgreSQL also notify
    every process of the new number (see :mod:`.version_feed`), which the statement
    returns."""
    bump = version_bump(_table, dialect, VERSION_ROW)
    return version_feed.notifying_bump(bump, _table.c.version) if dialect == "postgresql" else bump


def _raise_version(conn: Connection | Session, dialect: str) -> None:
    result = conn.execute(bump_statement(dialect))
    if dialect == "postgresql":
        url = (conn.engine if isinstance(conn, Connection) else conn.get_bind()).url
        version_feed.expect(url, result.scalar_one())


def _changes_page(statement) -> bool:
    if not isinstance(statement, UpdateBase):
        return False
    name = getattr(statement.table, "name", None)
    return name in PAGE_TABLES or (statement.is_delete and name in DELETE_TABLES)


@event.listens_for(Engine, "after_execute")
def _statement_executed(conn: Connection, statement, *_args) -> None:
    if not _changes_page(statement):
        return
    owner = conn.info.get(_OWNER)
    if owner is not None:
        owner[_CHANGED] = True  # raised once, when the session commits
    else:
        _raise_version(conn, conn.dialect.name)


@event.listens_for(Pool, "checkin")
def _connection_returned(_dbapi_connection, record) -> None:
    record.info.pop(_OWNER, None)  # whatever happened to its session, it owns it no more


@event.listens_for(Session, "after_begin")
def _session_began(session: Session, _transaction, connection: Connection) -> None:
    connection.info[_OWNER] = session.info
    session.info.setdefault(_OWNED, []).append(connection.info)


@event.listens_for(Session, "before_commit")
def _session_committing(session: Session) -> None:
    if session.in_nested_transaction():
        return
    session.flush()  # pending changes are written (and seen) before deciding
    if session.info.pop(_CHANGED, False):
        _raise_version(session, session.get_bind().dialect.name)


@event.listens_for(Session, "after_transaction_end")
def _session_ended(session: Session, transaction) -> None:
    if transaction.parent is not None:
        return
    for info in session.info.pop(_OWNED, ()):
        if info.get(_OWNER) is session.info:
            del info[_OWNER]
    session.info.pop(_CHANGED, None)


def page_version() -> int:
    """The committed version this request sees. In a transaction already (a signed-in
    visitor's user was loaded, or something is pending), read there after flushing; else
    outside the session (see ``_version_source``): an anonymous view then never begins the
    session's transaction."""
    session = db.session()
    if session.in_transaction() or session.new or session.dirty or session.deleted:
        session.flush()  # this transaction's own writes are seen (see _CHANGED)
        return db.session.scalar(_READ_VERSION) or 0
    return _version_source(current_app)()


def _read_version(engine: Engine) -> int:
    try:
        with engine.connect() as conn:
            return conn.scalar(_READ_VERSION) or 0
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
    with engine.connect() as conn:  # the server dropped that connection: once more, afresh
        return conn.scalar(_READ_VERSION) or 0


def _version_source(app) -> Callable[[], int]:
    """What gives the committed version outside a session, made once per app.

    On PostgreSQL the process's notification feed (:mod:`.version_feed`, unless
    ``PRODUCT_PAGE_VERSION_FEED`` is off), which reads the row when it must through a small
    engine of its own, in autocommit and without pre-ping: taking a pooled connection
    otherwise costs a ping, and the read a BEGIN and a ROLLBACK, four round trips for one
    number. A connection the server dropped fails the read, which is then tried once more
    (the optimistic way of handling disconnects, safe for one read); that engine goes when
    the app's is disposed. Elsewhere (SQLite, no network) a read on the app's engine."""
    source = app.extensions.get(_SOURCE)
    if source is not None:
        return source
    with _source_lock:
        if _SOURCE not in app.extensions:
            main = db.engine
            if main.dialect.name == "postgresql":
                options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
                options.update(pool_pre_ping=False, isolation_level="AUTOCOMMIT")
                reader = create_engine(main.url, **options)
                event.listen(main, "engine_disposed", lambda _engine: reader.dispose())
                source = partial(_read_version, reader)
                if app.config["PRODUCT_PAGE_VERSION_FEED"]:
                    source = version_feed.feed_for(main.url, source).version
            else:
                source = partial(_read_version, main)
            app.extensions[_SOURCE] = source
    return app.extensions[_SOURCE]


# -- the store --------------------------------------------------------------------------


class PageStore:
    """At most ``size`` entries, least recently used out first; thread-safe."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, tuple[int, object]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, version: int):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != version:
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key: Hashable, version: int, value) -> None:
        with self._lock:
            self._entries[key] = (version, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


def page_store(app) -> PageStore:
    store = app.extensions.get(_STORE)
    if store is None:
        store = app.extensions.setdefault(_STORE, PageStore(app.config["PRODUCT_PAGE_CACHE_SIZE"]))
    return store


def forget_pages(app) -> None:
    """Drop ``app``'s cached bodies."""
    app.extensions.pop(_STORE, None)


# -- the page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Roles:
    """Who is looking, as far as the cached body may know: the roles, nothing personal."""

    is_authenticated: bool
    is_seller: bool
    is_admin: bool

    @property
    def is_anonymous(self) -> bool:
        return not self.is_authenticated

    @classmethod
    def of(cls, user) -> Roles:
        if not user.is_authenticated:
            return cls(False, False, False)
        return cls(True, bool(user.is_seller), bool(user.is_admin))


@dataclass(frozen=True)
class ProductPage:
    """A product's page as every visitor with the same roles sees it, tokens left out."""

    id: int
    slug: str
    name: str
    parts: tuple[str, ...] = ()

    def body(self) -> Markup:
        """The body with this visitor's CSRF token in every form (none asked when none)."""
        if len(self.parts) == 1:
            return Markup(self.parts[0])
        return Markup(str(escape(generate_csrf())).join(self.parts))


def render_body(product: Product, roles: Roles) -> ProductPage:
    """Render the page body of ``product`` for ``roles``, with the token marker split out."""
    html = render_template(
        BODY_TEMPLATE,
        product=product,
        preview=False,
        current_user=roles,
        csrf_token=lambda: _TOKEN,
    )
    return ProductPage(
        id=product.id,
        slug=product.slug,
        name=product.name,
        parts=tuple(html.split(_TOKEN)),
    )


def cached_product_page(slug: str, load) -> ProductPage:
    """The product page of ``slug`` for the current visitor's roles: from the store when the
    catalog page version has not moved, else rendered from ``load(slug)`` (a ``Product`` with
    its relations, or an exception for an unknown slug: unknown slugs are not stored)."""
    roles = Roles.of(current_user)  # first: a signed-in user's load begins the transaction
    version = page_version()  # before the product, after flushing
    if db.session.info.get(_CHANGED):
        return render_body(load(slug), roles)
    store = page_store(current_app)
    key = (slug, request.script_root, roles)
    page = store.get(key, version)
    if page is None:
        page = render_body(load(slug), roles)
        if not db.session.info.get(_CHANGED):  # loading flushed nothing of this transaction's
            store.put(key, version, page)
    return page
