"""What the external audit adds to the registries of the layers below it; called by
AuditsConfig.ready()."""

from labelml.accounts.donnees import register_personal_data
from labelml.notifications.reminders import register_reminders
from labelml.structures.history import register_history

from . import donnees, history, reminders


def register() -> None:
    register_personal_data("audits", export=donnees.export)
    register_reminders("audits", reminders.gap_reminders)
    register_history("audits", history.dossiers)
