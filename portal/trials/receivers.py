"""Trial data follows identity: moved to the user on sign-up/login, erased with the user,
included in the personal data export. Connected once, when the blueprint module is imported.
"""

from __future__ import annotations

from portal.journey.owners import user_key, visitor_key
from portal.journey.services import data_exporting, identity_merged, user_erasing, visitor_forgotten
from portal.trials.retention import erase_owner_data, export_owner_data, move_visitor_data


@identity_merged.connect
def _move_visitor_datasets(sender, user, visitor_id, **_):
    if visitor_id:
        move_visitor_data(visitor_id, user)


@user_erasing.connect
def _erase_user_datasets(sender, user, **_):
    erase_owner_data(user_key(user.id))


@data_exporting.connect
def _export_user_datasets(sender, user, **_):
    return "trial_datasets", export_owner_data(user_key(user.id))


@visitor_forgotten.connect
def _erase_visitor_datasets(sender, visitor_id, **_):
    erase_owner_data(visitor_key(visitor_id))
