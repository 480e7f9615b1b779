"""What the follow-up audits add to the registries of the layers below them; called by
SuivisConfig.ready()."""

from labelml.accounts.donnees import register_personal_data

from . import donnees


def register() -> None:
    register_personal_data("suivis", export=donnees.export, texts=donnees.TEXTS)
