"""Every step of the follow-up audit: who may take it, in which state, and that a refused step
changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from guardian.shortcuts import get_perms

from audits.suivis import services
from audits.suivis.models import AuditSuivi, PointSuivi
from campagnes.plans.models import Action
from campagnes.plans.services import action_version
from labelml.core.transitions import TransitionError
from labelml.notifications.models import Notification
from labelml.structures.roles import Role
from tests.conftest import member
from tests.suivis.conftest import answer_all, footprint, fresh
from tests.suivis.helpers import pdf_upload

pytestmark = pytest.mark.django_db
Statut = AuditSuivi.Statut


def point(suivi, code="1.1"):  # type: ignore[no-untyped-def]
    return PointSuivi.objects.select_related("critere").get(suivi=suivi, critere__code=code)


def refused(target, exc, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    """`fn` raises `exc` and nothing of the follow-up `target` changed."""
    before = footprint(target)
    with pytest.raises(exc):
        fn(*args, **kwargs)
    assert footprint(target) == before


# --- assignment ----------------------------------------------------------------------------------


def test_the_admin_assigns_an_auditor_who_gets_read_access(suivi, admin, suivi_auditeur):
    assert "view_dossier" not in get_perms(suivi_auditeur.user, suivi.dossier)
    services.assign_followup(suivi, admin, auditeur=suivi_auditeur)
    suivi = fresh(suivi)
    assert suivi.auditeur == suivi_auditeur
    assert suivi.organisme == suivi_auditeur.organisme
    assert suivi.statut == Statut.PLANIFIE
    assert "view_dossier" in get_perms(suivi_auditeur.user, suivi.dossier)
    assert Notification.objects.filter(
        destinataire=suivi_auditeur.user, url=f"/suivis/{suivi.pk}/revue/"
    ).exists()
    assert suivi.journal.filter(action="assign", actor=admin).exists()


def test_only_an_admin_assigns(suivi, people, suivi_auditeur):
    for user in (people.direction, people.arml, suivi_auditeur.user):
        refused(
            suivi, PermissionDenied, services.assign_followup, suivi, user, auditeur=suivi_auditeur
        )


def test_an_auditor_of_the_structure_cannot_be_assigned(suivi, admin, suivi_auditeur, network):
    from labelml.structures.models import Membership

    Membership.objects.create(
        user=suivi_auditeur.user, structure=network["arml_a"], role=Role.LECTEUR
    )
    refused(suivi, TransitionError, services.assign_followup, suivi, admin, auditeur=suivi_auditeur)


def test_reassigning_moves_the_read_access(assigned_suivi, admin, suivi_auditeur, other_lead):
    services.assign_followup(assigned_suivi, admin, auditeur=other_lead)
    assert fresh(assigned_suivi).auditeur == other_lead
    assert "view_dossier" not in get_perms(suivi_auditeur.user, assigned_suivi.dossier)
    assert "view_dossier" in get_perms(other_lead.user, assigned_suivi.dossier)


def test_reassigning_keeps_the_initial_auditors_access(assigned_suivi, admin, auditeur, other_lead):
    """The initial audit's auditor keeps the grant of their own mission."""
    services.assign_followup(assigned_suivi, admin, auditeur=auditeur)
    services.assign_followup(assigned_suivi, admin, auditeur=other_lead)
    assert "view_dossier" in get_perms(auditeur.user, assigned_suivi.dossier)


def test_no_assignment_once_the_review_started(in_review, admin, other_lead):
    refused(
        in_review, TransitionError, services.assign_followup, in_review, admin, auditeur=other_lead
    )


# --- the structure's file --------------------------------------------------------------------


@pytest.mark.parametrize("who", ["direction", "referent"])
def test_the_direction_and_the_referent_answer(suivi, people, who):
    user = getattr(people, who)
    p = point(suivi)
    result = services.answer_point(
        point=p, actor=user, champ="reponse", valeur="Procédure écrite en 2026.", version=0
    )
    assert result.ok and result.version == 1
    p = fresh(p)
    assert (p.reponse, p.version, p.updated_by) == ("Procédure écrite en 2026.", 1, user)
    suivi = fresh(suivi)
    assert suivi.statut == Statut.DOSSIER_EN_COURS  # the first save opens the file
    assert suivi.journal.filter(action="start_file").count() == 1
    services.answer_point(point=p, actor=user, champ="reponse", valeur="Encore.", version=1)
    assert suivi.journal.filter(action="start_file").count() == 1


