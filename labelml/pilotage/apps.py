from django.apps import AppConfig


class PilotageConfig(AppConfig):
    name = "labelml.pilotage"
    label = "pilotage"
    verbose_name = "Pilotage national et régional"

    def ready(self) -> None:
        """What this app plugs into the layers below it (docs/architecture.md, "hooks")."""
        from labelml.accounts.donnees import register_personal_data
        from labelml.core.jobs import register_requeue

        from . import donnees, services

        register_requeue("exports", services.requeue_pending)
        register_personal_data("pilotage", export=donnees.export)
