from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "labelml.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        """What this app plugs into the layers below it (docs/architecture.md, "hooks")."""
        from labelml.accounts.donnees import register_personal_data
        from labelml.core.jobs import register_requeue
        from labelml.structures.security import register_profile_fact

        from . import context_processors, donnees, services

        register_requeue("notifications", services.requeue_pending)
        register_profile_fact(context_processors.UNREAD, context_processors.unread_count_sql)
        register_personal_data(
            "notifications", export=donnees.export, erase=donnees.erase, texts=donnees.TEXTS
        )
