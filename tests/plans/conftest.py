"""Fixtures of the improvement-plan tests: a dossier opened the way production opens it
(campagnes.services.open_campagne), the people around it, and small helpers."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest

from campagnes.autoevaluations.models import Reponse
from campagnes.models import Dossier
from campagnes.plans.models import Action
from campagnes.services import create_campagne, open_campagne
from labelml.structures.roles import Role
from referentiel.models import Critere, Element, Niveau
from tests.conftest import member, with_totp


@pytest.fixture
def admin_unml(network):  # type: ignore[no-untyped-def]
    return with_totp(member(network["unml"], Role.ADMIN_UNML))


@pytest.fixture
def campagne(admin_unml, referentiel_ml):  # type: ignore[no-untyped-def]
    return create_campagne(
        actor=admin_unml,
        nom="Campagne 2026",
        referentiel=referentiel_ml,
        date_ouverture=date.today() - timedelta(days=60),
        date_cloture_autoevaluation=date.today() + timedelta(days=120),
    )


@pytest.fixture
def dossier(admin_unml, campagne, network):  # type: ignore[no-untyped-def]
    """The dossier of ML A, in self-assessment, with its empty plan."""
    report = open_campagne(actor=admin_unml, campagne=campagne, structures=[network["ml_a"]])
    return report.created[0]


@pytest.fixture
def other_dossier(admin_unml, campagne, network):  # type: ignore[no-untyped-def]
    """The dossier of ML B (another region) in the same campaign."""
    report = open_campagne(actor=admin_unml, campagne=campagne, structures=[network["ml_b"]])
    return report.created[0]


@pytest.fixture
def referent(network):  # type: ignore[no-untyped-def]
    return member(network["ml_a"], Role.REFERENT_QUALITE)


@pytest.fixture
def direction(network):  # type: ignore[no-untyped-def]
    return member(network["ml_a"], Role.DIRECTION)


@pytest.fixture
def lecteur(network):  # type: ignore[no-untyped-def]
    return member(network["ml_a"], Role.LECTEUR)


@pytest.fixture
def contributeur(network):  # type: ignore[no-untyped-def]
    return member(network["ml_a"], Role.CONTRIBUTEUR)


@pytest.fixture
def arml_referent(network):  # type: ignore[no-untyped-def]
    return member(network["arml_a"], Role.REFERENT_ARML)


@pytest.fixture
def outsider(network):  # type: ignore[no-untyped-def]
    """The direction of ML B: a member of another ML."""
    return member(network["ml_b"], Role.DIRECTION)


def critere(dossier: Dossier, code: str) -> Critere:
    return Critere.objects.get(referentiel_id=dossier.campagne.referentiel_id, code=code)


def element(dossier: Dossier, code: str) -> Element:
    return Element.objects.select_related("critere").get(
        referentiel_id=dossier.campagne.referentiel_id, code=code
    )


def make_action(
    dossier: Dossier, titre: str = "Action", criteres: tuple[str, ...] = ("1.1",), **fields: Any
) -> Action:
    """An action written straight to the database (test set-up, not the behaviour under test)."""
    action = Action.objects.create(plan=dossier.plan, titre=titre, **fields)
    action.criteres.set([critere(dossier, code) for code in criteres])
    return action


def rate(dossier: Dossier, element_code: str, niveau_code: str, a_confirmer: bool = False) -> None:
    niveau = Niveau.objects.get(
        echelle_id=dossier.campagne.referentiel.echelle_autoevaluation_id, code=niveau_code
    )
    updated = Reponse.objects.filter(
        autoevaluation__dossier=dossier, element__code=element_code
    ).update(niveau=niveau, a_confirmer=a_confirmer, justification="Constat de l'équipe")
    assert updated == 1


def set_statut(dossier: Dossier, statut: str) -> None:
    Dossier.objects.filter(pk=dossier.pk).update(statut=statut)
    dossier.refresh_from_db()


def action_payload(dossier: Dossier, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "titre": "Formaliser le projet associatif",
        "description": "Rédiger puis faire voter le projet.",
        "criteres": [critere(dossier, "1.1").pk, critere(dossier, "1.2").pk],
        "responsable": "",
        "echeance": "2026-09-30",
        "priorite": "haute",
        "statut": "a_faire",
        "avancement": "0",
        "element_source": "",
        "version": "",
    }
    data.update(overrides)
    return data


# --- Reading form pages -------------------------------------------------------------------------


def _inputs(html: str, name: str) -> list[str]:
    return re.findall(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', html)


def input_value(html: str, name: str) -> str | None:
    """The value of the (first) input `name`, None when it has no value attribute."""
    tags = _inputs(html, name)
    assert tags, f"no input {name}"
    match = re.search(r'\bvalue="([^"]*)"', tags[0])
    return match.group(1) if match else None


def checked_values(html: str, name: str) -> set[str]:
    return {
        re.search(r'\bvalue="([^"]*)"', tag).group(1)  # type: ignore[union-attr]
        for tag in _inputs(html, name)
        if re.search(r"\bchecked\b", tag)
    }


def selected_value(html: str, name: str) -> str | None:
    select = re.search(rf'<select[^>]*\bname="{re.escape(name)}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select {name}"
    option = re.search(r'<option value="([^"]*)"[^>]*\bselected\b', select.group(1))
    return option.group(1) if option else None
