"""What the commission adds to the registries of the layers below it; called by
CommissionConfig.ready()."""

from labelml.accounts.donnees import register_personal_data
from labelml.notifications.reminders import register_reminders
from labelml.structures.history import register_history
from labelml.structures.home import register_home_context

from . import donnees, history, home, reminders


def register() -> None:
    register_personal_data("commission", export=donnees.export)
    register_reminders("commission", reminders.label_reminders)
    register_history("commission", history.decisions_and_labels)
    register_home_context("commission", home.labels_coming_to_an_end)
