"""Valorisation outside, without login: the labelled structure's public page, the badge (always
current, never cached stale), the public catalogue; and the French full-text search on
PostgreSQL."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from audits.commission.models import Label
from audits.commission.services import reinstate_label, suspend_label
from audits.pratiques.models import Pratique
from audits.pratiques.selectors import search

from .conftest import make_label, propose, publish

pytestmark = pytest.mark.django_db


def test_the_badge_reflects_a_suspension_immediately_and_is_never_cached_stale(dossier, admin):
    label = make_label(dossier)
    url = reverse("pratiques:label_badge", args=[label.numero])
    response = Client().get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("image/svg+xml")
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert (
        "Label valide" in body and reverse("commission:label_verify", args=[label.numero]) in body
    )
    suspend_label(actor=admin, label=label, motivation="Manquement grave constaté.")
    assert "Label suspendu" in Client().get(url).content.decode()
    reinstate_label(actor=admin, label=Label.objects.get(pk=label.pk), motivation="Levée.")
    assert "Label valide" in Client().get(url).content.decode()
    Label.objects.filter(pk=label.pk).update(date_fin="2020-01-01", date_debut="2017-01-01")
    assert "Label expiré" in Client().get(url).content.decode()


def test_an_unknown_badge_or_structure_is_404(network):
    assert (
        Client().get(reverse("pratiques:label_badge", args=["LML-0000-00000"])).status_code == 404
    )
    # A structure without any label has no public page.
    url = reverse("pratiques:public_structure", args=[network["ml_a"].code])
    assert Client().get(url).status_code == 404


def test_the_public_page_shows_holder_certificate_validity_and_public_practices(
    dossier, people, admin
):
    label = make_label(dossier)
    shared = propose(dossier, people.referent, "Partagée publiquement")
    publish(shared, people.direction, admin, "public")
    network_only = propose(dossier, people.referent, "Réservée au réseau")
    publish(network_only, people.direction, admin, "reseau")
    html = (
        Client()
        .get(reverse("pratiques:public_structure", args=[dossier.structure.code]))
        .content.decode()
    )
    assert dossier.structure.nom in html and label.numero in html and "Label valide" in html
    assert reverse("pratiques:label_badge", args=[label.numero]) in html
    assert "Partagée publiquement" in html and "Réservée au réseau" not in html
    # The verification page (the attestation's QR code, the badge's link) leads to it.
    verify = Client().get(reverse("commission:label_verify", args=[label.numero])).content.decode()
    assert reverse("pratiques:public_structure", args=[dossier.structure.code]) in verify


@pytest.mark.services
def test_french_search_finds_a_word_with_or_without_accents_on_postgresql(publiee, people, admin):
    """PostgreSQL full-text search, French configuration, unaccent: "insertion" and "Insértion"
    find the description's "insertion"; the stem finds "Parrainage" from "parrainages"."""
    from django.db import connection

    assert connection.vendor == "postgresql"
    other = propose(publiee.dossier, people.referent, "Mobilité", description="Des vélos prêtés.")
    publish(other, people.direction, admin)
    shared = Pratique.objects.shared_with_network()
    for words in ("insertion", "Insértion", "INSERTION", "parrainages", "immersions"):
        assert list(search(shared, words)) == [publiee], words
    assert list(search(shared, "prêté")) == [other]
    assert list(search(shared, "Vélos")) == [other]
    assert not search(shared, "introuvable").exists()
