"""What the follow-up audits add to the registries of the layers below them; called by
SuivisConfig.ready()."""

from labelml.accounts.donnees import register_personal_data
from labelml.notifications.reminders import register_reminders
from labelml.structures.history import register_history

from . import donnees, history, reminders


def register() -> None:
    register_personal_data("suivis", export=donnees.export, texts=donnees.TEXTS)
    register_reminders("suivis", reminders.suivi_reminders)
    register_history("suivis", history.follow_ups)
