"""The pages of the practices: who sees what (outsider 404, forbidden step 403), the catalogue
and its filters, and a withdrawn consent taking the practice out of every list, page and export
at once."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from audits.pratiques import services
from audits.pratiques.models import Pratique
from labelml.structures.roles import Role
from tests.conftest import client_for, member

from .conftest import critere, make_label, propose, publish

pytestmark = pytest.mark.django_db


def text(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_catalogue_lists_published_practices_for_everyone_logged_in(publiee, people):
    html = text(client_for(people.outsider).get(reverse("pratiques:pratique_catalogue")))
    assert publiee.titre in html and reverse("pratiques:pratique_detail", args=[publiee.pk]) in html
    # Each practice links to its criterion in the référentiel.
    c = publiee.criteres.get()
    assert f"#critere-{c.code}" in html
    assert Client().get(reverse("pratiques:pratique_catalogue")).status_code == 302  # login first


def test_an_unpublished_practice_is_404_outside_its_structure_and_its_arml(proposee, people):
    url = reverse("pratiques:pratique_detail", args=[proposee.pk])
    assert client_for(people.outsider).get(url).status_code == 404
    for user in (people.lecteur, people.referent, people.direction, people.arml):
        assert client_for(user).get(url).status_code == 200


def test_consent_is_the_directions_and_review_the_unmls(proposee, people, admin):
    consent = reverse("pratiques:pratique_consent", args=[proposee.pk])
    review = reverse("pratiques:pratique_review", args=[proposee.pk])
    assert client_for(people.outsider).post(consent, {"consentement": "reseau"}).status_code == 404
    assert client_for(people.referent).post(consent, {"consentement": "reseau"}).status_code == 403
    assert client_for(people.arml).post(review, {"decision": "publier"}).status_code == 403
    assert client_for(people.direction).post(review, {"decision": "publier"}).status_code == 403
    response = client_for(people.direction).post(consent, {"consentement": "reseau"})
    assert response.status_code == 302
    response = client_for(admin).post(review, {"decision": "publier"})
    assert response.status_code == 302
    assert Pratique.objects.get(pk=proposee.pk).statut == Pratique.Statut.PUBLIEE


def test_the_review_queue_is_the_unmls_only(proposee, people, admin):
    services.consent(proposee, people.direction, "reseau")
    url = reverse("pratiques:pratique_review_list")
    assert proposee.titre in text(client_for(admin).get(url))
    for user in (people.direction, people.arml, people.outsider):
        assert client_for(user).get(url).status_code == 404


def test_proposing_from_the_dossier_page(dossier, people):
    url = reverse("pratiques:dossier_pratiques", args=[dossier.pk])
    data = {
        "titre": "Job dating mobile",
        "description": "Un bus va à la rencontre des jeunes.",
        "publics": ["jeunes"],
        "criteres": [critere(dossier, "1.1").pk],
        "contact_nom": "Paul",
    }
    assert client_for(people.outsider).get(url).status_code == 404
    assert client_for(people.lecteur).post(url, data).status_code == 403
    assert 'id="proposer"' not in text(client_for(people.lecteur).get(url))
    response = client_for(people.referent).post(url, data)
    assert response.status_code == 302
    pratique = Pratique.objects.get()
    assert response["Location"] == reverse("pratiques:pratique_detail", args=[pratique.pk])
    assert pratique.source == "structure" and pratique.public_jeunes


def test_the_auditor_proposes_from_the_point_fort_of_the_report(point_fort, auditeur, collegue):
    dossier = point_fort.audit.dossier
    report = text(
        client_for(auditeur.user).get(reverse("audits:audit_overview", args=[dossier.pk]))
    )
    url = reverse("pratiques:dossier_pratiques", args=[dossier.pk]) + f"?constat={point_fort.pk}"
    assert url in report
    form = text(client_for(auditeur.user).get(url))
    assert "Depuis le point fort" in form
    assert client_for(collegue.user).get(url).status_code == 404  # not the collegue's dossier
    response = client_for(auditeur.user).post(
        reverse("pratiques:dossier_pratiques", args=[dossier.pk]),
        {
            "constat": point_fort.pk,
            "titre": "Entreprises marraines",
            "description": "Un réseau d'entreprises marraines.",
            "criteres": [point_fort.critere_id],
            "contact_nom": "Claire",
        },
    )
    assert response.status_code == 302
    assert Pratique.objects.get().source == "audit"


def test_the_criterion_pages_show_the_networks_practices(publiee, other_dossier, people):
    """Where a referent needs them: the référentiel's page and the self-assessment's criterion
    page of another Mission Locale."""
    c = publiee.criteres.get()
    ref = c.referentiel
    referent_a2 = member(other_dossier.structure, Role.REFERENT_QUALITE)
    html = text(
        client_for(referent_a2).get(
            reverse("autoevaluations:autoevaluation_critere", args=[other_dossier.pk, c.code])
        )
    )
    assert "Pratiques remarquables du réseau" in html and publiee.titre in html
    html = text(
        client_for(people.outsider).get(
            reverse("referentiel:referentiel_detail", args=[ref.code, ref.version])
        )
    )
    assert html.count("Pratiques remarquables du réseau") == ref.criteres.count()
    assert publiee.titre in html


def test_a_withdrawn_consent_takes_the_practice_out_of_every_list_page_and_export_at_once(
    publiee, other_dossier, people, admin
):
    c = publiee.criteres.get()
    make_label(publiee.dossier)
    referent_a2 = member(other_dossier.structure, Role.REFERENT_QUALITE)
    outsider = client_for(people.outsider)
    anonymous = Client()
    pages = {
        "catalogue": (outsider, reverse("pratiques:pratique_catalogue")),
        "catalogue filtered": (
            outsider,
            reverse("pratiques:pratique_catalogue") + f"?critere={c.pk}",
        ),
        "export": (outsider, reverse("pratiques:pratique_export")),
        "référentiel": (
            outsider,
            reverse(
                "referentiel:referentiel_detail", args=[c.referentiel.code, c.referentiel.version]
            ),
        ),
        "self-assessment": (
            client_for(referent_a2),
            reverse("autoevaluations:autoevaluation_critere", args=[other_dossier.pk, c.code]),
        ),
        "public catalogue": (anonymous, reverse("pratiques:public_pratique_catalogue")),
        "public structure": (
            anonymous,
            reverse("pratiques:public_structure", args=[publiee.structure.code]),
        ),
    }
    for name, (client, url) in pages.items():
        assert publiee.titre in text(client.get(url)), name
    detail = reverse("pratiques:pratique_detail", args=[publiee.pk])
    public_detail = reverse("pratiques:public_pratique_detail", args=[publiee.pk])
    assert outsider.get(detail).status_code == 200
    assert anonymous.get(public_detail).status_code == 200

    services.withdraw_consent(publiee, people.direction)

    for name, (client, url) in pages.items():
        assert publiee.titre not in text(client.get(url)), name
    assert outsider.get(detail).status_code == 404
    assert anonymous.get(public_detail).status_code == 404
    # Its own structure still sees it, withdrawn.
    assert "Retirée" in text(client_for(people.direction).get(detail))


def test_a_practice_shared_within_the_network_only_never_shows_publicly(proposee, people, admin):
    publish(proposee, people.direction, admin, "reseau")
    make_label(proposee.dossier)
    assert proposee.titre in text(
        client_for(people.outsider).get(reverse("pratiques:pratique_catalogue"))
    )
    anonymous = Client()
    assert proposee.titre not in text(anonymous.get(reverse("pratiques:public_pratique_catalogue")))
    html = text(
        anonymous.get(reverse("pratiques:public_structure", args=[proposee.structure.code]))
    )
    assert proposee.titre not in html
    url = reverse("pratiques:public_pratique_detail", args=[proposee.pk])
    assert anonymous.get(url).status_code == 404


def test_the_catalogue_filters_by_criterion_region_type_and_public(dossier, people, admin):
    a = propose(dossier, people.referent, "Pratique A", criteres=[critere(dossier, "1.1")])
    b = propose(
        dossier,
        people.referent,
        "Pratique B",
        criteres=[critere(dossier, "2.1")],
        publics=["partenaires"],
    )
    for p in (a, b):
        publish(p, people.direction, admin)
    client = client_for(people.outsider)
    url = reverse("pratiques:pratique_catalogue")

    def listed(**params: str) -> set[str]:
        html = text(client.get(url, params))
        return {p.titre for p in (a, b) if p.titre in html}

    assert listed() == {"Pratique A", "Pratique B"}
    assert listed(critere=str(critere(dossier, "1.1").pk)) == {"Pratique A"}
    assert listed(partie=str(critere(dossier, "2.1").section_id)) == {"Pratique B"}
    assert listed(public="partenaires") == {"Pratique B"}
    assert listed(public="entreprises") == {"Pratique A"}
    assert listed(region=dossier.structure.region) == {"Pratique A", "Pratique B"}
    assert listed(region="84") == set()
    assert listed(type="arml") == set()
    assert listed(q="parrainent") == {"Pratique A", "Pratique B"}
    assert listed(q="Insértion") == {"Pratique A", "Pratique B"}
    assert listed(q="introuvable") == set()


def test_the_export_holds_what_the_catalogue_lists(publiee, people):
    body = text(client_for(people.outsider).get(reverse("pratiques:pratique_export")))
    assert publiee.titre in body and "Claire Martin" in body
