from django.apps import AppConfig


class CampagnesConfig(AppConfig):
    name = "campagnes"
    verbose_name = "Campagnes"

    def ready(self) -> None:
        """What this app plugs into the layers below it (docs/architecture.md, "hooks")."""
        from labelml.accounts.donnees import register_personal_data
        from labelml.structures.home import register_worklist

        from . import donnees, selectors

        register_personal_data("campagnes", export=donnees.export, texts=donnees.TEXTS)
        register_worklist("campagnes", selectors.worklist)
