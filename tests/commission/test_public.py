"""Public registry and certificate verification: no login; the status is computed on the day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audits.commission.models import Label

pytestmark = pytest.mark.django_db


@pytest.fixture
def label(validated):  # type: ignore[no-untyped-def]
    from audits.commission.models import Decision, PointOrdreDuJour, Seance
    from tests.factories import MembreCommissionFactory

    seance = Seance.objects.create(date=timezone.now(), president=MembreCommissionFactory())
    point = PointOrdreDuJour.objects.create(seance=seance, dossier=validated.dossier, vote="clos")
    decision = Decision.objects.create(
        point=point, dossier=validated.dossier, resultat="labellise", motivation="M"
    )
    today = timezone.localdate()
    return Label.objects.create(
        structure=validated.dossier.structure,
        decision=decision,
        numero="LML-2026-00001",
        date_debut=today,
        date_fin=today + dt.timedelta(days=365),
    )


def test_the_registry_lists_valid_labels_without_login_and_filters_by_region(label):
    html = Client().get(reverse("commission:label_registry")).content.decode()
    assert label.structure.nom in html and label.numero in html
    other = "84" if label.structure.region != "84" else "11"
    html = Client().get(reverse("commission:label_registry"), {"region": other}).content.decode()
    assert label.numero not in html


def test_verification_page_says_valid_then_withdrawn_at_once(label):
    url = reverse("commission:label_verify", args=[label.numero])
    assert "Label valide" in Client().get(url).content.decode()
    Label.objects.filter(pk=label.pk).update(statut=Label.Statut.RETIRE)
    assert "Label retiré" in Client().get(url).content.decode()
    assert label.numero not in Client().get(reverse("commission:label_registry")).content.decode()


def test_an_expired_label_shows_as_expired_without_any_job(label):
    Label.objects.filter(pk=label.pk).update(
        date_debut=timezone.localdate() - dt.timedelta(days=800),
        date_fin=timezone.localdate() - dt.timedelta(days=1),
    )
    html = Client().get(reverse("commission:label_verify", args=[label.numero])).content.decode()
    assert "Label expiré" in html


def test_a_renewed_label_starting_later_shows_as_not_yet_in_force_and_stays_off_the_registry(
    label,
):
    start = timezone.localdate() + dt.timedelta(days=30)
    Label.objects.filter(pk=label.pk).update(
        date_debut=start, date_fin=start + dt.timedelta(days=1000)
    )
    html = Client().get(reverse("commission:label_verify", args=[label.numero])).content.decode()
    assert "pas encore en vigueur" in html and "valable à partir du" in html
    assert label.numero not in Client().get(reverse("commission:label_registry")).content.decode()
    label.refresh_from_db()
    assert label.statut_le(start) == "valide" and label.statut_le(start - dt.timedelta(1)) == (
        "a_venir"
    )


@pytest.mark.parametrize("debug", [False, True])
def test_an_unknown_certificate_shows_the_apps_own_404_page_whatever_the_settings(settings, debug):
    settings.DEBUG = debug
    response = Client().get(reverse("commission:label_verify", args=["LML-1999-99999"]))
    assert response.status_code == 404
    html = response.content.decode()
    assert "Certificat introuvable" in html and "LML-1999-99999" in html
    assert f'href="{reverse("commission:label_registry")}"' in html
    assert "Technical" not in html and "Traceback" not in html and "URLconf" not in html


def test_labels_expiring_within_six_months_are_flagged_to_the_unml(label, admin, people):
    from tests.conftest import client_for

    Label.objects.filter(pk=label.pk).update(date_fin=timezone.localdate() + dt.timedelta(days=90))
    html = client_for(admin).get(reverse("home")).content.decode()
    assert "Labels arrivant à échéance" in html and label.numero in html
    # Each one leads to the label's page, where its renewal is followed.
    assert f'href="{reverse("commission:label_detail", args=[label.numero])}"' in html
    assert (
        "Labels arrivant à échéance"
        not in client_for(people.direction).get(reverse("home")).content.decode()
    )
    Label.objects.filter(pk=label.pk).update(date_fin=timezone.localdate() + dt.timedelta(days=400))
    assert label.numero not in client_for(admin).get(reverse("home")).content.decode()
