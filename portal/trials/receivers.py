"""Trial data follows identity: moved from the visitor or the device to the user on sign-up
or login, erased with the user, included in the personal data export. Connected once, when
the blueprint module is imported.
"""

from __future__ import annotations

from portal.journey.owners import user_key, visitor_key
from portal.journey.services import (
    data_exporting,
    device_attached,
    identity_merged,
    user_erasing,
    visitor_forgotten,
)
from portal.trials.retention import (
    erase_owner_data,
    export_owner_data,
    move_owner_data,
    move_visitor_data,
)


@identity_merged.connect
def _move_visitor_datasets(sender, user, visitor_id, **_):
    if visitor_id:
        move_visitor_data(visitor_id, user)


@device_attached.connect
def _move_device_datasets(sender, user, owner_key, **_):
    # A visitor who declined tracking tried on this device: the files are the user's now.
    move_owner_data(owner_key, user)


@user_erasing.connect
def _erase_user_datasets(sender, user, **_):
    erase_owner_data(user_key(user.id))


@data_exporting.connect
def _export_user_datasets(sender, user, **_):
    return "trial_datasets", export_owner_data(user_key(user.id))


@visitor_forgotten.connect
def _erase_visitor_datasets(sender, visitor_id, **_):
    erase_owner_data(visitor_key(visitor_id))
