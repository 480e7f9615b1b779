from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "campagnes.plans"
    label = "plans"
    verbose_name = "Plans d'amélioration"

    def ready(self) -> None:
        """What this app plugs into the layers below it (docs/architecture.md, "hooks")."""
        from campagnes import hooks
        from campagnes.models import Dossier
        from labelml.accounts.donnees import register_personal_data
        from labelml.structures.home import register_worklist

        from . import donnees, selectors, services

        hooks.dossier_opened.register(services.open_plan)
        hooks.journal_words.register(
            (
                Dossier.Statut,
                {services.RESERVE_ACTION_UPDATED: "Action de levée des réserves mise à jour"},
            ),
            name="dossier:plans",
        )
        hooks.dossier_home.register(selectors.dossier_home)
        register_personal_data("plans", export=donnees.export)
        register_worklist("plans", selectors.worklist)
