"""Scheduling of the follow-up audit (SPEC §7b): at mid-validity of every valid label (ratio
configurable), a number of days ahead, once, with one point per gap and piste de progrès of the
initial audit, the structure and the administrators told."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from audits.commission.models import Label
from audits.suivis.models import AuditSuivi, PointSuivi
from audits.suivis.selectors import mid_term_date
from audits.suivis.services import due_labels, schedule_due_followups
from labelml.notifications.models import Notification
from tests.suivis.helpers import OBS_MAJEUR, OBS_MINEUR, OBS_PISTE, due_in, set_label_dates

pytestmark = pytest.mark.django_db


def test_mid_term_date_follows_the_ratio(labelled, settings):
    label = set_label_dates(labelled, dt.date(2025, 1, 1))  # to 2027-12-31: 1094 days
    assert mid_term_date(label) == dt.date(2025, 1, 1) + dt.timedelta(days=547)
    settings.SUIVI_MI_PARCOURS = "0.25"
    assert mid_term_date(label) == dt.date(2025, 1, 1) + dt.timedelta(days=274)
    assert mid_term_date(label, Decimal("0.75")) == dt.date(2025, 1, 1) + dt.timedelta(days=821)


def test_an_absurd_ratio_is_refused(labelled, settings):
    settings.SUIVI_MI_PARCOURS = "1.5"
    with pytest.raises(ValueError):
        mid_term_date(labelled)


def test_a_label_is_scheduled_within_the_horizon_once(labelled, people, admin):
    today = timezone.localdate()
    due_in(labelled, 120)
    assert schedule_due_followups(today) == []  # beyond the 90 days
    due_in(labelled, 89)
    created = schedule_due_followups(today)
    assert len(created) == 1
    suivi = created[0]
    assert suivi.label == labelled
    assert suivi.dossier == labelled.decision.dossier
    assert suivi.statut == AuditSuivi.Statut.PLANIFIE
    assert suivi.date_prevue == today + dt.timedelta(days=89)
    # Idempotent: a second run (or a redelivered task) creates nothing.
    assert schedule_due_followups(today) == []
    assert schedule_due_followups(today + dt.timedelta(days=1)) == []
    assert AuditSuivi.objects.count() == 1
    assert suivi.journal.filter(action="schedule").count() == 1


def test_the_horizon_is_a_setting(labelled, settings):
    settings.SUIVI_PLANIFICATION_JOURS = 150
    due_in(labelled, 120)
    assert len(schedule_due_followups(timezone.localdate())) == 1


def test_the_ratio_setting_moves_the_date(labelled, settings):
    today = timezone.localdate()
    label = set_label_dates(labelled, today - dt.timedelta(days=200))
    assert schedule_due_followups(today) == []  # mid-way is ~350 days ahead
    settings.SUIVI_MI_PARCOURS = "0.25"  # ~74 days after the start: passed, caught up
    created = schedule_due_followups(today)
    assert len(created) == 1
    assert created[0].date_prevue == mid_term_date(label)


@pytest.mark.parametrize("statut", [Label.Statut.SUSPENDU, Label.Statut.RETIRE])
def test_only_valid_labels_are_scheduled(labelled, statut):
    due_in(labelled, 10)
    Label.objects.filter(pk=labelled.pk).update(statut=statut)
    assert schedule_due_followups(timezone.localdate()) == []


def test_an_expired_label_is_not_scheduled(labelled):
    today = timezone.localdate()
    set_label_dates(labelled, today.replace(year=today.year - 4))
    assert due_labels(today) == []
    assert schedule_due_followups(today) == []


def test_a_renewed_label_is_not_followed_up(labelled):
    """A newer label of the structure takes over: the old one gets no follow-up."""
    today = timezone.localdate()
    due_in(labelled, 10)
    Label.objects.create(
        structure=labelled.structure,
        decision=_second_decision(labelled),
        numero="LML-TEST-2",
        date_debut=today,
        date_fin=today + dt.timedelta(days=1000),
    )
    assert labelled not in due_labels(today)


def _second_decision(label):  # type: ignore[no-untyped-def]
    from audits.commission.models import Decision

    d = label.decision
    point = d.point
    from audits.commission.models import PointOrdreDuJour, Seance

    seance = Seance.objects.create(date=timezone.now(), president=point.seance.president)
    other = PointOrdreDuJour.objects.create(seance=seance, dossier=d.dossier)
    return Decision.objects.create(
        point=other, dossier=d.dossier, resultat="labellise", motivation="Renouvellement."
    )


def test_points_come_from_the_gaps_and_pistes_of_the_initial_audit(suivi):
    points = list(PointSuivi.objects.filter(suivi=suivi).select_related("critere"))
    assert [(p.critere.code, p.nature) for p in points] == [
        ("1.1", "ecart_majeur"),
        ("1.2", "ecart_mineur"),
        ("2.1", "piste_de_progres"),
    ]
    assert [p.observation_initiale for p in points] == [OBS_MAJEUR, OBS_MINEUR, OBS_PISTE]
    assert all(p.constat_id for p in points)
    assert all(p.reponse == "" and p.avis == "" and p.version == 0 for p in points)


def test_the_structure_and_the_administrators_are_told(label, people, admin):
    before = Notification.objects.count()
    suivi = schedule_due_followups(timezone.localdate())[0]
    notes = Notification.objects.select_related("destinataire").order_by("pk")[before:]
    recipients = {n.destinataire for n in notes}
    assert {people.direction, people.referent, people.arml, admin} <= recipients
    assert people.lecteur not in recipients and people.outsider not in recipients
    to_direction = next(n for n in notes if n.destinataire == people.direction)
    assert to_direction.url == f"/suivis/{suivi.pk}/"
    assert "mi-parcours" in to_direction.titre
    to_admin = next(n for n in notes if n.destinataire == admin)
    assert to_admin.url == f"/suivis/{suivi.pk}/designer/"


def test_the_daily_task_schedules_and_is_in_the_beat_schedule(label, settings):
    from audits.suivis.tasks import schedule_followups

    assert schedule_followups.apply().get() == 1
    assert schedule_followups.apply().get() == 0
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "suivis.schedule_followups" in tasks


def test_a_dossier_without_gaps_gets_a_follow_up_without_points(label):
    from audits.models import Constat
    from tests.audits.conftest import audit_niveau

    dossier = label.decision.dossier
    Constat.objects.filter(audit__dossier=dossier).update(niveau=audit_niveau(dossier, "conforme"))
    suivi = schedule_due_followups(timezone.localdate())[0]
    assert suivi.points.count() == 0
