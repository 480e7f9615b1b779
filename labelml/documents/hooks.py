"""What documents adds to the registries of the layers below it; called by
DocumentsConfig.ready()."""

from labelml.core.jobs import register_requeue

from . import services


def register() -> None:
    register_requeue("documents", services.requeue_pending)
