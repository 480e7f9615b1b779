from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "campagnes.plans"
    label = "plans"
    verbose_name = "Plans d'amélioration"

    def ready(self) -> None:
        from .hooks import register

        register()
