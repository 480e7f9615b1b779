from django.apps import AppConfig


class AutoevaluationsConfig(AppConfig):
    name = "campagnes.autoevaluations"
    label = "autoevaluations"
    verbose_name = "Auto-évaluations"

    def ready(self) -> None:
        from .hooks import register

        register()
