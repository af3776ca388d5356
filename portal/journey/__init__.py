from flask import Blueprint

bp = Blueprint("journey", __name__)

from portal.journey import routes  # noqa: E402,F401
