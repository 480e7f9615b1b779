"""Certified auditors (source document 000: the external evaluation by "auditeurs certifiés"):
the UNML administrator records each auditor's certification (body, reference, valid until); an
auditor without one, or whose certification has lapsed or ends before the last day on site, is
never assigned an audit nor a follow-up audit; the assignment screen shows each one's state."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from audits.models import Audit
from audits.services import assign_audit
from campagnes.models import Dossier
from labelml.core.transitions import TransitionError
from labelml.structures.models import Auditeur
from tests.audits.conftest import footprint
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _assign(dossier, admin, auditeur, date_fin=None):  # type: ignore[no-untyped-def]
    return assign_audit(
        dossier,
        admin,
        auditeur=auditeur,
        date_debut=TODAY + dt.timedelta(days=10),
        date_fin=date_fin or TODAY + dt.timedelta(days=12),
    )


def _uncertified(auditeur: Auditeur, **fields) -> Auditeur:  # type: ignore[no-untyped-def]
    values = {"certification_reference": "", "certifie_jusqu_au": None, **fields}
    Auditeur.objects.filter(pk=auditeur.pk).update(**values)
    auditeur.refresh_from_db()
    return auditeur


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({}, "n'a pas de certification"),
        (
            {"certification_reference": "C-9", "certifie_jusqu_au": TODAY - dt.timedelta(days=1)},
            "expirée",
        ),
        (
            {"certification_reference": "C-9", "certifie_jusqu_au": TODAY + dt.timedelta(days=11)},
            "avant la fin de la mission",
        ),
    ],
    ids=["none", "lapsed", "ends-during-the-mission"],
)
def test_an_auditor_without_a_valid_certification_is_not_assigned(
    planifiable, admin, auditeur, fields, words
):
    _uncertified(auditeur, **fields)
    before = footprint(planifiable)

    with pytest.raises(TransitionError) as exc:
        _assign(planifiable, admin, auditeur)

    assert words in exc.value.message and "auditeur certifié" in exc.value.message
    assert footprint(planifiable) == before
    assert not Audit.objects.exists()


def test_a_certification_valid_through_the_last_day_on_site_is_enough(planifiable, admin, auditeur):
    _uncertified(
        auditeur, certification_reference="C-1", certifie_jusqu_au=TODAY + dt.timedelta(days=12)
    )
    _assign(planifiable, admin, auditeur)
    assert Dossier.objects.get(pk=planifiable.pk).statut == Dossier.Statut.AUDIT_PLANIFIE


def test_the_assignment_screen_shows_each_auditors_certification_and_refuses_a_lapsed_one(
    planifiable, admin, auditeur, collegue
):
    _uncertified(
        collegue, certification_reference="C-2", certifie_jusqu_au=TODAY - dt.timedelta(days=3)
    )
    client = client_for(admin)
    url = reverse("audits:audit_assign", args=[planifiable.pk])
    page = client.get(url).content.decode()
    assert "Certifié jusqu'au" in page
    assert "Certification expirée le" in page
    assert f"{collegue.user} — {collegue.organisme} — certification expirée le" in page  # option

    response = client.post(
        url,
        {
            "auditeur": collegue.pk,
            "date_debut": (TODAY + dt.timedelta(days=5)).isoformat(),
            "date_fin": (TODAY + dt.timedelta(days=6)).isoformat(),
            "sites": "Siège",
        },
    )
    assert response.status_code == 400
    assert "seul un auditeur certifié peut être désigné" in response.content.decode()
    assert not Audit.objects.exists()


# --- the register, kept by the UNML administrator ------------------------------------------------


def test_the_administrator_records_a_certification(admin, auditeur):
    _uncertified(auditeur)
    client = client_for(admin)
    listing = client.get(reverse("structures:auditeur_list")).content.decode()
    assert "Non certifié" in listing
    assert reverse("structures:auditeur_certification", args=[auditeur.pk]) in listing

    url = reverse("structures:auditeur_certification", args=[auditeur.pk])
    response = client.post(url, {"organisme": "Certi", "reference": "REF-1", "jusqu_au": ""})
    assert response.status_code == 400
    assert "date de fin de validité" in response.content.decode()

    response = client.post(
        url, {"organisme": "Certi", "reference": "REF-1", "jusqu_au": "2031-06-30"}
    )
    assert response.status_code == 302
    auditeur.refresh_from_db()
    assert (
        auditeur.certification_organisme,
        auditeur.certification_reference,
        auditeur.certifie_jusqu_au,
    ) == ("Certi", "REF-1", dt.date(2031, 6, 30))
    assert auditeur.certification_etat == "valide"


def test_the_register_does_not_exist_for_anyone_else(people, auditeur, lead):
    for user in (people.direction, people.arml, auditeur.user, lead.user):
        client = client_for(user)
        assert client.get(reverse("structures:auditeur_list")).status_code == 404
        url = reverse("structures:auditeur_certification", args=[auditeur.pk])
        assert client.post(url, {"reference": "X", "jusqu_au": "2040-01-01"}).status_code == 404
    auditeur.refresh_from_db()
    assert auditeur.certification_reference != "X"
