"""What campagnes adds to the registries of the layers below it; called by
CampagnesConfig.ready()."""

from labelml.accounts.donnees import register_personal_data

from . import donnees


def register() -> None:
    register_personal_data("campagnes", export=donnees.export, texts=donnees.TEXTS)
