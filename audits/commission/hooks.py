"""What the commission adds to the registries of the layers below it; called by
CommissionConfig.ready()."""

from labelml.accounts.donnees import register_personal_data
from labelml.notifications.reminders import register_reminders

from . import donnees, reminders


def register() -> None:
    register_personal_data("commission", export=donnees.export)
    register_reminders("commission", reminders.label_reminders)
