"""What the follow-up audits add to the registries of the layers below them; called by
SuivisConfig.ready()."""

from labelml.accounts.donnees import register_personal_data
from labelml.notifications.reminders import register_reminders

from . import donnees, reminders


def register() -> None:
    register_personal_data("suivis", export=donnees.export, texts=donnees.TEXTS)
    register_reminders("suivis", reminders.suivi_reminders)
