"""What the improvement plans add to the registries of the layers below them; called by
PlansConfig.ready()."""

from labelml.accounts.donnees import register_personal_data

from . import donnees


def register() -> None:
    register_personal_data("plans", export=donnees.export)
