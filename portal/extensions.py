"""Flask extensions, created once without an app and bound in ``create_app``."""

from flask import abort
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from portal.bounds import MAX_PAGE, page_arg
from portal.models.base import Base
from portal.models.search import include_in_migrations


class Database(SQLAlchemy):
    """``paginate`` with the page number bounded: read once by ``portal.bounds.page_arg``
    (so a page past ``MAX_PAGE`` is a 404, never an offset the database cannot hold)."""

    def paginate(self, select, *, page: int | None = None, **kwargs):
        if page is None:
            page = page_arg()
        elif page > MAX_PAGE:
            abort(404)
        return super().paginate(select, page=max(1, page), **kwargs)


db = Database(model_class=Base)
# include_name: autogenerate leaves the full-text search index (not in the metadata) alone.
migrate = Migrate(render_as_batch=True, compare_type=True, include_name=include_in_migrations)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
