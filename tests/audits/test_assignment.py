"""Assigning the external audit (SPEC §2, §3, §6): who may, from which state, the conflict of
interest rule, and everything a successful assignment creates."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from guardian.shortcuts import get_perms

from audits.models import Audit, Constat
from audits.services import assign_audit
from campagnes.autoevaluations.services import submit_autoevaluation
from campagnes.models import Dossier, DossierTransition
from campagnes.selectors import get_dossier_for_user
from labelml.core.transitions import TransitionError
from labelml.notifications.models import Notification
from labelml.structures.roles import Role
from referentiel.models import Critere
from tests.audits.conftest import (
    DATE_DEBUT,
    DATE_FIN,
    fill_dossier,
    footprint,
)
from tests.factories import MembershipFactory

Statut = Dossier.Statut


def _assign(dossier, actor, auditeur, **kwargs):  # type: ignore[no-untyped-def]
    params = {"date_debut": DATE_DEBUT, "date_fin": DATE_FIN, "sites": "Siège"}
    params.update(kwargs)
    return assign_audit(dossier, actor, auditeur=auditeur, **params)


# --- who may assign --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["direction", "referent", "lecteur", "arml", "auditeur", "lead"])
def test_only_a_national_admin_assigns_the_audit(planifiable, people, auditeur, lead, who):
    actor = {"auditeur": auditeur.user, "lead": lead.user}.get(who) or getattr(people, who)
    before = footprint(planifiable)

    with pytest.raises(PermissionDenied):
        _assign(planifiable, actor, auditeur)

    assert footprint(planifiable) == before
    assert footprint(planifiable)["statut"] == Statut.AUDIT_A_PLANIFIER
    assert not Audit.objects.exists()
    assert "view_dossier" not in get_perms(auditeur.user, planifiable)


# --- from which state ------------------------------------------------------------------------


def test_assigning_during_the_self_assessment_is_refused(dossier, admin, auditeur):
    fill_dossier(dossier)
    before = footprint(dossier)

    with pytest.raises(TransitionError) as exc:
        _assign(dossier, admin, auditeur)

    assert "Auto-évaluation" in exc.value.message
    assert footprint(dossier) == before
    assert not Audit.objects.exists()


def test_assigning_during_the_improvement_plan_is_refused(dossier, people, admin, auditeur):
    fill_dossier(dossier)
    submit_autoevaluation(dossier, people.direction)
    before = footprint(dossier)

    with pytest.raises(TransitionError):
        _assign(dossier, admin, auditeur)

    assert footprint(dossier) == before
    assert Dossier.objects.get(pk=dossier.pk).statut == Statut.PLAN_AMELIORATION


def test_assigning_twice_is_refused_and_changes_nothing(assigned, admin, collegue):
    dossier = assigned.dossier
    before = footprint(dossier)

    with pytest.raises(TransitionError):
        _assign(dossier, admin, collegue)

    assert footprint(dossier) == before
    assert Audit.objects.get(dossier=dossier).auditeur == assigned.auditeur
    assert "view_dossier" not in get_perms(collegue.user, dossier)


# --- conflict of interest and dates -----------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "role"),
    [
        ("ml_a", Role.LECTEUR),
        ("ml_a", Role.DIRECTION),
        ("arml_a", Role.REFERENT_ARML),
        ("arml_a", Role.LECTEUR),
    ],
)
def test_an_auditor_who_belongs_to_the_structure_or_its_arml_is_refused(
    planifiable, network, admin, auditeur, where, role
):
    MembershipFactory(user=auditeur.user, structure=network[where], role=role)
    before = footprint(planifiable)

    with pytest.raises(TransitionError) as exc:
        _assign(planifiable, admin, auditeur)

    message = exc.value.message
    assert "membre" in message
    assert network["ml_a"].nom in message
    assert "ARML" in message
    assert footprint(planifiable) == before
    assert not Audit.objects.exists()
    assert not Constat.objects.exists()
    assert "view_dossier" not in get_perms(auditeur.user, planifiable)


def test_an_auditor_member_of_another_region_may_be_assigned(planifiable, network, admin, auditeur):
    MembershipFactory(user=auditeur.user, structure=network["ml_b"], role=Role.LECTEUR)

    _assign(planifiable, admin, auditeur)

    assert Audit.objects.get(dossier=planifiable).auditeur == auditeur


def test_dates_in_the_wrong_order_are_refused(planifiable, admin, auditeur):
    before = footprint(planifiable)

    with pytest.raises(TransitionError) as exc:
        _assign(planifiable, admin, auditeur, date_debut=DATE_FIN, date_fin=DATE_DEBUT)

    assert "dernier jour" in exc.value.message
    assert footprint(planifiable) == before
    assert not Audit.objects.exists()


def test_a_one_day_audit_is_accepted(planifiable, admin, auditeur):
    _assign(planifiable, admin, auditeur, date_debut=DATE_DEBUT, date_fin=DATE_DEBUT)

    audit = Audit.objects.get(dossier=planifiable)
    assert audit.date_debut == audit.date_fin == DATE_DEBUT


# --- success ---------------------------------------------------------------------------------


def test_assignment_creates_the_audit_with_one_finding_per_criterion(
    planifiable, admin, auditeur, body
):
    _assign(planifiable, admin, auditeur, sites="Siège et antenne")

    audit = Audit.objects.get(dossier=planifiable)
    assert audit.auditeur == auditeur
    assert audit.organisme == body
    assert (audit.date_debut, audit.date_fin) == (DATE_DEBUT, DATE_FIN)
    assert audit.sites == "Siège et antenne"
    assert audit.statut == Audit.Statut.PLANIFIE
    assert audit.version == 0
    assert audit.soumis_le is None and audit.valide_le is None
    constats = Constat.objects.filter(audit=audit)
    assert constats.count() == 24
    assert set(constats.values_list("critere_id", flat=True)) == set(
        Critere.objects.filter(referentiel=planifiable.campagne.referentiel).values_list(
            "pk", flat=True
        )
    )
    assert constats.filter(niveau__isnull=True, observation="", version=0).count() == 24
    assert Dossier.objects.get(pk=planifiable.pk).statut == Statut.AUDIT_PLANIFIE


def test_assignment_writes_the_transition(planifiable, admin, auditeur):
    _assign(planifiable, admin, auditeur)

    transition = DossierTransition.objects.filter(dossier=planifiable).latest("pk")
    assert transition.action == "assign_audit"
    assert (transition.from_state, transition.to_state) == (
        Statut.AUDIT_A_PLANIFIER,
        Statut.AUDIT_PLANIFIE,
    )
    assert transition.actor == admin
    assert "15/09/2025" in transition.reason and "17/09/2025" in transition.reason


def test_assignment_grants_the_auditor_read_access_to_this_dossier_only(
    planifiable, other_dossier, admin, auditeur
):
    assert not Dossier.objects.for_user(auditeur.user).filter(pk=planifiable.pk).exists()

    _assign(planifiable, admin, auditeur)

    assert "view_dossier" in get_perms(auditeur.user, planifiable)
    assert list(Dossier.objects.for_user(auditeur.user)) == [planifiable]
    assert get_dossier_for_user(auditeur.user, planifiable.pk) == planifiable


def test_assignment_notifies_the_auditor_and_the_structure(planifiable, people, admin, auditeur):
    before = set(Notification.objects.values_list("pk", flat=True))

    _assign(planifiable, admin, auditeur)

    new = Notification.objects.exclude(pk__in=before).filter(dossier=planifiable)
    to_auditor = new.filter(destinataire=auditeur.user)
    assert to_auditor.count() == 1
    assert planifiable.structure.nom in to_auditor.get().titre
    assert to_auditor.get().url == f"/dossiers/{planifiable.pk}/audit/"
    recipients = set(new.values_list("destinataire_id", flat=True))
    assert {people.direction.pk, people.referent.pk, people.arml.pk} <= recipients
    assert people.outsider.pk not in recipients


def test_the_fixture_reaches_audit_a_planifier_through_the_workflow(planifiable, people):
    actions = list(
        DossierTransition.objects.filter(dossier=planifiable)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["open", "submit_autoevaluation", "submit_plan", "request_audit"]
    assert planifiable.plan.soumis_par == people.direction
