"""What notifications adds to the registries of the layers below it; called by
NotificationsConfig.ready()."""

from labelml.core.jobs import register_requeue

from . import services


def register() -> None:
    register_requeue("notifications", services.requeue_pending)
