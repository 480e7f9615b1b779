from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "labelml.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from .hooks import register

        register()