@pytest.mark.parametrize("who", ["contributeur", "lecteur", "arml", "outsider"])
def test_others_do_not_answer(suivi, people, admin, who):
    refused(
        suivi,
        PermissionDenied,
        services.answer_point,
        point=point(suivi),
        actor=getattr(people, who),
        champ="reponse",
        valeur="x",
        version=0,
    )


def test_the_admin_and_the_auditor_do_not_answer(assigned_suivi, admin, suivi_auditeur):
    for user in (admin, suivi_auditeur.user):
        refused(
            assigned_suivi,
            PermissionDenied,
            services.answer_point,
            point=point(assigned_suivi),
            actor=user,
            champ="reponse",
            valeur="x",
            version=0,
        )


def test_a_stale_version_is_refused_with_the_stored_value(suivi, people):
    p = point(suivi)
    services.answer_point(point=p, actor=people.referent, champ="reponse", valeur="A", version=0)
    result = services.answer_point(
        point=p, actor=people.direction, champ="reponse", valeur="B", version=0
    )
    assert not result.ok
    assert (result.value, result.version, result.by) == ("A", 1, people.referent)
    assert fresh(p).reponse == "A"


def test_a_point_links_a_plan_action_of_its_dossier_only(suivi, people, other_dossier):
    p = point(suivi)
    action = Action.objects.filter(plan__dossier=suivi.dossier).first()
    result = services.answer_point(
        point=p, actor=people.direction, champ="action", valeur=str(action.pk), version=0
    )
    assert result.ok and fresh(p).action == action
    from campagnes.plans.models import PlanAmelioration

    plan, _ = PlanAmelioration.objects.get_or_create(dossier=other_dossier)
    foreign = Action.objects.create(plan=plan, titre="Ailleurs")
    refused(
        suivi,
        ValidationError,
        services.answer_point,
        point=p,
        actor=people.direction,
        champ="action",
        valeur=str(foreign.pk),
        version=1,
    )


def test_the_bilan_is_saved_with_its_version(suivi, people):
    result = services.save_bilan(suivi=suivi, actor=people.direction, valeur="Bilan.", version=0)
    assert result.ok
    assert fresh(suivi).bilan == "Bilan."
    stale = services.save_bilan(suivi=suivi, actor=people.referent, valeur="Autre.", version=0)
    assert not stale.ok and stale.value == "Bilan."


