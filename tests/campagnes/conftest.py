"""Shared fixtures for campaigns, dossiers and the self-assessment.

`dossier` is the dossier of network["ml_a"] in a campaign on the shipped référentiel (99
elements, 24 criteria). `fill_dossier` completes a self-assessment through the ORM, `rate`
rates one element, `people` gives one member per role around ML A.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest

from labelml.structures.roles import Role
from tests.conftest import member, with_totp


def niveau(dossier: Any, code: str) -> Any:
    """A level of the dossier's self-assessment scale, by code ("1".."4", "sans_objet")."""
    from referentiel.models import Niveau

    return Niveau.objects.get(
        echelle_id=dossier.campagne.referentiel.echelle_autoevaluation_id, code=code
    )


def rate(dossier: Any, element_code: str, niveau_code: str = "3", justification: str = "") -> Any:
    """Rate one element of the dossier directly in the database (no version bump, no Saisie)."""
    from campagnes.autoevaluations.models import Reponse

    reponse = Reponse.objects.get(autoevaluation__dossier=dossier, element__code=element_code)
    reponse.niveau = niveau(dossier, niveau_code)
    reponse.justification = justification or f"Justification de {element_code}"
    reponse.a_confirmer = False
    reponse.save()
    return reponse


def fill_dossier(dossier: Any, niveau_code: str = "3") -> None:
    """Complete the whole self-assessment: every element rated, every synthesis written."""
    from campagnes.autoevaluations.models import Reponse, SyntheseCritere

    Reponse.objects.filter(autoevaluation__dossier=dossier).update(
        niveau=niveau(dossier, niveau_code), justification="Constat documenté.", a_confirmer=False
    )
    SyntheseCritere.objects.filter(autoevaluation__dossier=dossier).update(
        synthese="Synthèse rédigée.", points_forts="Points forts.", axes_amelioration="Axes."
    )


def open_dossier(admin: Any, campagne: Any, structure: Any) -> Any:
    from campagnes.services import open_campagne

    report = open_campagne(actor=admin, campagne=campagne, structures=[structure])
    assert len(report.created) == 1
    return report.created[0]


@pytest.fixture
def admin(network):  # type: ignore[no-untyped-def]
    """A national administrator (TOTP configured, as the middleware requires)."""
    return with_totp(member(network["unml"], Role.ADMIN_UNML))


OPENING = dt.date.today() - dt.timedelta(days=60)
CLOSING = dt.date.today() + dt.timedelta(days=120)


@pytest.fixture
def campagne(referentiel_ml, admin):  # type: ignore[no-untyped-def]
    from campagnes.services import create_campagne

    return create_campagne(
        actor=admin,
        nom="Campagne de labellisation 2025",
        referentiel=referentiel_ml,
        # Open today: the self-assessment is written between these dates (issue 16).
        date_ouverture=OPENING,
        date_cloture_autoevaluation=CLOSING,
    )


@pytest.fixture
def dossier(campagne, network, admin):  # type: ignore[no-untyped-def]
    return open_dossier(admin, campagne, network["ml_a"])


@pytest.fixture
def other_dossier(campagne, network, admin):  # type: ignore[no-untyped-def]
    """The dossier of ML A2 (same region, same campaign): another tenant."""
    return open_dossier(admin, campagne, network["ml_a2"])


@pytest.fixture
def people(network):  # type: ignore[no-untyped-def]
    """One member per role around ML A, plus a direction member of ML B (another region)."""
    ml_a = network["ml_a"]
    return SimpleNamespace(
        referent=member(ml_a, Role.REFERENT_QUALITE),
        direction=member(ml_a, Role.DIRECTION),
        contributeur=member(ml_a, Role.CONTRIBUTEUR),
        lecteur=member(ml_a, Role.LECTEUR),
        arml=member(network["arml_a"], Role.REFERENT_ARML),
        outsider=member(network["ml_b"], Role.DIRECTION),
        outsider_referent=member(network["ml_b"], Role.REFERENT_QUALITE),
    )


@pytest.fixture
def filled_dossier(dossier):  # type: ignore[no-untyped-def]
    fill_dossier(dossier)
    return dossier
