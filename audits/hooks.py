"""What the external audit adds to the registries of the layers below it; called by
AuditsConfig.ready()."""

from labelml.accounts.donnees import register_personal_data

from . import donnees


def register() -> None:
    register_personal_data("audits", export=donnees.export)
