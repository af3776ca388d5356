"""The seller pipeline: deals derived from the buyer's journey, board, analytics, alerts."""

from flask import Blueprint

from portal.journey.services import (
    account_erasing,
    data_exporting,
    event_recorded,
    identity_merged,
    user_erasing,
)
from portal.pipeline import services

bp = Blueprint("pipeline", __name__)

# Connected at import, so once per process however many apps are created.
event_recorded.connect(services.on_event_recorded)
identity_merged.connect(services.on_identity_merged)
user_erasing.connect(services.on_user_erasing)
account_erasing.connect(services.on_account_erasing)
data_exporting.connect(services.on_data_exporting)

from portal.pipeline import routes  # noqa: E402,F401
