"""The administrator's assignment page, the structure's gap answers, the comparison view and the
missions list, through the views."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from audits.models import Audit, ReponseEcart
from campagnes.models import Dossier
from tests.audits.conftest import GAP_CRITERE, constat
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_admin_assigns_the_audit_through_the_form(planifiable, admin, auditeur):
    client = client_for(admin)
    url = reverse("audits:audit_assign", args=[planifiable.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "auditeur": auditeur.pk,
            "date_debut": "2026-02-02",
            "date_fin": "2026-02-01",
            "sites": "Siège",
        },
    )
    assert response.status_code == 400
    assert "doit suivre" in response.content.decode()
    assert not Audit.objects.exists()
    response = client.post(
        url,
        {
            "auditeur": auditeur.pk,
            "date_debut": "2026-02-02",
            "date_fin": "2026-02-03",
            "sites": "Siège, antenne Nord",
        },
    )
    assert response.status_code == 302
    audit = Audit.objects.get(dossier=planifiable)
    assert audit.auditeur == auditeur and audit.sites == "Siège, antenne Nord"
    assert Dossier.objects.get(pk=planifiable.pk).statut == Dossier.Statut.AUDIT_PLANIFIE


def test_the_structure_cannot_assign_its_own_auditor(planifiable, people, auditeur):
    response = client_for(people.direction).get(
        reverse("audits:audit_assign", args=[planifiable.pk])
    )
    assert response.status_code == 403


def test_the_structure_sees_no_report_before_validation(submitted, people):
    client = client_for(people.direction)
    for name in ("audits:audit_gaps", "audits:audit_comparison"):
        assert client.get(reverse(name, args=[submitted.dossier_id])).status_code == 404


def test_direction_drafts_then_sends_a_gap_answer_which_becomes_read_only(validated, people):
    client = client_for(people.direction)
    gap = constat(validated, GAP_CRITERE)
    page = client.get(reverse("audits:audit_gaps", args=[validated.dossier_id]))
    assert page.status_code == 200 and f"constat-{gap.pk}" in page.content.decode()
    url = reverse("audits:audit_answer_gap", args=[validated.dossier_id, gap.pk])
    prefix = f"c{gap.pk}-"
    response = client.post(
        url,
        {
            prefix + "action_corrective": "Nouveau règlement intérieur.",
            prefix + "preuves": "Délibération du CA",
            "brouillon": "",
        },
    )
    assert response.status_code == 302
    reponse = ReponseEcart.objects.get(constat=gap)
    assert reponse.envoye_le is None
    response = client.post(
        url, {prefix + "action_corrective": "Règlement adopté le 3 mars.", "envoyer": ""}
    )
    assert response.status_code == 302
    reponse.refresh_from_db()
    assert reponse.envoye_le is not None and reponse.action_corrective.startswith("Règlement")
    response = client.post(
        url, {prefix + "action_corrective": "Changement après envoi", "envoyer": ""}
    )
    assert response.status_code == 400
    assert "n'est plus modifiable" in response.content.decode()
    reponse.refresh_from_db()
    assert reponse.action_corrective.startswith("Règlement")


def test_a_gap_answer_after_the_delay_is_refused_with_the_deadline(validated, people):
    Audit.objects.filter(pk=validated.pk).update(
        valide_le=timezone.now()
        - dt.timedelta(days=validated.dossier.campagne.delai_reponse_jours + 2)
    )
    gap = constat(validated, GAP_CRITERE)
    response = client_for(people.direction).post(
        reverse("audits:audit_answer_gap", args=[validated.dossier_id, gap.pk]),
        {f"c{gap.pk}-action_corrective": "Trop tard", "envoyer": ""},
    )
    assert response.status_code == 400
    assert "délai de réponse aux écarts est dépassé" in response.content.decode()
    assert not ReponseEcart.objects.exists()


@pytest.mark.parametrize("role", ["referent", "lecteur"])
def test_only_the_direction_answers_gaps(validated, people, role):
    gap = constat(validated, GAP_CRITERE)
    response = client_for(getattr(people, role)).post(
        reverse("audits:audit_answer_gap", args=[validated.dossier_id, gap.pk]),
        {f"c{gap.pk}-action_corrective": "X", "envoyer": ""},
    )
    assert response.status_code == 403
    assert not ReponseEcart.objects.exists()


def test_comparison_shows_both_series_after_validation(validated, people):
    response = client_for(people.lecteur).get(
        reverse("audits:audit_comparison", args=[validated.dossier_id])
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Auto-évaluation" in html and "Évaluation externe" in html
    assert html.count("<polygon") > 4  # grid rings plus the two series
    assert "Écart majeur" in html


def test_missions_list_shows_the_auditors_mission(assigned, auditeur, lead, people):
    html = client_for(auditeur.user).get(reverse("audits:audit_missions")).content.decode()
    assert assigned.dossier.structure.nom in html
    html = client_for(lead.user).get(reverse("audits:audit_missions")).content.decode()
    assert assigned.dossier.structure.nom in html
    html = client_for(people.direction).get(reverse("audits:audit_missions")).content.decode()
    assert assigned.dossier.structure.nom not in html
