"""Testdrive: a self-service buyer portal.

``create_app`` is a readable list of ``register_*`` steps and does no I/O beyond making sure
the instance folder exists.
"""

from __future__ import annotations

import logging
import os
from importlib import import_module

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

import portal.models  # noqa: F401 - every table is known before create_all/migrations
from portal.auth.services import user_for_session_id
from portal.bounds import register_converters
from portal.cli import register_cli
from portal.config import ROOT, instance_secret_key, load_config
from portal.db_setup import configure_engine_events, engine_options, register_session_end
from portal.errors import register_error_handlers
from portal.extensions import csrf, db, limiter, login_manager, migrate
from portal.links import Portal, trusted_hosts
from portal.security import register_security_headers
from portal.templating import register_template_helpers

# Feature areas, each a package with a blueprint named ``bp``.
BLUEPRINTS = (
    "portal.main",
    "portal.catalog",
    "portal.auth",
    "portal.journey",
    "portal.pipeline",
    "portal.admin",
    "portal.trials",
    "portal.commerce",
    "portal.voices",
    "portal.room",
    "portal.ideas",
    "portal.api",
)


def create_app(test_config: dict | None = None) -> Flask:
    app = Portal(
        __name__,
        instance_path=os.environ.get("TESTDRIVE_INSTANCE") or str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_mapping(load_config(app.instance_path))
    app.config.from_prefixed_env("TESTDRIVE")
    if test_config:
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)
        app.config["SECRET_KEY_FROM_FILE"] = True
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)

    register_proxies(app)
    register_extensions(app)
    register_converters(app)
    register_blueprints(app)
    register_security(app)
    register_errors(app)
    register_templates(app)
    register_commands(app)
    warn_about_production_settings(app)
    return app


def register_proxies(app: Flask) -> None:
    """Behind ``TRUSTED_PROXIES`` reverse proxies, believe their X-Forwarded-For (rate limits
    see the real client) and X-Forwarded-Proto (HSTS, secure cookies); never the client's."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def register_extensions(app: Flask) -> None:
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)
    db.init_app(app)
    register_session_end(app, db)  # after init_app: teardowns run last-registered first
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    configure_engine_events()

    @login_manager.user_loader
    def load_user(session_id: str):
        return user_for_session_id(session_id)


def register_blueprints(app: Flask) -> None:
    for name in BLUEPRINTS:
        app.register_blueprint(import_module(name).bp)


def register_security(app: Flask) -> None:
    register_security_headers(app)


def register_errors(app: Flask) -> None:
    register_error_handlers(app)


def register_templates(app: Flask) -> None:
    register_template_helpers(app)


def register_commands(app: Flask) -> None:
    register_cli(app)


def warn_about_production_settings(app: Flask) -> None:
    if app.config["TESTDRIVE_ENV"] == "development" or app.testing:
        return
    if app.config.get("SECRET_KEY_FROM_FILE"):
        logging.getLogger("portal").warning(
            "\n" + "!" * 72 + "\n!! SECRET_KEY is not set: using the key file in the instance"
            " folder.\n!! Hosts that do not share that folder sign different sessions. Set"
            " SECRET_KEY in production.\n" + "!" * 72
        )
