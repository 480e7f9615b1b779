"""What pilotage adds to the registries of the layers below it; called by
PilotageConfig.ready()."""

from labelml.core.jobs import register_requeue

from . import services


def register() -> None:
    register_requeue("exports", services.requeue_pending)
