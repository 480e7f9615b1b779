from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = "Évaluations externes"

    def ready(self) -> None:
        from .hooks import register

        register()
