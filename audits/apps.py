from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = "Évaluations externes"

    def ready(self) -> None:
        """What this app plugs into the layers below it (docs/architecture.md, "hooks")."""
        from campagnes import hooks
        from campagnes.models import Dossier
        from labelml.accounts.donnees import register_personal_data
        from labelml.notifications.reminders import register_reminders
        from labelml.structures.history import register_history
        from labelml.structures.home import register_worklist

        from . import donnees, history, reminders, selectors

        hooks.journal_words.register(
            (
                Dossier.Statut,
                {
                    selectors.DEMANDE_ACTION: "Demande de labellisation déposée",
                    selectors.EXTENSION_ACTION: "Délai de réponse aux écarts prolongé",
                },
            ),
            name="dossier:audits",
        )
        hooks.dossier_grants.register(selectors.audit_capabilities)
        hooks.dossier_scopes.register(selectors.reviewed_dossiers)
        register_personal_data("audits", export=donnees.export)
        register_reminders("audits", reminders.gap_reminders)
        register_history("audits", history.dossiers)
        register_worklist("audits", selectors.worklist)
        hooks.dossier_deadlines.register(selectors.dossier_deadlines)
