"""What notifications adds to the registries of the layers below it; called by
NotificationsConfig.ready()."""

from labelml.accounts.donnees import register_personal_data
from labelml.core.jobs import register_requeue
from labelml.structures.security import register_profile_fact

from . import context_processors, donnees, services


def register() -> None:
    register_requeue("notifications", services.requeue_pending)
    register_profile_fact(context_processors.UNREAD, context_processors.unread_count_sql)
    register_personal_data(
        "notifications", export=donnees.export, erase=donnees.erase, texts=donnees.TEXTS
    )
