from django.apps import AppConfig


class SuivisConfig(AppConfig):
    name = "audits.suivis"
    label = "suivis"
    verbose_name = "Audits de suivi"

    def ready(self) -> None:
        """What this app plugs into the layers below it (docs/architecture.md, "hooks")."""
        from campagnes import hooks
        from labelml.accounts.donnees import register_personal_data
        from labelml.notifications.reminders import register_reminders
        from labelml.structures.history import register_history
        from labelml.structures.home import register_worklist

        from . import donnees, history, models, reminders, selectors

        hooks.journal_words.register((models.AuditSuivi.Statut, models.ACTION_LABELS), name="suivi")
        register_personal_data("suivis", export=donnees.export)
        register_reminders("suivis", reminders.suivi_reminders)
        register_history("suivis", history.follow_ups)
        register_worklist("suivis", selectors.worklist)
