from django.apps import AppConfig


class CommissionConfig(AppConfig):
    name = "audits.commission"
    label = "commission"
    verbose_name = "Commission de labellisation"

    def ready(self) -> None:
        from .hooks import register

        register()
