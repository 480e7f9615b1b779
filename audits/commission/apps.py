from django.apps import AppConfig


class CommissionConfig(AppConfig):
    name = "audits.commission"
    label = "commission"
    verbose_name = "Commission de labellisation"

    def ready(self) -> None:
        """What this app plugs into the layers below it (docs/architecture.md, "hooks")."""
        from campagnes import hooks
        from campagnes.models import Dossier
        from labelml.accounts.donnees import register_personal_data
        from labelml.notifications.reminders import register_reminders
        from labelml.structures.history import register_history
        from labelml.structures.home import register_home_context, register_worklist

        from . import donnees, history, home, reminders, renewals, selectors, services
        from .models import Label, Seance

        hooks.journal_words.register((Label.Statut, dict(Label.Action.choices)), name="label")
        hooks.journal_words.register((Seance.Statut, dict(Seance.Action.choices)), name="seance")
        hooks.journal_words.register(
            (
                Dossier.Statut,
                {
                    services.VOTE_SANS_QUORUM: "Vote clos sans quorum : dossier à réinscrire",
                    services.REOPEN_VOTE: "Vote de la commission rouvert",
                },
            ),
            name="dossier:commission",
        )
        hooks.renewals.register(renewals.LabelRenewals(), name="commission")
        hooks.dossier_scopes.register(selectors.agenda_dossiers)
        register_personal_data("commission", export=donnees.export)
        register_reminders("commission", reminders.label_reminders)
        register_history("commission", history.decisions_and_labels)
        register_home_context("commission", home.labels_coming_to_an_end)
        register_worklist("commission", selectors.worklist)
        hooks.dossier_deadlines.register(selectors.dossier_deadlines)
