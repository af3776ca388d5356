"""Trial data follows identity: moved to the user on sign-up/login, erased with the user,
included in the personal data export. Connected once, when the blueprint module is imported.
"""

from __future__ import annotations

from portal.journey.services import (
    data_exporting,
    identity_merged,
    user_erasing,
    visitor_forgotten,
)
from portal.trials import services


@identity_merged.connect
def _move_visitor_datasets(sender, user, visitor_id, **_):
    if visitor_id:
        services.move_visitor_data(visitor_id, user)


@user_erasing.connect
def _erase_user_datasets(sender, user, **_):
    services.erase_owner_data(f"u{user.id}")


@data_exporting.connect
def _export_user_datasets(sender, user, **_):
    return "trial_datasets", services.export_owner_data(f"u{user.id}")


@visitor_forgotten.connect
def _erase_visitor_datasets(sender, visitor_id, **_):
    services.erase_owner_data(f"v{visitor_id}")
