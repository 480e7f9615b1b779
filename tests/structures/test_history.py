"""A structure's whole label history on one page (SPEC §7b, issue 8 point 5): dossiers,
decisions, labels with their suspensions and withdrawals, follow-up audits, links to every
report; visible to whoever may see the structure, 404 for anybody else; a bounded number of
queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audits.commission import services as commission
from audits.commission.models import Decision, Label, PointOrdreDuJour, Seance
from campagnes.services import create_campagne, open_campagne
from labelml.documents.models import Document
from labelml.structures.roles import Role
from tests.conftest import client_for, member, with_totp
from tests.factories import MembreCommissionFactory

pytestmark = pytest.mark.django_db

# The page's queries whatever the number of dossiers and labels: session, user, national-admin
# check, structure, dossiers (with campaign, référentiel and audit), their ready documents,
# decisions, labels, label events, follow-up audits.
MAX_QUERIES = 10


@pytest.fixture
def admin(network):  # type: ignore[no-untyped-def]
    return with_totp(member(network["unml"], Role.ADMIN_UNML))


@pytest.fixture
def people(network):  # type: ignore[no-untyped-def]
    from types import SimpleNamespace

    ml_a = network["ml_a"]
    return SimpleNamespace(
        direction=member(ml_a, Role.DIRECTION),
        lecteur=member(ml_a, Role.LECTEUR),
        contributeur=member(ml_a, Role.CONTRIBUTEUR),
        arml=member(network["arml_a"], Role.REFERENT_ARML),
        other_ml=member(network["ml_b"], Role.DIRECTION),
        same_region_ml=member(network["ml_a2"], Role.DIRECTION),
        other_arml=member(network["arml_b"], Role.REFERENT_ARML),
    )


@pytest.fixture
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def labelled_dossier(admin: Any, structure: Any, referentiel: Any, n: int, **label: Any) -> Any:
    """Dossier n of `structure` in its own campaign, decided and labelled, with a ready decision
    letter and a queued report."""
    today = timezone.localdate()
    campagne = create_campagne(
        actor=admin,
        nom=f"Campagne {2020 + n}",
        referentiel=referentiel,
        date_ouverture=dt.date(2020 + n, 1, 6),
        date_cloture_autoevaluation=dt.date(2020 + n, 6, 30),
    )
    dossier = open_campagne(actor=admin, campagne=campagne, structures=[structure]).created[0]
    seance = Seance.objects.create(date=timezone.now(), president=MembreCommissionFactory())
    point = PointOrdreDuJour.objects.create(seance=seance, dossier=dossier, vote="clos")
    decision = Decision.objects.create(
        point=point,
        dossier=dossier,
        resultat="labellise_sous_reserve",
        motivation=f"Motivation de la décision {n}.",
    )
    Label.objects.create(
        structure=structure,
        decision=decision,
        numero=f"LML-{2020 + n}-{n:05d}",
        date_debut=label.get("date_debut", today - dt.timedelta(days=30)),
        date_fin=label.get("date_fin", today + dt.timedelta(days=1000)),
        reserves="Lever l'écart sur l'accueil.",
    )
    ready = Document(dossier=dossier, type="decision", statut="ready")
    ready.fichier.save("d.pdf", ContentFile(b"%PDF-1.4"), save=False)
    ready.rendered_at = timezone.now()
    ready.save()
    Document.objects.create(dossier=dossier, type="audit", statut="queued")
    return dossier


@pytest.fixture
def history(admin, network, referentiel_ml, media, people):  # type: ignore[no-untyped-def]
    """ML A: an expired label (campaign 2021), then a suspended one with a follow-up audit
    (campaign 2022)."""
    today = timezone.localdate()
    old = labelled_dossier(
        admin,
        network["ml_a"],
        referentiel_ml,
        1,
        date_debut=today - dt.timedelta(days=1200),
        date_fin=today - dt.timedelta(days=100),
    )
    current = labelled_dossier(admin, network["ml_a"], referentiel_ml, 2)
    label = Label.objects.get(decision__dossier=current)
    commission.suspend_label(actor=admin, label=label, motivation="Enquête sur la gouvernance.")
    from audits.suivis.models import AuditSuivi

    suivi = AuditSuivi.objects.create(
        label=label,
        dossier=current,
        date_prevue=today + dt.timedelta(days=200),
        statut=AuditSuivi.Statut.CONCLU,
        conclusion=AuditSuivi.Conclusion.MAINTIEN_AVEC_OBSERVATIONS,
        conclu_le=timezone.now(),
    )
    return {"old": old, "current": current, "label": label, "suivi": suivi}


def url_for(structure: Any) -> str:
    return reverse("structures:structure_history", args=[structure.pk])


def test_the_history_shows_dossiers_decisions_labels_events_and_follow_ups(
    history, network, people
):
    response = client_for(people.direction).get(url_for(network["ml_a"]))
    assert response.status_code == 200
    html = response.content.decode()
    old, current, label, suivi = (
        history["old"],
        history["current"],
        history["label"],
        history["suivi"],
    )
    # Dossiers: campaign, state, link, ready reports (only those ready).
    documents = {
        (d.dossier_id, d.statut): d for d in Document.objects.filter(dossier__in=(old, current))
    }
    for dossier in (old, current):
        assert dossier.campagne.nom in html
        assert reverse("campagnes:dossier_detail", args=[dossier.pk]) in html
        assert reverse("campagnes:dossier_history", args=[dossier.pk]) in html
        ready = documents[dossier.pk, "ready"]
        assert reverse("documents:document_download", args=[dossier.pk, ready.pk]) in html
        queued = documents[dossier.pk, "queued"]
        assert reverse("documents:document_download", args=[dossier.pk, queued.pk]) not in html
    assert "Lettre de décision" in html
    # Decisions: result and motivation.
    assert "Labellisé sous réserve" in html
    assert "Motivation de la décision 1." in html and "Motivation de la décision 2." in html
    # Labels: number, validity, status on the day, suspension with its motivation.
    assert "LML-2021-00001" in html and "LML-2022-00002" in html
    assert "Expiré" in html and "Suspendu" in html
    assert "Enquête sur la gouvernance." in html
    assert reverse("commission:label_verify", args=[label.numero]) in html
    assert reverse("commission:label_detail", args=[label.numero]) in html
    # Follow-up audit: status, conclusion, link.
    assert "Maintien du label avec observations" in html
    assert reverse("suivis:suivi_detail", args=[suivi.pk]) in html
    # Chronology, most recent first: the suspension comes before the label's grant.
    assert html.index("Label LML-2022-00002 : suspension") < html.index(
        "Label LML-2022-00002 accordé"
    )


def test_the_expired_label_shows_expired_with_no_job(history, network, people):
    from labelml.structures.history import structure_history

    labels = {
        label.numero: label.statut_du_jour for label in structure_history(network["ml_a"]).labels
    }
    assert labels == {"LML-2021-00001": "expire", "LML-2022-00002": "suspendu"}
    assert Label.objects.get(numero="LML-2021-00001").statut == "valide"  # no job rewrote it


def test_whoever_may_see_the_structure_sees_its_history(history, network, people, admin):
    for user in (people.direction, people.lecteur, people.contributeur, people.arml, admin):
        assert client_for(user).get(url_for(network["ml_a"])).status_code == 200, user


def test_anybody_else_gets_404(history, network, people):
    chair = MembreCommissionFactory(user=with_totp(_user()))
    for user in (people.other_ml, people.same_region_ml, people.other_arml, chair.user):
        client = client_for(user)
        assert client.get(url_for(network["ml_a"])).status_code == 404, user
    # An unknown structure answers the same.
    assert (
        client_for(people.direction)
        .get(reverse("structures:structure_history", args=[99999]))
        .status_code
        == 404
    )


def test_anonymous_is_sent_to_login(history, network):
    response = Client().get(url_for(network["ml_a"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_an_empty_history(network, people):
    html = client_for(people.direction).get(url_for(network["ml_a"])).content.decode()
    assert "Aucun label pour l'instant." in html and "Aucun dossier pour l'instant." in html


def test_the_structure_page_and_the_dossier_page_link_to_it(history, network, people):
    client = client_for(people.direction)
    link = url_for(network["ml_a"])
    assert (
        link
        in client.get(
            reverse("structures:structure_detail", args=[network["ml_a"].pk])
        ).content.decode()
    )
    dossier_page = client.get(reverse("campagnes:dossier_detail", args=[history["current"].pk]))
    assert link in dossier_page.content.decode()


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_query_count_does_not_grow_with_the_history(
    admin, network, referentiel_ml, media, people, django_assert_max_num_queries
):
    client = client_for(people.direction)
    url = url_for(network["ml_a"])
    first = Label.objects.get(
        decision__dossier=labelled_dossier(admin, network["ml_a"], referentiel_ml, 1)
    )
    commission.suspend_label(actor=admin, label=first, motivation="Enquête.")
    client.get(url)  # warm the per-session caches
    one = _count(client, url)
    # Two more campaigns (renewals: the suspension is lifted first), each suspended in turn.
    commission.reinstate_label(actor=admin, label=first, motivation="Enquête close.")
    for n in (2, 3):
        dossier = labelled_dossier(admin, network["ml_a"], referentiel_ml, n)
        label = Label.objects.get(decision__dossier=dossier)
        commission.suspend_label(actor=admin, label=label, motivation="Enquête.")
        if n == 2:
            commission.reinstate_label(actor=admin, label=label, motivation="Enquête close.")
    three = _count(client, url)
    assert one == three, (one, three)
    with django_assert_max_num_queries(MAX_QUERIES):
        html = client.get(url).content.decode()
    assert all(f"LML-{2020 + n}-{n:05d}" in html for n in (1, 2, 3))


def _user() -> Any:
    from tests.factories import UserFactory

    return UserFactory()
