"""The support thread between a Mission Locale and its ARML (SPEC §2: the ARML supports its
Missions Locales). The rule (campagnes.selectors, docs/decisions.md "Who sees what"): the
structure's members, its ARML's référent labellisation and the UNML administrators read it; the
ARML referent writes, the structure's quality referent and direction answer; the contributor,
the reader and the administrators read only (403 on writing); an auditor, a commission member,
another region's ARML or another structure's member do not see it (404)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from audits.services import assign_audit
from campagnes.models import Echange
from labelml.notifications.models import Notification
from labelml.structures.roles import Role
from tests.audits.conftest import to_audit_a_planifier
from tests.conftest import client_for, member, with_totp
from tests.factories import AuditeurFactory, MembreCommissionFactory

pytestmark = pytest.mark.django_db


def _url(dossier) -> str:  # type: ignore[no-untyped-def]
    return reverse("campagnes:dossier_echanges", args=[dossier.pk])


def test_the_arml_writes_the_structure_sees_and_answers(dossier, people):
    arml = client_for(people.arml)
    response = arml.post(_url(dossier), {"texte": "Pensez au compte rendu du comité."})
    assert response.status_code == 302

    # The structure is told, and reads it on the dossier's page.
    told = Notification.objects.filter(url=_url(dossier)).values_list("destinataire", flat=True)
    assert set(told) == {people.referent.pk, people.direction.pk}
    page = client_for(people.referent).get(_url(dossier)).content.decode()
    assert "Pensez au compte rendu du comité." in page
    assert "Échanges avec l&#x27;ARML" in page or "Échanges avec l'ARML" in page

    response = client_for(people.direction).post(_url(dossier), {"texte": "Merci, c'est noté."})
    assert response.status_code == 302
    thread = list(Echange.objects.filter(dossier=dossier).values_list("cote", "auteur", "texte"))
    assert thread == [
        ("arml", people.arml.pk, "Pensez au compte rendu du comité."),
        ("structure", people.direction.pk, "Merci, c'est noté."),
    ]
    # The ARML is told of the answer.
    assert Notification.objects.filter(destinataire=people.arml, url=_url(dossier)).exists()
    assert "Merci, c&#x27;est noté." in arml.get(_url(dossier)).content.decode()


def test_an_empty_message_is_refused(dossier, people):
    response = client_for(people.arml).post(_url(dossier), {"texte": "   "})
    assert response.status_code == 400
    assert "Écrivez votre message." in response.content.decode()
    assert not Echange.objects.exists()


@pytest.mark.parametrize("who", ["lecteur", "contributeur", "admin"])
def test_readers_read_but_do_not_write(dossier, people, admin, who):
    user = admin if who == "admin" else getattr(people, who)
    client = client_for(user)
    page = client.get(_url(dossier))
    assert page.status_code == 200
    assert "Envoyer" not in page.content.decode()
    assert client.post(_url(dossier), {"texte": "Je m'invite."}).status_code == 403
    assert not Echange.objects.exists()


def test_the_thread_does_not_exist_outside_the_structure_and_its_arml(network, dossier, people):
    other_arml = member(network["arml_b"], Role.REFERENT_ARML)
    commission = with_totp(MembreCommissionFactory().user)
    for user in (people.outsider, other_arml, commission):
        client = client_for(user)
        assert client.get(_url(dossier)).status_code == 404
        assert client.post(_url(dossier), {"texte": "Intrus"}).status_code == 404
    assert not Echange.objects.exists()


def test_the_assigned_auditor_sees_the_dossier_but_not_the_thread(dossier, people, admin):
    to_audit_a_planifier(dossier, people.direction)
    Echange.objects.create(dossier=dossier, auteur=people.arml, cote="arml", texte="Entre nous.")
    auditeur = AuditeurFactory()
    with_totp(auditeur.user)
    day = timezone.localdate() + dt.timedelta(days=5)
    assign_audit(dossier, admin, auditeur=auditeur, date_debut=day, date_fin=day)
    client = client_for(auditeur.user)
    detail = client.get(reverse("campagnes:dossier_detail", args=[dossier.pk]))
    assert detail.status_code == 200
    assert _url(dossier) not in detail.content.decode()  # no tab to it
    assert client.get(_url(dossier)).status_code == 404
