from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = "Évaluations externes"

    def ready(self) -> None:
        from campagnes import hooks

        from . import selectors

        hooks.dossier_grants.register(selectors.audit_capabilities)
        hooks.dossier_scopes.register(selectors.reviewed_dossiers)
