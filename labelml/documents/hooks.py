"""What documents adds to the registries of the layers below it; called by
DocumentsConfig.ready()."""

from labelml.accounts.donnees import register_personal_data
from labelml.core.jobs import register_requeue
from labelml.structures.history import register_history

from . import donnees, history, services


def register() -> None:
    register_requeue("documents", services.requeue_pending)
    register_personal_data("documents", export=donnees.export)
    register_history("documents", history.reports)
