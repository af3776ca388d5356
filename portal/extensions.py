"""Flask extensions, created once without an app and bound in ``create_app``."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from portal.models.base import Base
from portal.models.search import include_in_migrations

db = SQLAlchemy(model_class=Base)
# include_name: autogenerate leaves the full-text search index (not in the metadata) alone.
migrate = Migrate(render_as_batch=True, compare_type=True, include_name=include_in_migrations)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
