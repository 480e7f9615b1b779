"""What the commission adds to the registries of the layers below it; called by
CommissionConfig.ready()."""

from labelml.accounts.donnees import register_personal_data

from . import donnees


def register() -> None:
    register_personal_data("commission", export=donnees.export)
