"""A dossier of ML A in state « auto-évaluation », its members, and a private MEDIA_ROOT."""

from __future__ import annotations

import datetime

import pytest

from campagnes.services import create_campagne, open_campagne
from labelml.structures.roles import Role
from referentiel.models import Critere
from tests.conftest import member, with_totp


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):  # type: ignore[no-untyped-def]
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


def stored_files(root) -> list:  # type: ignore[no-untyped-def]
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def admin(network):  # type: ignore[no-untyped-def]
    return with_totp(member(network["unml"], Role.ADMIN_UNML))


@pytest.fixture
def dossiers(network, referentiel_ml, admin):  # type: ignore[no-untyped-def]
    """The dossiers of ML A and ML B in one open campaign."""
    campagne = create_campagne(
        actor=admin,
        nom="Campagne de labellisation 2025",
        referentiel=referentiel_ml,
        date_ouverture=datetime.date.today() - datetime.timedelta(days=60),
        date_cloture_autoevaluation=datetime.date.today() + datetime.timedelta(days=120),
    )
    report = open_campagne(
        actor=admin, campagne=campagne, structures=[network["ml_a"], network["ml_b"]]
    )
    by_structure = {d.structure_id: d for d in report.created}
    return by_structure[network["ml_a"].pk], by_structure[network["ml_b"].pk]


@pytest.fixture
def dossier(dossiers):  # type: ignore[no-untyped-def]
    return dossiers[0]


@pytest.fixture
def critere(referentiel_ml):  # type: ignore[no-untyped-def]
    """The first criterion that has at least two elements."""
    for c in Critere.objects.filter(referentiel=referentiel_ml).order_by("ordre"):
        if c.elements.count() >= 2:
            return c
    raise AssertionError("référentiel sans critère à deux éléments")


@pytest.fixture
def autre_critere(referentiel_ml, critere):  # type: ignore[no-untyped-def]
    return (
        Critere.objects.filter(referentiel=referentiel_ml, elements__isnull=False)
        .exclude(pk=critere.pk)
        .order_by("ordre")
        .first()
    )


@pytest.fixture
def referent(network):  # type: ignore[no-untyped-def]
    return member(network["ml_a"], Role.REFERENT_QUALITE)


@pytest.fixture
def contributeur(network):  # type: ignore[no-untyped-def]
    return member(network["ml_a"], Role.CONTRIBUTEUR)


@pytest.fixture
def lecteur(network):  # type: ignore[no-untyped-def]
    return member(network["ml_a"], Role.LECTEUR)


@pytest.fixture
def referent_arml(network):  # type: ignore[no-untyped-def]
    return member(network["arml_a"], Role.REFERENT_ARML)


@pytest.fixture
def outsider(network):  # type: ignore[no-untyped-def]
    """A referent of ML B: ML A's dossier is outside their scope."""
    return member(network["ml_b"], Role.REFERENT_QUALITE)
