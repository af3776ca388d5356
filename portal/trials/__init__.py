"""Try before you buy: the web adapter of the sandbox engine (the only portal code that uses
``sandbox``)."""

from flask import Blueprint

bp = Blueprint("trials", __name__)

from portal.trials import receivers, routes  # noqa: E402,F401
