"""The dossier workflow (SPEC §3): campaign opening, transitions, their preconditions and rights,
snapshots, notifications, and the views that drive them (including tenant isolation)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import resolve, reverse
from django.utils.html import escape
from django.utils.text import Truncator

from campagnes.autoevaluations.models import AutoEvaluation, Reponse, Snapshot, SyntheseCritere
from campagnes.autoevaluations.services import submit_autoevaluation
from campagnes.models import Campagne, Dossier, DossierTransition
from campagnes.plans.models import Action, PlanAmelioration
from campagnes.plans.services import request_audit, submit_plan
from campagnes.services import create_campagne, open_campagne
from campagnes.workflow import reopen_autoevaluation
from labelml.core.transitions import TransitionError
from labelml.notifications.models import Notification
from labelml.structures.roles import Role
from referentiel.models import Critere, Element, Referentiel
from tests.campagnes.conftest import fill_dossier, niveau, rate
from tests.conftest import client_for, member
from tests.urlmap import iter_patterns

Statut = Dossier.Statut


# --- helpers -------------------------------------------------------------------------------


def footprint(dossier: Dossier) -> dict[str, Any]:
    """Everything a transition may touch, read fresh from the database."""
    plan = PlanAmelioration.objects.get(dossier=dossier)
    return {
        "statut": Dossier.objects.get(pk=dossier.pk).statut,
        "transitions": list(
            DossierTransition.objects.filter(dossier=dossier)
            .order_by("pk")
            .values_list("pk", "action", "from_state", "to_state", "reason")
        ),
        "snapshots": list(
            Snapshot.objects.filter(dossier=dossier)
            .order_by("numero")
            .values_list("pk", "numero", "empreinte")
        ),
        "plan": (plan.soumis_le, plan.soumis_par_id, plan.actions.count()),
        "notifications": Notification.objects.filter(dossier=dossier).count(),
    }


def add_action(dossier: Dossier, author: Any, titre: str = "Formaliser l'accueil") -> Action:
    plan = PlanAmelioration.objects.get(dossier=dossier)
    action = Action.objects.create(plan=plan, titre=titre, created_by=author)
    action.criteres.add(Critere.objects.get(referentiel=dossier.campagne.referentiel, code="1.1"))
    return action


def canonical_sha256(content: Any) -> str:
    payload = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def to_plan(dossier: Dossier, direction: Any) -> Dossier:
    fill_dossier(dossier)
    return submit_autoevaluation(dossier, direction)


def to_audit(dossier: Dossier, direction: Any) -> Dossier:
    to_plan(dossier, direction)
    add_action(dossier, direction)
    submit_plan(dossier, direction)
    return request_audit(dossier, direction)


def critere_url(dossier: Dossier, code: str) -> str:
    return reverse("autoevaluations:autoevaluation_critere", args=[dossier.pk, code])


# --- opening a campaign ----------------------------------------------------------------------


def test_open_campagne_creates_the_dossier_with_its_empty_self_assessment(campagne, network, admin):
    report = open_campagne(actor=admin, campagne=campagne, structures=[network["ml_a"]])

    assert [d.structure for d in report.created] == [network["ml_a"]]
    dossier = report.created[0]
    assert dossier.statut == Statut.AUTOEVALUATION
    autoevaluation = AutoEvaluation.objects.get(dossier=dossier)
    reponses = Reponse.objects.filter(autoevaluation=autoevaluation)
    assert reponses.count() == 99
    assert reponses.filter(niveau__isnull=True, justification="", version=0).count() == 99
    assert set(reponses.values_list("element_id", flat=True)) == set(
        Element.objects.filter(referentiel=campagne.referentiel).values_list("pk", flat=True)
    )
    syntheses = SyntheseCritere.objects.filter(autoevaluation=autoevaluation)
    assert syntheses.count() == 24
    assert syntheses.filter(synthese="", contributeur__isnull=True).count() == 24
    plan = PlanAmelioration.objects.get(dossier=dossier)
    assert plan.soumis_le is None
    assert plan.actions.count() == 0
    [transition] = DossierTransition.objects.filter(dossier=dossier)
    assert transition.action == "open"
    assert (transition.from_state, transition.to_state) == ("", Statut.AUTOEVALUATION)
    assert transition.actor == admin


def test_reopening_a_campaign_for_the_same_structure_is_idempotent(campagne, network, admin):
    first = open_campagne(actor=admin, campagne=campagne, structures=[network["ml_a"]])
    second = open_campagne(
        actor=admin, campagne=campagne, structures=[network["ml_a"], network["ml_a2"]]
    )

    assert second.already == [network["ml_a"]]
    assert [d.structure for d in second.created] == [network["ml_a2"]]
    assert Dossier.objects.filter(campagne=campagne, structure=network["ml_a"]).count() == 1
    dossier = first.created[0]
    assert Reponse.objects.filter(autoevaluation__dossier=dossier).count() == 99
    assert SyntheseCritere.objects.filter(autoevaluation__dossier=dossier).count() == 24
    assert DossierTransition.objects.filter(dossier=dossier).count() == 1


def test_open_campagne_refuses_a_structure_the_referentiel_does_not_target(
    campagne, network, admin
):
    report = open_campagne(actor=admin, campagne=campagne, structures=[network["arml_a"]])

    assert report.created == []
    assert [s for s, _ in report.refused] == [network["arml_a"]]
    assert not Dossier.objects.filter(structure=network["arml_a"]).exists()


@pytest.mark.parametrize(
    "role", [Role.DIRECTION, Role.REFERENT_QUALITE, Role.REFERENT_ARML, Role.LECTEUR]
)
def test_a_non_admin_cannot_open_a_campaign(campagne, network, role):
    structure = network["arml_a"] if role == Role.REFERENT_ARML else network["ml_a"]
    user = member(structure, role)

    with pytest.raises(PermissionDenied):
        open_campagne(actor=user, campagne=campagne, structures=[network["ml_a"]])

    assert not Dossier.objects.filter(campagne=campagne).exists()


def test_a_non_admin_cannot_create_a_campaign(referentiel_ml, network):
    with pytest.raises(PermissionDenied):
        create_campagne(
            actor=member(network["ml_a"], Role.DIRECTION),
            nom="Campagne pirate",
            referentiel=referentiel_ml,
            date_ouverture=dt.date(2025, 1, 1),
            date_cloture_autoevaluation=dt.date(2025, 6, 30),
        )
    assert not Campagne.objects.exists()


def test_create_campagne_refuses_a_draft_referentiel(referentiel_ml, admin):
    Referentiel.objects.filter(pk=referentiel_ml.pk).update(statut=Referentiel.Statut.BROUILLON)
    referentiel_ml.refresh_from_db()

    with pytest.raises(ValidationError) as exc:
        create_campagne(
            actor=admin,
            nom="Campagne sur brouillon",
            referentiel=referentiel_ml,
            date_ouverture=dt.date(2025, 1, 1),
            date_cloture_autoevaluation=dt.date(2025, 6, 30),
        )
    assert "referentiel" in exc.value.message_dict
    assert not Campagne.objects.exists()


def test_create_campagne_refuses_a_closing_date_before_the_opening(referentiel_ml, admin):
    with pytest.raises(ValidationError) as exc:
        create_campagne(
            actor=admin,
            nom="Campagne à l'envers",
            referentiel=referentiel_ml,
            date_ouverture=dt.date(2025, 6, 30),
            date_cloture_autoevaluation=dt.date(2025, 1, 1),
        )
    assert "date_cloture_autoevaluation" in exc.value.message_dict
    assert not Campagne.objects.exists()


# --- illegal transitions: TransitionError, nothing changed ----------------------------------


def test_submitting_an_incomplete_self_assessment_lists_what_is_missing_with_links(dossier, people):
    fill_dossier(dossier)
    Reponse.objects.filter(autoevaluation__dossier=dossier, element__code="4.2.1.e2").update(
        niveau=None
    )
    # « Sans objet » is allowed on 4.2.1.e5 but must be justified.
    Reponse.objects.filter(autoevaluation__dossier=dossier, element__code="4.2.1.e5").update(
        niveau=niveau(dossier, "sans_objet"), justification=""
    )
    SyntheseCritere.objects.filter(autoevaluation__dossier=dossier, critere__code="3.2").update(
        synthese=""
    )
    before = footprint(dossier)

    with pytest.raises(TransitionError) as exc:
        submit_autoevaluation(dossier, people.direction)

    missing = {item.label: item.url for item in exc.value.missing}
    assert missing == {
        "Élément 4.2.1.e2 : niveau non renseigné": critere_url(dossier, "4.2.1")
        + "#element-4.2.1.e2",
        "Élément 4.2.1.e5 : « Sans objet » doit être justifié": critere_url(dossier, "4.2.1")
        + "#element-4.2.1.e5",
        "Critère 3.2 : synthèse à rédiger": critere_url(dossier, "3.2") + "#synthese",
    }
    for url in missing.values():
        assert resolve(url.split("#")[0]).url_name == "autoevaluation_critere"
    assert "3 points" in exc.value.message
    assert footprint(dossier) == before


def test_submitting_an_untouched_self_assessment_lists_every_element_and_criterion(dossier, people):
    with pytest.raises(TransitionError) as exc:
        submit_autoevaluation(dossier, people.direction)

    labels = [item.label for item in exc.value.missing]
    assert len(labels) == 99 + 24
    assert labels[0] == "Élément 1.1.e1 : niveau non renseigné"
    assert "Critère 5.4 : synthèse à rédiger" in labels
    assert Dossier.objects.get(pk=dossier.pk).statut == Statut.AUTOEVALUATION


def test_submitting_twice_is_refused_and_changes_nothing(filled_dossier, people):
    submit_autoevaluation(filled_dossier, people.direction)
    before = footprint(filled_dossier)

    with pytest.raises(TransitionError) as exc:
        submit_autoevaluation(filled_dossier, people.direction)

    assert "Plan d'amélioration" in exc.value.message
    assert footprint(filled_dossier) == before
    assert Snapshot.objects.filter(dossier=filled_dossier).count() == 1


def test_requesting_the_audit_before_the_plan_is_submitted_is_refused(dossier, people):
    to_plan(dossier, people.direction)
    add_action(dossier, people.direction)
    before = footprint(dossier)

    with pytest.raises(TransitionError) as exc:
        request_audit(dossier, people.direction)

    assert "plan d'amélioration" in exc.value.message
    assert footprint(dossier) == before


def test_requesting_the_audit_during_the_self_assessment_is_refused(filled_dossier, people):
    before = footprint(filled_dossier)

    with pytest.raises(TransitionError):
        request_audit(filled_dossier, people.direction)

    assert footprint(filled_dossier) == before


def test_submitting_an_empty_plan_is_refused(dossier, people):
    to_plan(dossier, people.direction)
    before = footprint(dossier)

    with pytest.raises(TransitionError) as exc:
        submit_plan(dossier, people.direction)

    assert "aucune action" in exc.value.message
    assert footprint(dossier) == before


def test_submitting_a_plan_of_abandoned_actions_only_is_refused(dossier, people):
    to_plan(dossier, people.direction)
    add_action(dossier, people.direction)
    Action.objects.filter(plan__dossier=dossier).update(statut=Action.Statut.ABANDONNE)
    before = footprint(dossier)

    with pytest.raises(TransitionError) as exc:
        submit_plan(dossier, people.direction)

    assert "abandonnées" in exc.value.message
    assert footprint(dossier) == before
    # One action still to carry out is enough.
    add_action(dossier, people.direction, titre="Former les conseillers")
    submit_plan(dossier, people.direction)
    assert PlanAmelioration.objects.get(dossier=dossier).soumis_le is not None


def test_submitting_the_plan_during_the_self_assessment_is_refused(filled_dossier, people):
    add_action(filled_dossier, people.direction)
    before = footprint(filled_dossier)

    with pytest.raises(TransitionError):
        submit_plan(filled_dossier, people.direction)

    assert footprint(filled_dossier) == before


@pytest.mark.parametrize("reason", ["", "   \n  "])
def test_reopening_without_a_reason_is_refused(dossier, people, admin, reason):
    to_plan(dossier, people.direction)
    before = footprint(dossier)

    with pytest.raises(TransitionError) as exc:
        reopen_autoevaluation(dossier, admin, reason)

    assert "motif" in exc.value.message
    assert footprint(dossier) == before


def test_reopening_a_dossier_still_in_self_assessment_is_refused(filled_dossier, admin):
    before = footprint(filled_dossier)

    with pytest.raises(TransitionError):
        reopen_autoevaluation(filled_dossier, admin, "Erreur de saisie")

    assert footprint(filled_dossier) == before


# --- rights: PermissionDenied, nothing changed ------------------------------------------------


@pytest.mark.parametrize("who", ["referent", "contributeur", "lecteur", "arml", "admin"])
def test_only_the_direction_submits_the_self_assessment(filled_dossier, people, admin, who):
    actor = admin if who == "admin" else getattr(people, who)
    before = footprint(filled_dossier)

    with pytest.raises(PermissionDenied):
        submit_autoevaluation(filled_dossier, actor)

    assert footprint(filled_dossier) == before


def test_a_member_of_another_structure_cannot_submit(filled_dossier, people):
    before = footprint(filled_dossier)

    with pytest.raises(PermissionDenied):
        submit_autoevaluation(filled_dossier, people.outsider)

    assert footprint(filled_dossier) == before


@pytest.mark.parametrize("who", ["referent", "contributeur", "lecteur", "arml"])
def test_only_the_direction_submits_the_plan(dossier, people, who):
    to_plan(dossier, people.direction)
    add_action(dossier, people.direction)
    before = footprint(dossier)

    with pytest.raises(PermissionDenied):
        submit_plan(dossier, getattr(people, who))

    assert footprint(dossier) == before


@pytest.mark.parametrize("who", ["referent", "contributeur", "lecteur", "arml"])
def test_only_the_direction_requests_the_audit(dossier, people, who):
    to_plan(dossier, people.direction)
    add_action(dossier, people.direction)
    submit_plan(dossier, people.direction)
    before = footprint(dossier)

    with pytest.raises(PermissionDenied):
        request_audit(dossier, getattr(people, who))

    assert footprint(dossier) == before


@pytest.mark.parametrize("who", ["direction", "referent", "arml"])
def test_only_national_admins_reopen_the_self_assessment(dossier, people, who):
    to_plan(dossier, people.direction)
    before = footprint(dossier)

    with pytest.raises(PermissionDenied):
        reopen_autoevaluation(dossier, getattr(people, who), "Je veux corriger")

    assert footprint(dossier) == before


# --- the happy path ------------------------------------------------------------------------


def test_submission_freezes_a_snapshot_and_moves_to_the_improvement_plan(filled_dossier, people):
    rate(filled_dossier, "2.3.e1", "4", "Évalué chaque année.")

    result = submit_autoevaluation(filled_dossier, people.direction)

    assert result.statut == Statut.PLAN_AMELIORATION
    assert Dossier.objects.get(pk=filled_dossier.pk).statut == Statut.PLAN_AMELIORATION
    [snapshot] = Snapshot.objects.filter(dossier=filled_dossier)
    assert snapshot.numero == 1
    assert snapshot.soumis_par == people.direction
    assert re.fullmatch(r"[0-9a-f]{64}", snapshot.empreinte)
    assert snapshot.empreinte == canonical_sha256(snapshot.contenu)
    assert len(snapshot.contenu["reponses"]) == 99
    assert len(snapshot.contenu["syntheses"]) == 24
    answer = next(r for r in snapshot.contenu["reponses"] if r["element"] == "2.3.e1")
    assert answer["niveau"] == "4"
    assert answer["justification"] == "Évalué chaque année."
    assert snapshot.contenu["structure"]["code"] == filled_dossier.structure.code
    transition = DossierTransition.objects.filter(dossier=filled_dossier).latest("pk")
    assert transition.action == "submit_autoevaluation"
    assert (transition.from_state, transition.to_state) == (
        Statut.AUTOEVALUATION,
        Statut.PLAN_AMELIORATION,
    )
    assert transition.actor == people.direction
    assert snapshot.empreinte[:12] in transition.reason


def test_plan_submission_then_audit_request_reach_audit_a_planifier(dossier, people):
    to_plan(dossier, people.direction)
    add_action(dossier, people.direction)

    submit_plan(dossier, people.direction)

    plan = PlanAmelioration.objects.get(dossier=dossier)
    assert plan.soumis_le is not None
    assert plan.soumis_par == people.direction
    logged = DossierTransition.objects.filter(dossier=dossier).latest("pk")
    assert logged.action == "submit_plan"
    assert logged.from_state == logged.to_state == Statut.PLAN_AMELIORATION
    assert Dossier.objects.get(pk=dossier.pk).statut == Statut.PLAN_AMELIORATION

    request_audit(dossier, people.direction)

    assert Dossier.objects.get(pk=dossier.pk).statut == Statut.AUDIT_A_PLANIFIER
    transition = DossierTransition.objects.filter(dossier=dossier).latest("pk")
    assert transition.action == "request_audit"
    assert (transition.from_state, transition.to_state) == (
        Statut.PLAN_AMELIORATION,
        Statut.AUDIT_A_PLANIFIER,
    )
    assert transition.actor == people.direction


@pytest.mark.parametrize("stage", ["plan_amelioration", "audit_a_planifier"])
def test_an_admin_reopens_with_a_reason_kept_in_the_history(dossier, people, admin, stage):
    if stage == "plan_amelioration":
        to_plan(dossier, people.direction)
    else:
        to_audit(dossier, people.direction)

    reopen_autoevaluation(dossier, admin, "  Pièces manquantes sur la partie 4  ")

    assert Dossier.objects.get(pk=dossier.pk).statut == Statut.AUTOEVALUATION
    transition = DossierTransition.objects.filter(dossier=dossier).latest("pk")
    assert transition.action == "reopen_autoevaluation"
    assert (transition.from_state, transition.to_state) == (stage, Statut.AUTOEVALUATION)
    assert transition.actor == admin
    assert transition.reason == "Pièces manquantes sur la partie 4"


def test_resubmission_creates_a_second_snapshot_and_keeps_the_first_unchanged(
    dossier, people, admin
):
    to_audit(dossier, people.direction)
    first = Snapshot.objects.get(dossier=dossier, numero=1)
    first_content = json.loads(json.dumps(first.contenu))
    first_hash = first.empreinte
    reopen_autoevaluation(dossier, admin, "Corriger la partie 2")
    # Answers change between the two submissions.
    rate(dossier, "2.1.e1", "1", "Finalement pas engagé.")
    SyntheseCritere.objects.filter(autoevaluation__dossier=dossier, critere__code="2.1").update(
        synthese="Synthèse révisée."
    )

    submit_autoevaluation(dossier, people.direction)

    assert list(
        Snapshot.objects.filter(dossier=dossier).order_by("numero").values_list("numero", flat=True)
    ) == [1, 2]
    first.refresh_from_db()
    assert first.contenu == first_content
    assert first.empreinte == first_hash == canonical_sha256(first.contenu)
    old = next(r for r in first.contenu["reponses"] if r["element"] == "2.1.e1")
    assert (old["niveau"], old["justification"]) == ("3", "Constat documenté.")
    second = Snapshot.objects.get(dossier=dossier, numero=2)
    assert second.empreinte == canonical_sha256(second.contenu)
    assert second.empreinte != first_hash
    new = next(r for r in second.contenu["reponses"] if r["element"] == "2.1.e1")
    assert (new["niveau"], new["justification"]) == ("1", "Finalement pas engagé.")
    assert next(s for s in second.contenu["syntheses"] if s["critere"] == "2.1") == {
        "critere": "2.1",
        "synthese": "Synthèse révisée.",
        "points_forts": "Points forts.",
        "axes_amelioration": "Axes.",
    }
    assert Dossier.objects.get(pk=dossier.pk).statut == Statut.PLAN_AMELIORATION


# --- notifications -----------------------------------------------------------------------------


@pytest.fixture
def eager_celery():  # type: ignore[no-untyped-def]
    """Run Celery tasks in-process even when REDIS_URL points the broker at a real Redis."""
    from labelml.celery import app

    previous = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


def test_submission_notifies_the_structure_and_its_arml_and_emails_each_once(
    filled_dossier, people, eager_celery, django_capture_on_commit_callbacks
):
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        submit_autoevaluation(filled_dossier, people.direction)

    notified = set(
        Notification.objects.filter(dossier=filled_dossier).values_list(
            "destinataire_id", flat=True
        )
    )
    assert notified == {people.referent.pk, people.direction.pk, people.arml.pk}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [people.referent.email, people.direction.email, people.arml.email]
    )
    assert all("Auto-évaluation soumise" in m.subject for m in mail.outbox)
    assert not Notification.objects.filter(
        dossier=filled_dossier, email_envoye_le__isnull=True
    ).exists()


def test_a_refused_submission_notifies_nobody(
    dossier, people, eager_celery, django_capture_on_commit_callbacks
):
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(TransitionError):
        submit_autoevaluation(dossier, people.direction)

    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_the_notification_email_task_is_idempotent(filled_dossier, people):
    from labelml.notifications.tasks import send_notification_email

    submit_autoevaluation(filled_dossier, people.direction)  # on_commit not run
    notification = Notification.objects.get(dossier=filled_dossier, destinataire=people.referent)
    mail.outbox.clear()

    assert send_notification_email(notification.pk) == "sent"
    assert send_notification_email(notification.pk) == "skipped"

    assert [m.to for m in mail.outbox] == [[people.referent.email]]
    notification.refresh_from_db()
    assert notification.email_envoye_le is not None


# --- views: submission, audit request, reopening ---------------------------------------------


def test_submit_view_shows_the_missing_items_with_links_on_an_incomplete_dossier(dossier, people):
    fill_dossier(dossier)
    Reponse.objects.filter(autoevaluation__dossier=dossier, element__code="3.1.e2").update(
        niveau=None
    )
    SyntheseCritere.objects.filter(autoevaluation__dossier=dossier, critere__code="5.2").update(
        synthese=""
    )
    url = reverse("autoevaluations:autoevaluation_submit", args=[dossier.pk])

    response = client_for(people.direction).post(url)

    assert response.status_code == 400
    html = response.content.decode()
    assert "Élément 3.1.e2 : niveau non renseigné" in html
    assert f'href="{critere_url(dossier, "3.1")}#element-3.1.e2"' in html
    assert "Critère 5.2 : synthèse à rédiger" in html
    assert f'href="{critere_url(dossier, "5.2")}#synthese"' in html
    # Each code comes with its words: the element's text, the criterion's title.
    element = Reponse.objects.get(autoevaluation__dossier=dossier, element__code="3.1.e2").element
    assert escape(Truncator(element.texte).chars(110)) in html
    critere = SyntheseCritere.objects.get(autoevaluation__dossier=dossier, critere__code="5.2")
    assert escape(critere.critere.titre) in html
    assert Dossier.objects.get(pk=dossier.pk).statut == Statut.AUTOEVALUATION
    assert not Snapshot.objects.filter(dossier=dossier).exists()


def test_submit_view_refuses_the_referent(filled_dossier, people):
    url = reverse("autoevaluations:autoevaluation_submit", args=[filled_dossier.pk])

    response = client_for(people.referent).post(url)

    assert response.status_code == 403
    assert Dossier.objects.get(pk=filled_dossier.pk).statut == Statut.AUTOEVALUATION
    assert not Snapshot.objects.filter(dossier=filled_dossier).exists()


def test_submit_view_submits_a_complete_dossier_for_the_direction(filled_dossier, people):
    url = reverse("autoevaluations:autoevaluation_submit", args=[filled_dossier.pk])

    response = client_for(people.direction).post(url)

    assert response.status_code == 302
    assert response["Location"] == reverse("campagnes:dossier_detail", args=[filled_dossier.pk])
    assert Dossier.objects.get(pk=filled_dossier.pk).statut == Statut.PLAN_AMELIORATION
    assert Snapshot.objects.filter(dossier=filled_dossier, numero=1).exists()


def test_request_audit_view_refuses_the_referent(dossier, people):
    to_plan(dossier, people.direction)
    add_action(dossier, people.direction)
    submit_plan(dossier, people.direction)

    response = client_for(people.referent).post(
        reverse("plans:dossier_request_audit", args=[dossier.pk])
    )

    assert response.status_code == 403
    assert Dossier.objects.get(pk=dossier.pk).statut == Statut.PLAN_AMELIORATION


def test_request_audit_view_works_for_the_direction(dossier, people):
    to_plan(dossier, people.direction)
    add_action(dossier, people.direction)
    submit_plan(dossier, people.direction)

    response = client_for(people.direction).post(
        reverse("plans:dossier_request_audit", args=[dossier.pk])
    )

    assert response.status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).statut == Statut.AUDIT_A_PLANIFIER


def test_reopen_view_is_forbidden_to_the_direction(dossier, people):
    to_plan(dossier, people.direction)
    client = client_for(people.direction)
    url = reverse("campagnes:dossier_reopen", args=[dossier.pk])

    assert client.get(url).status_code == 403
    assert client.post(url, {"motif": "Je veux corriger"}).status_code == 403
    assert Dossier.objects.get(pk=dossier.pk).statut == Statut.PLAN_AMELIORATION


def test_reopen_view_works_for_the_admin(dossier, people, admin):
    to_plan(dossier, people.direction)
    client = client_for(admin)
    url = reverse("campagnes:dossier_reopen", args=[dossier.pk])

    assert client.get(url).status_code == 200
    refused = client.post(url, {"motif": ""})
    assert refused.status_code == 400
    assert Dossier.objects.get(pk=dossier.pk).statut == Statut.PLAN_AMELIORATION

    response = client.post(url, {"motif": "Synthèses trop succinctes"})

    assert response.status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).statut == Statut.AUTOEVALUATION
    transition = DossierTransition.objects.filter(dossier=dossier).latest("pk")
    assert (transition.action, transition.reason, transition.actor) == (
        "reopen_autoevaluation",
        "Synthèses trop succinctes",
        admin,
    )


# --- views: tenant isolation -------------------------------------------------------------------


def dossier_urls(dossier: Dossier) -> dict[str, str]:
    reponse = Reponse.objects.filter(autoevaluation__dossier=dossier).first()
    synthese = SyntheseCritere.objects.filter(autoevaluation__dossier=dossier).first()
    assert reponse is not None and synthese is not None
    pk = dossier.pk
    return {
        "campagnes:dossier_detail": reverse("campagnes:dossier_detail", args=[pk]),
        "campagnes:dossier_history": reverse("campagnes:dossier_history", args=[pk]),
        "plans:dossier_request_audit": reverse("plans:dossier_request_audit", args=[pk]),
        "campagnes:dossier_reopen": reverse("campagnes:dossier_reopen", args=[pk]),
        "campagnes:dossier_echanges": reverse("campagnes:dossier_echanges", args=[pk]),
        "autoevaluations:autoevaluation_overview": reverse(
            "autoevaluations:autoevaluation_overview", args=[pk]
        ),
        "autoevaluations:autoevaluation_critere": reverse(
            "autoevaluations:autoevaluation_critere", args=[pk, "1.1"]
        ),
        "autoevaluations:autoevaluation_save_reponse": reverse(
            "autoevaluations:autoevaluation_save_reponse", args=[pk, reponse.pk]
        ),
        "autoevaluations:autoevaluation_save_synthese": reverse(
            "autoevaluations:autoevaluation_save_synthese", args=[pk, synthese.pk]
        ),
        "autoevaluations:autoevaluation_assign": reverse(
            "autoevaluations:autoevaluation_assign", args=[pk, synthese.pk]
        ),
        "autoevaluations:autoevaluation_confirm_reponse": reverse(
            "autoevaluations:autoevaluation_confirm_reponse", args=[pk, reponse.pk]
        ),
        "autoevaluations:autoevaluation_confirm_synthese": reverse(
            "autoevaluations:autoevaluation_confirm_synthese", args=[pk, synthese.pk]
        ),
        "autoevaluations:autoevaluation_confirm_critere": reverse(
            "autoevaluations:autoevaluation_confirm_critere", args=[pk, "1.1"]
        ),
        "autoevaluations:autoevaluation_submit": reverse(
            "autoevaluations:autoevaluation_submit", args=[pk]
        ),
        "autoevaluations:autoevaluation_snapshot": reverse(
            "autoevaluations:autoevaluation_snapshot", args=[pk, 1]
        ),
        "autoevaluations:autoevaluation_snapshot_preuve": reverse(
            "autoevaluations:autoevaluation_snapshot_preuve", args=[pk, 1, "0" * 64]
        ),
    }


DOSSIER_URL_NAMES = [
    "campagnes:dossier_detail",
    "campagnes:dossier_history",
    "plans:dossier_request_audit",
    "campagnes:dossier_reopen",
    "campagnes:dossier_echanges",
    "autoevaluations:autoevaluation_overview",
    "autoevaluations:autoevaluation_critere",
    "autoevaluations:autoevaluation_save_reponse",
    "autoevaluations:autoevaluation_save_synthese",
    "autoevaluations:autoevaluation_assign",
    "autoevaluations:autoevaluation_confirm_reponse",
    "autoevaluations:autoevaluation_confirm_synthese",
    "autoevaluations:autoevaluation_confirm_critere",
    "autoevaluations:autoevaluation_submit",
    "autoevaluations:autoevaluation_snapshot",
    "autoevaluations:autoevaluation_snapshot_preuve",
]


GET_ONLY = {"autoevaluations:autoevaluation_snapshot_preuve"}

POST_ONLY = {
    "plans:dossier_request_audit",
    "autoevaluations:autoevaluation_save_reponse",
    "autoevaluations:autoevaluation_save_synthese",
    "autoevaluations:autoevaluation_assign",
    "autoevaluations:autoevaluation_confirm_reponse",
    "autoevaluations:autoevaluation_confirm_synthese",
    "autoevaluations:autoevaluation_confirm_critere",
}


@pytest.mark.parametrize("name", DOSSIER_URL_NAMES)
@pytest.mark.parametrize("who", ["outsider", "outsider_referent"])
def test_every_dossier_url_answers_404_to_a_member_of_another_mission_locale(
    filled_dossier, people, name, who
):
    submit_autoevaluation(filled_dossier, people.direction)  # snapshot 1 exists
    url = dossier_urls(filled_dossier)[name]
    client = client_for(getattr(people, who))
    before = footprint(filled_dossier)
    reponses_before = list(
        Reponse.objects.filter(autoevaluation__dossier=filled_dossier).values_list(
            "pk", "niveau_id", "justification", "version"
        )
    )

    if name in POST_ONLY:
        # GET is refused (405) before the dossier is looked up, exactly as for a missing
        # dossier: the answer tells nothing about the id.
        missing_url = url.replace(f"/dossiers/{filled_dossier.pk}/", "/dossiers/999999/")
        assert client.get(url).status_code == client.get(missing_url).status_code == 405
    else:
        assert client.get(url).status_code == 404
    payload = {
        "champ": "justification",
        "justification": "intrusion",
        "synthese": "intrusion",
        "niveau": "",
        "version": "0",
        "motif": "intrusion",
        "contributeur": str(getattr(people, who).pk),
    }
    if name in GET_ONLY:
        # A file download: POST is refused (405) before the dossier is looked up, as for a
        # missing dossier.
        missing_url = url.replace(f"/dossiers/{filled_dossier.pk}/", "/dossiers/999999/")
        assert client.post(url, payload).status_code == 405
        assert client.post(missing_url, payload).status_code == 405
    else:
        assert client.post(url, payload).status_code == 404
        assert client.post(url, payload, HTTP_HX_REQUEST="true").status_code == 404

    assert footprint(filled_dossier) == before
    assert (
        list(
            Reponse.objects.filter(autoevaluation__dossier=filled_dossier).values_list(
                "pk", "niveau_id", "justification", "version"
            )
        )
        == reponses_before
    )


def test_the_dossier_urls_list_covers_every_dossier_route():
    # The dossier's own routes, the self-assessment's, and requesting the audit (the plan's last
    # step, mounted with the plan's routes).
    names = {
        name
        for name, route, _ in iter_patterns()
        if name.split(":")[0] in ("campagnes", "autoevaluations")
        and route.startswith("dossiers/")
        and not route.startswith("dossiers/<int:pk>/preuves/")
    }
    names.add("plans:dossier_request_audit")
    assert names == set(DOSSIER_URL_NAMES)


@pytest.mark.parametrize("kind", ["reponse", "synthese", "assign"])
def test_an_object_of_another_dossier_posted_under_this_dossiers_url_answers_404(
    dossier, other_dossier, people, kind
):
    foreign_reponse = Reponse.objects.filter(autoevaluation__dossier=other_dossier).first()
    foreign_synthese = SyntheseCritere.objects.filter(autoevaluation__dossier=other_dossier).first()
    assert foreign_reponse is not None and foreign_synthese is not None
    url = {
        "reponse": reverse(
            "autoevaluations:autoevaluation_save_reponse", args=[dossier.pk, foreign_reponse.pk]
        ),
        "synthese": reverse(
            "autoevaluations:autoevaluation_save_synthese", args=[dossier.pk, foreign_synthese.pk]
        ),
        "assign": reverse(
            "autoevaluations:autoevaluation_assign", args=[dossier.pk, foreign_synthese.pk]
        ),
    }[kind]
    client = client_for(people.referent)  # may edit ML A's dossier, not ML A2's
    payload = {
        "champ": "justification" if kind == "reponse" else "synthese",
        "justification": "écrit dans le dossier d'une autre structure",
        "synthese": "écrit dans le dossier d'une autre structure",
        "version": "0",
        "contributeur": str(people.contributeur.pk),
    }

    assert client.post(url, payload, HTTP_HX_REQUEST="true").status_code == 404
    assert client.post(url, payload).status_code == 404

    foreign_reponse.refresh_from_db()
    foreign_synthese.refresh_from_db()
    assert (foreign_reponse.justification, foreign_reponse.version) == ("", 0)
    assert (foreign_synthese.synthese, foreign_synthese.version) == ("", 0)
    assert foreign_synthese.contributeur is None


# --- views: campaign pages (national admins only) ---------------------------------------------


@pytest.mark.parametrize("who", ["direction", "referent", "arml"])
def test_campaign_pages_answer_404_to_non_admins(campagne, people, who):
    client = client_for(getattr(people, who))
    urls = [
        reverse("campagnes:campagne_list"),
        reverse("campagnes:campagne_create"),
        reverse("campagnes:campagne_detail", args=[campagne.pk]),
    ]

    for url in urls:
        assert client.get(url).status_code == 404, url
    # campagne_open is POST-only: GET is a 405 for everyone, the admin included.
    assert client.get(reverse("campagnes:campagne_open", args=[campagne.pk])).status_code == 405
    assert (
        client.post(
            reverse("campagnes:campagne_create"),
            {
                "nom": "Campagne pirate",
                "referentiel": campagne.referentiel.pk,
                "date_ouverture": "2025-01-01",
                "date_cloture_autoevaluation": "2025-06-30",
                "delai_reponse_jours": "30",
                "validite_label_annees": "3",
            },
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("campagnes:campagne_open", args=[campagne.pk]), {"region": "11"}
        ).status_code
        == 404
    )
    assert Campagne.objects.count() == 1
    assert not Dossier.objects.exists()


def test_the_admin_creates_a_campaign_through_the_form_and_opens_it_for_a_region(
    referentiel_ml, network, admin
):
    client = client_for(admin)
    assert client.get(reverse("campagnes:campagne_list")).status_code == 200
    assert client.get(reverse("campagnes:campagne_create")).status_code == 200

    response = client.post(
        reverse("campagnes:campagne_create"),
        {
            "nom": "Campagne Île-de-France 2025",
            "referentiel": referentiel_ml.pk,
            "date_ouverture": "2025-02-01",
            "date_cloture_autoevaluation": "2025-07-15",
            "delai_reponse_jours": "45",
            "validite_label_annees": "3",
            "ecart_majeur_bloquant": "on",
        },
    )

    campagne = Campagne.objects.get(nom="Campagne Île-de-France 2025")
    assert response.status_code == 302
    assert response["Location"] == reverse("campagnes:campagne_detail", args=[campagne.pk])
    assert campagne.referentiel == referentiel_ml
    assert campagne.delai_reponse_jours == 45
    assert campagne.date_cloture_autoevaluation == dt.date(2025, 7, 15)
    detail = client.get(reverse("campagnes:campagne_detail", args=[campagne.pk]))
    assert detail.status_code == 200
    assert "Campagne Île-de-France 2025" in detail.content.decode()

    response = client.post(reverse("campagnes:campagne_open", args=[campagne.pk]), {"region": "11"})

    assert response.status_code == 302
    assert set(campagne.dossiers.values_list("structure_id", flat=True)) == {
        network["ml_a"].pk,
        network["ml_a2"].pk,
    }
    for dossier in campagne.dossiers.all():
        assert Reponse.objects.filter(autoevaluation__dossier=dossier).count() == 99
    # Opening again for the same region creates nothing new.
    client.post(reverse("campagnes:campagne_open", args=[campagne.pk]), {"region": "11"})
    assert campagne.dossiers.count() == 2
    assert (
        network["ml_a"].nom
        in client.get(reverse("campagnes:campagne_detail", args=[campagne.pk])).content.decode()
    )


def test_the_campaign_form_refuses_a_closing_date_before_the_opening(referentiel_ml, admin):
    response = client_for(admin).post(
        reverse("campagnes:campagne_create"),
        {
            "nom": "Campagne à l'envers",
            "referentiel": referentiel_ml.pk,
            "date_ouverture": "2025-07-01",
            "date_cloture_autoevaluation": "2025-01-01",
            "delai_reponse_jours": "30",
            "validite_label_annees": "3",
        },
    )

    assert response.status_code == 400
    assert "La clôture doit suivre l" in response.content.decode()
    assert not Campagne.objects.exists()
