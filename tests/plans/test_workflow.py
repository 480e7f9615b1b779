"""Submitting the plan and requesting the external audit from the plan page (SPEC §3)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from campagnes.models import Dossier, DossierTransition
from tests.conftest import client_for

from .conftest import make_action, set_statut

pytestmark = pytest.mark.django_db


def submit_url(dossier):  # type: ignore[no-untyped-def]
    return reverse("plans:plan_submit", args=[dossier.pk])


def audit_url(dossier):  # type: ignore[no-untyped-def]
    return reverse("plans:dossier_request_audit", args=[dossier.pk])


@pytest.fixture
def in_plan(dossier):  # type: ignore[no-untyped-def]
    set_statut(dossier, Dossier.Statut.PLAN_AMELIORATION)
    return dossier


def test_submitting_an_empty_plan_is_refused_with_a_message(in_plan, direction):
    response = client_for(direction).post(submit_url(in_plan), follow=True)
    assert "Le plan d&#x27;amélioration ne contient encore aucune action." in (
        response.content.decode()
    )
    in_plan.plan.refresh_from_db()
    assert in_plan.plan.soumis_le is None
    assert not DossierTransition.objects.filter(dossier=in_plan, action="submit_plan").exists()


def test_direction_submits_a_plan_with_actions(in_plan, direction):
    make_action(in_plan, "Première action")
    response = client_for(direction).post(submit_url(in_plan))
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:plan_detail", args=[in_plan.pk])
    in_plan.plan.refresh_from_db()
    assert in_plan.plan.soumis_le is not None
    assert in_plan.plan.soumis_par == direction
    transition = DossierTransition.objects.get(dossier=in_plan, action="submit_plan")
    assert transition.actor == direction
    in_plan.refresh_from_db()
    assert in_plan.statut == Dossier.Statut.PLAN_AMELIORATION


def test_referent_cannot_submit_the_plan(in_plan, referent):
    make_action(in_plan)
    assert client_for(referent).post(submit_url(in_plan)).status_code == 403
    in_plan.plan.refresh_from_db()
    assert in_plan.plan.soumis_le is None


def test_plan_cannot_be_submitted_during_the_self_assessment(dossier, direction):
    make_action(dossier)
    response = client_for(direction).post(submit_url(dossier), follow=True)
    assert "Impossible de soumettre le plan" in response.content.decode()
    dossier.plan.refresh_from_db()
    assert dossier.plan.soumis_le is None


def test_the_page_offers_submission_then_the_audit_request_to_the_direction(in_plan, direction):
    make_action(in_plan)
    client = client_for(direction)
    before = client.get(reverse("plans:plan_detail", args=[in_plan.pk])).content.decode()
    assert f'action="{submit_url(in_plan)}"' in before
    assert f'action="{audit_url(in_plan)}"' not in before
    client.post(submit_url(in_plan))
    after = client.get(reverse("plans:plan_detail", args=[in_plan.pk])).content.decode()
    assert f'action="{submit_url(in_plan)}"' not in after
    assert f'action="{audit_url(in_plan)}"' in after
    assert "Demander l'évaluation externe" in after
    assert "Soumis le" in after


def test_the_referent_sees_neither_button(in_plan, referent):
    make_action(in_plan)
    html = (
        client_for(referent).get(reverse("plans:plan_detail", args=[in_plan.pk])).content.decode()
    )
    assert submit_url(in_plan) not in html
    assert audit_url(in_plan) not in html


def test_after_submission_the_direction_requests_the_audit(in_plan, direction, referent):
    make_action(in_plan)
    client_for(direction).post(submit_url(in_plan))
    assert client_for(referent).post(audit_url(in_plan)).status_code == 403
    in_plan.refresh_from_db()
    assert in_plan.statut == Dossier.Statut.PLAN_AMELIORATION
    client_for(direction).post(audit_url(in_plan))
    in_plan.refresh_from_db()
    assert in_plan.statut == Dossier.Statut.AUDIT_A_PLANIFIER
    assert DossierTransition.objects.filter(
        dossier=in_plan, action="request_audit", to_state=Dossier.Statut.AUDIT_A_PLANIFIER
    ).exists()


def test_after_the_audit_request_the_plan_is_read_only(in_plan, direction, referent):
    action = make_action(in_plan, "Action figée")
    client_for(direction).post(submit_url(in_plan))
    client_for(direction).post(audit_url(in_plan))
    for user in (direction, referent):
        client = client_for(user)
        edit = reverse("plans:plan_action_edit", args=[in_plan.pk, action.pk])
        response = client.post(
            edit, {"titre": "Modifiée", "criteres": [], "priorite": "haute", "statut": "fait"}
        )
        assert response.status_code == 403
        assert (
            client.post(
                reverse("plans:plan_action_create", args=[in_plan.pk]), {"titre": "Nouvelle"}
            ).status_code
            == 403
        )
        assert (
            client.post(
                reverse("plans:plan_action_delete", args=[in_plan.pk, action.pk])
            ).status_code
            == 403
        )
    action.refresh_from_db()
    assert action.titre == "Action figée"
    assert in_plan.plan.actions.count() == 1


def test_editing_after_submission_keeps_the_submission(in_plan, direction, referent):
    """Submitted is not frozen: the plan stays editable until the audit is requested."""
    action = make_action(in_plan, "Avant")
    client_for(direction).post(submit_url(in_plan))
    response = client_for(referent).post(
        reverse("plans:plan_action_edit", args=[in_plan.pk, action.pk]),
        {
            "titre": "Après",
            "criteres": [c.pk for c in action.criteres.all()],
            "priorite": "moyenne",
            "statut": "en_cours",
            "avancement": "20",
        },
    )
    assert response.status_code == 302
    action.refresh_from_db()
    in_plan.plan.refresh_from_db()
    assert action.titre == "Après"
    assert in_plan.plan.soumis_le is not None
