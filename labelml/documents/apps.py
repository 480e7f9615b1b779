from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "labelml.documents"
    label = "documents"
    verbose_name = "Rapports PDF"

    def ready(self) -> None:
        """What this app plugs into the layers below it (docs/architecture.md, "hooks")."""
        from labelml.accounts.donnees import register_personal_data
        from labelml.core.jobs import register_requeue
        from labelml.structures.history import register_history

        from . import donnees, history, services

        register_requeue("documents", services.requeue_pending)
        register_personal_data("documents", export=donnees.export)
        register_history("documents", history.reports)
