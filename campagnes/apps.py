from django.apps import AppConfig


class CampagnesConfig(AppConfig):
    name = "campagnes"
    verbose_name = "Campagnes"

    def ready(self) -> None:
        from .hooks import register

        register()
