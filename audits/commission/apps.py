from django.apps import AppConfig


class CommissionConfig(AppConfig):
    name = "audits.commission"
    label = "commission"
    verbose_name = "Commission de labellisation"

    def ready(self) -> None:
        from campagnes import hooks

        from . import renewals, selectors

        hooks.renewals.register(renewals.LabelRenewals)
        hooks.dossier_scopes.register(selectors.agenda_dossiers)
