from django.apps import AppConfig


class AutoevaluationsConfig(AppConfig):
    name = "campagnes.autoevaluations"
    label = "autoevaluations"
    verbose_name = "Auto-évaluations"

    def ready(self) -> None:
        from campagnes import hooks

        from . import selectors, services

        hooks.dossier_opened.register(services.open_autoevaluation)
        hooks.dossier_home.register(selectors.dossier_home)
