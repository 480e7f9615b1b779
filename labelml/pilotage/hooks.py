"""What pilotage adds to the registries of the layers below it; called by
PilotageConfig.ready()."""

from labelml.accounts.donnees import register_personal_data
from labelml.core.jobs import register_requeue

from . import donnees, services


def register() -> None:
    register_requeue("exports", services.requeue_pending)
    register_personal_data("pilotage", export=donnees.export)
