"""What the self-assessment adds to the registries of the layers below it; called by
AutoevaluationsConfig.ready()."""

from labelml.accounts.donnees import register_personal_data
from labelml.notifications.reminders import register_reminders

from . import donnees, reminders


def register() -> None:
    register_personal_data("autoevaluations", export=donnees.export)
    register_reminders("autoevaluations", reminders.autoevaluation_reminders)
