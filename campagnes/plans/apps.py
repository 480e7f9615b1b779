from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "campagnes.plans"
    label = "plans"
    verbose_name = "Plans d'amélioration"

    def ready(self) -> None:
        from campagnes import hooks

        from . import selectors, services

        hooks.dossier_opened.register(services.open_plan)
        hooks.dossier_home.register(selectors.dossier_home)
