from django.apps import AppConfig


class AutoevaluationsConfig(AppConfig):
    name = "campagnes.autoevaluations"
    label = "autoevaluations"
    verbose_name = "Auto-évaluations"

    def ready(self) -> None:
        """What this app plugs into the layers below it (docs/architecture.md, "hooks")."""
        from campagnes import hooks
        from labelml.accounts.donnees import register_personal_data
        from labelml.notifications.reminders import register_reminders
        from labelml.structures.home import register_worklist

        from . import donnees, reminders, selectors, services

        hooks.dossier_opened.register(services.open_autoevaluation)
        hooks.dossier_home.register(selectors.dossier_home)
        register_personal_data("autoevaluations", export=donnees.export)
        register_reminders("autoevaluations", reminders.autoevaluation_reminders)
        register_worklist("autoevaluations", selectors.worklist)
