from django.apps import AppConfig


class SuivisConfig(AppConfig):
    name = "audits.suivis"
    label = "suivis"
    verbose_name = "Audits de suivi"

    def ready(self) -> None:
        from .hooks import register

        register()