def test_new_evidence_is_a_preuve_of_the_dossier_on_the_points_criterion(
    suivi, people, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    p = point(suivi, "1.2")
    preuve = services.add_point_preuve(
        point=p, actor=people.referent, titre="Procédure révisée", upload=pdf_upload()
    )
    assert preuve.dossier == suivi.dossier and preuve.critere == p.critere
    assert preuve.type_mime == "application/pdf"
    assert list(p.preuves.all()) == [preuve]
    assert fresh(suivi).statut == Statut.DOSSIER_EN_COURS


def test_evidence_is_checked_by_content(suivi, people, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    fake = SimpleUploadedFile("script.pdf", b"#!/bin/sh\necho hi\n")
    refused(
        suivi,
        ValidationError,
        services.add_point_preuve,
        point=point(suivi),
        actor=people.direction,
        titre="Faux",
        upload=fake,
    )


def test_a_reader_cannot_add_evidence(suivi, people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    refused(
        suivi,
        PermissionDenied,
        services.add_point_preuve,
        point=point(suivi),
        actor=people.lecteur,
        titre="X",
        upload=pdf_upload(),
    )


def test_the_structure_updates_its_plan_progress(suivi, people):
    action = Action.objects.filter(plan__dossier=suivi.dossier).first()
    services.update_action_progress(
        suivi=suivi,
        actor=people.direction,
        action=action,
        statut=Action.Statut.EN_COURS,
        avancement=60,
        expected_version=action_version(action),
    )
    action = fresh(action)
    assert (action.statut, action.avancement) == (Action.Statut.EN_COURS, 60)
    assert suivi.journal.filter(action="action_progress").exists()
    # A form opened before that save is refused, nothing overwritten.
    old = "2000-01-01T00:00:00+00:00"
    refused(
        suivi,
        ValidationError,
        services.update_action_progress,
        suivi=suivi,
        actor=people.referent,
        action=action,
        statut=Action.Statut.FAIT,
        avancement=100,
        expected_version=old,
    )
    refused(
        suivi,
        ValidationError,
        services.update_action_progress,
        suivi=suivi,
        actor=people.direction,
        action=action,
        statut=Action.Statut.FAIT,
        avancement=140,
    )
    refused(
        suivi,
        PermissionDenied,
        services.update_action_progress,
        suivi=suivi,
        actor=people.lecteur,
        action=action,
        statut=Action.Statut.FAIT,
        avancement=100,
    )


# --- sending the file ------------------------------------------------------------------------


def test_the_file_is_sent_complete_by_the_direction(assigned_suivi, people, suivi_auditeur):
    with pytest.raises(TransitionError) as info:
        services.send_file(assigned_suivi, people.direction)
    assert len(info.value.missing) == 3
    assert "1.1" in info.value.missing[0].label
    assert fresh(assigned_suivi).statut == Statut.PLANIFIE
    answer_all(assigned_suivi, people.referent)
    refused(assigned_suivi, PermissionDenied, services.send_file, assigned_suivi, people.referent)
    services.send_file(assigned_suivi, people.direction)
    suivi = fresh(assigned_suivi)
    assert suivi.statut == Statut.TRANSMIS and suivi.transmis_le is not None
    assert Notification.objects.filter(
        destinataire=suivi_auditeur.user, titre__startswith="Dossier de suivi transmis"
    ).exists()
    refused(suivi, TransitionError, services.send_file, suivi, people.direction)


def test_after_sending_the_file_is_read_only(transmitted, people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    p = point(transmitted)
    refused(
        transmitted,
        PermissionDenied,
        services.answer_point,
        point=p,
        actor=people.direction,
        champ="reponse",
        valeur="Changé",
        version=p.version,
    )
    refused(
        transmitted,
        PermissionDenied,
        services.save_bilan,
        suivi=transmitted,
        actor=people.direction,
        valeur="x",
        version=0,
    )
    refused(
        transmitted,
        PermissionDenied,
        services.add_point_preuve,
        point=p,
        actor=people.direction,
        titre="X",
        upload=pdf_upload(),
    )


def test_a_file_sent_without_auditor_alerts_the_admins(suivi, people, admin):
    answer_all(suivi, people.direction)
    services.send_file(suivi, people.direction)
    assert Notification.objects.filter(
        destinataire=admin, titre__startswith="Dossier de suivi transmis sans auditeur"
    ).exists()


# --- the auditor ---------------------------------------------------------------------------------


def test_only_the_assigned_auditor_starts_the_review(transmitted, auditeur, admin, people):
    for user in (auditeur.user, admin, people.direction):
        refused(transmitted, PermissionDenied, services.start_review, transmitted, user)


def test_the_review_starts_on_a_sent_file_only(assigned_suivi, suivi_auditeur):
    refused(
        assigned_suivi, TransitionError, services.start_review, assigned_suivi, suivi_auditeur.user
    )


def test_findings_only_during_the_review_by_the_auditor(transmitted, suivi_auditeur, auditeur):
    p = point(transmitted)
    refused(
        transmitted,
        PermissionDenied,
        services.record_finding,
        point=p,
        actor=suivi_auditeur.user,
        champ="avis",
        valeur="leve",
        version=p.version,
    )
    services.start_review(transmitted, suivi_auditeur.user)
    refused(
        transmitted,
        PermissionDenied,
        services.record_finding,
        point=p,
        actor=auditeur.user,
        champ="avis",
        valeur="leve",
        version=p.version,
    )
    refused(
        transmitted,
        ValidationError,
        services.record_finding,
        point=p,
        actor=suivi_auditeur.user,
        champ="avis",
        valeur="excellent",
        version=p.version,
    )
    refused(
        transmitted,
        ValidationError,
        services.record_finding,
        point=p,
        actor=suivi_auditeur.user,
        champ="reponse",  # the structure's field
        valeur="x",
        version=p.version,
    )
    result = services.record_finding(
        point=p, actor=suivi_auditeur.user, champ="avis", valeur="leve", version=p.version
    )
    assert result.ok and fresh(p).avis == "leve"


def test_the_auditor_sets_the_visio_date(assigned_suivi, suivi_auditeur, people, admin):
    when = timezone.make_aware(dt.datetime(2027, 3, 4, 10, 0))
    for user in (people.direction, admin):
        refused(
            assigned_suivi, PermissionDenied, services.set_visio_date, assigned_suivi, user, when
        )
    services.set_visio_date(assigned_suivi, suivi_auditeur.user, when)
    assert fresh(assigned_suivi).date_visio == when
    assert Notification.objects.filter(
        destinataire=people.direction, titre__contains="visioconférence le 04/03/2027"
    ).exists()


def _ready_to_conclude(suivi, auditor):  # type: ignore[no-untyped-def]
    for p in PointSuivi.objects.filter(suivi=suivi):
        services.record_finding(
            point=p, actor=auditor, champ="avis", valeur="leve", version=p.version
        )
    services.set_visio_date(suivi, auditor, timezone.now() - dt.timedelta(hours=1))


def test_concluding_requires_every_finding_and_the_visio_held(in_review, suivi_auditeur):
    user = suivi_auditeur.user
    with pytest.raises(TransitionError) as info:
        services.conclude(in_review, user, conclusion="maintien", motivation="")
    assert len(info.value.missing) == 4  # three points and the visio
    assert fresh(in_review).statut == Statut.EN_REVUE
    _ready_to_conclude(in_review, user)
    services.set_visio_date(in_review, user, timezone.now() + dt.timedelta(days=3))
    refused(
        in_review,
        TransitionError,
        services.conclude,
        in_review,
        user,
        conclusion="maintien",
        motivation="",
    )
    services.set_visio_date(in_review, user, timezone.now() - dt.timedelta(hours=1))
    services.conclude(in_review, user, conclusion="maintien", motivation="")
    suivi = fresh(in_review)
    assert (suivi.statut, suivi.conclusion) == (Statut.CONCLU, "maintien")
    assert suivi.conclu_le is not None


def test_observations_are_required_except_for_maintien(in_review, suivi_auditeur):
    _ready_to_conclude(in_review, suivi_auditeur.user)
    for conclusion in ("maintien_avec_observations", "saisine_commission"):
        refused(
            in_review,
            TransitionError,
            services.conclude,
            in_review,
            suivi_auditeur.user,
            conclusion=conclusion,
            motivation="  ",
        )
    refused(
        in_review,
        TransitionError,
        services.conclude,
        in_review,
        suivi_auditeur.user,
        conclusion="retrait",
        motivation="x",
    )


def test_only_the_assigned_auditor_concludes(in_review, suivi_auditeur, auditeur, admin, people):
    _ready_to_conclude(in_review, suivi_auditeur.user)
    for user in (auditeur.user, admin, people.direction):
        refused(
            in_review,
            PermissionDenied,
            services.conclude,
            in_review,
            user,
            conclusion="maintien",
            motivation="",
        )


def test_saisine_de_la_commission_tells_the_admins(in_review, suivi_auditeur, admin, people):
    _ready_to_conclude(in_review, suivi_auditeur.user)
    services.conclude(
        in_review,
        suivi_auditeur.user,
        conclusion="saisine_commission",
        motivation="Les écarts majeurs ne sont pas levés.",
    )
    assert Notification.objects.filter(
        destinataire=admin, titre__startswith="Saisine de la commission"
    ).exists()
    assert Notification.objects.filter(
        destinataire=people.direction, titre__contains="Saisine de la commission"
    ).exists()
    suivi = fresh(in_review)
    refused(
        suivi,
        TransitionError,
        services.conclude,
        suivi,
        suivi_auditeur.user,
        conclusion="maintien",
        motivation="",
    )
    # Once concluded, nothing moves any more.
    refused(
        suivi, TransitionError, services.set_visio_date, suivi, suivi_auditeur.user, timezone.now()
    )


def test_a_new_member_cannot_answer_before_joining(suivi, network):
    stranger = member(network["ml_a2"], Role.DIRECTION)
    refused(suivi, PermissionDenied, services.send_file, suivi, stranger)


def test_a_withdrawn_label_stops_its_follow_up(in_review, suivi_auditeur):
    from audits.commission.models import Label

    _ready_to_conclude(in_review, suivi_auditeur.user)
    Label.objects.filter(pk=in_review.label_id).update(statut=Label.Statut.RETIRE)
    refused(
        in_review,
        TransitionError,
        services.conclude,
        in_review,
        suivi_auditeur.user,
        conclusion="maintien",
        motivation="",
    )
