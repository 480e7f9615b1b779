from django.apps import AppConfig


class PratiquesConfig(AppConfig):
    name = "audits.pratiques"
    label = "pratiques"
    verbose_name = "Pratiques remarquables"

    def ready(self) -> None:
        """What this app plugs into the layers below it (docs/architecture.md, "hooks")."""
        from campagnes import hooks
        from labelml.accounts.donnees import register_personal_data
        from referentiel.hooks import critere_panels

        from . import donnees, models, panels

        hooks.journal_words.register(
            (models.Pratique.Statut, models.ACTION_LABELS), name="pratique"
        )
        critere_panels.register(panels.pratiques_du_reseau, name="pratiques")
        register_personal_data("pratiques", export=donnees.export)
