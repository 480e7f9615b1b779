"""What the self-assessment adds to the registries of the layers below it; called by
AutoevaluationsConfig.ready()."""

from labelml.accounts.donnees import register_personal_data

from . import donnees


def register() -> None:
    register_personal_data("autoevaluations", export=donnees.export)
