"""Deadline reminders (issue 7, point 5): sent by a daily Celery beat task before the
self-assessment closes, before the gap answer deadline and before a label expires; each one
once, at the right time, and never for a dossier that moved past the step."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from audits.selectors import gap_deadline
from audits.services import answer_gap
from campagnes.autoevaluations.services import submit_autoevaluation
from campagnes.models import Campagne
from labelml.celery import app as celery_app
from labelml.notifications.models import Notification, Rappel
from labelml.notifications.reminders import due_step, months_before, send_due_reminders
from labelml.notifications.tasks import send_reminders
from labelml.structures.roles import Role
from tests.audits.conftest import GAP_CRITERE, MINOR_GAP_CRITERE, constat
from tests.campagnes.conftest import CLOSING, fill_dossier, rate  # CLOSING: the fixture's
from tests.conftest import member

pytestmark = pytest.mark.django_db

K = Rappel.Type


@pytest.fixture(autouse=True)
def eager():  # type: ignore[no-untyped-def]
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def run(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Run the job for a day, e-mails included (they leave after commit); returns the counts of
    what was sent and the notifications created."""

    def _run(today: dt.date) -> tuple[dict[str, int], list[Notification]]:
        last = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        with django_capture_on_commit_callbacks(execute=True):
            counts = send_due_reminders(today)
        sent = {k: v for k, v in counts.items() if v}
        return sent, list(
            Notification.objects.filter(pk__gt=last).select_related("destinataire").order_by("pk")
        )

    return _run


def recipients(notifications: list[Notification]) -> set[Any]:
    return {n.destinataire for n in notifications}


# --- steps -----------------------------------------------------------------------------------


def test_months_are_calendar_months():
    assert months_before(dt.date(2028, 8, 31), 6) == dt.date(2028, 2, 29)
    assert months_before(dt.date(2027, 8, 31), 6) == dt.date(2027, 2, 28)
    assert months_before(dt.date(2028, 1, 15), 1) == dt.date(2027, 12, 15)
    assert months_before(dt.date(2027, 12, 15), -1) == dt.date(2028, 1, 15)


def test_the_due_step_is_the_nearest_one_started():
    from campagnes.autoevaluations.reminders import AUTOEVALUATION_STEPS as steps

    assert due_step(steps, CLOSING, CLOSING - dt.timedelta(days=15)) is None
    assert due_step(steps, CLOSING, CLOSING - dt.timedelta(days=14)).type == K.AUTOEVALUATION_J14
    assert due_step(steps, CLOSING, CLOSING - dt.timedelta(days=4)).type == K.AUTOEVALUATION_J14
    assert due_step(steps, CLOSING, CLOSING - dt.timedelta(days=3)).type == K.AUTOEVALUATION_J3
    assert due_step(steps, CLOSING, CLOSING).type == K.AUTOEVALUATION_J3
    assert due_step(steps, CLOSING, CLOSING + dt.timedelta(days=1)) is None


# --- self-assessment closing -----------------------------------------------------------------


def test_self_assessment_reminders_go_14_and_3_days_before_the_closing_once_each(
    dossier, people, run
):
    rate(dossier, "1.1.e1")
    assert run(CLOSING - dt.timedelta(days=15)) == ({}, [])

    mail.outbox.clear()
    sent, notifications = run(CLOSING - dt.timedelta(days=14))
    assert sent == {K.AUTOEVALUATION_J14: 1}
    assert recipients(notifications) == {people.referent, people.direction}
    n = notifications[0]
    assert n.titre == "Auto-évaluation : clôture dans 14 jours"
    assert f"{CLOSING:%d/%m/%Y}" in n.message and "1 élément sur 99 est évalué" in n.message
    assert n.dossier == dossier and n.url == reverse("campagnes:dossier_detail", args=[dossier.pk])
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [people.referent.email, people.direction.email]
    )
    assert mail.outbox[0].subject == "[labelml] Auto-évaluation : clôture dans 14 jours"

    # The same day again, and the next days: nothing more.
    for day in (
        CLOSING - dt.timedelta(days=14),
        CLOSING - dt.timedelta(days=13),
        CLOSING - dt.timedelta(days=4),
    ):
        assert run(day) == ({}, [])

    sent, notifications = run(CLOSING - dt.timedelta(days=3))
    assert sent == {K.AUTOEVALUATION_J3: 1}
    assert notifications[0].titre == "Auto-évaluation : clôture dans 3 jours"
    for day in (CLOSING - dt.timedelta(days=3), CLOSING, CLOSING + dt.timedelta(days=1)):
        assert run(day) == ({}, [])
    assert list(Rappel.objects.values_list("type", "object_id", "deadline", "recipients")) == [
        (K.AUTOEVALUATION_J3, dossier.pk, CLOSING, 2),
        (K.AUTOEVALUATION_J14, dossier.pk, CLOSING, 2),
    ]


def test_a_dossier_past_the_self_assessment_gets_no_reminder(
    dossier, other_dossier, people, network, run
):
    ml_a2_direction = member(network["ml_a2"], Role.DIRECTION)
    fill_dossier(dossier)
    submit_autoevaluation(dossier, people.direction)

    sent, notifications = run(CLOSING - dt.timedelta(days=14))
    assert sent == {K.AUTOEVALUATION_J14: 1}
    assert recipients(notifications) == {ml_a2_direction}
    assert {n.dossier_id for n in notifications} == {other_dossier.pk}


def test_a_missed_day_is_caught_up_but_only_with_the_nearest_step(dossier, people, run):
    sent, notifications = run(CLOSING - dt.timedelta(days=10))  # the job did not run on the 16th
    assert sent == {K.AUTOEVALUATION_J14: 1}
    assert notifications[0].titre == "Auto-évaluation : clôture dans 10 jours"
    Rappel.objects.all().delete()
    # First run two days before the closing: only the "3 days" step, never "14 days".
    sent, notifications = run(CLOSING - dt.timedelta(days=1))
    assert sent == {K.AUTOEVALUATION_J3: 1}
    assert notifications[0].titre == "Auto-évaluation : clôture demain"
    assert run(CLOSING) == ({}, [])


def test_a_postponed_closing_gets_its_own_reminders(dossier, people, campagne, run):
    assert run(CLOSING - dt.timedelta(days=14))[0] == {K.AUTOEVALUATION_J14: 1}
    Campagne.objects.filter(pk=campagne.pk).update(
        date_cloture_autoevaluation=CLOSING + dt.timedelta(days=31)
    )
    assert run(CLOSING - dt.timedelta(days=3)) == ({}, [])  # no longer 3 days before
    sent, notifications = run(CLOSING + dt.timedelta(days=17))
    assert sent == {K.AUTOEVALUATION_J14: 1}
    assert f"{CLOSING + dt.timedelta(days=31):%d/%m/%Y}" in notifications[0].message


def test_a_structure_without_anyone_to_tell_is_tried_again(dossier, network, run):
    assert run(CLOSING - dt.timedelta(days=14)) == ({}, [])
    assert not Rappel.objects.exists()
    direction = member(network["ml_a"], Role.DIRECTION)
    sent, notifications = run(CLOSING - dt.timedelta(days=13))
    assert sent == {K.AUTOEVALUATION_J14: 1} and recipients(notifications) == {direction}


# --- gap answers -----------------------------------------------------------------------------


def test_the_direction_is_reminded_7_days_before_the_gap_deadline_once(validated, people, run):
    deadline = gap_deadline(validated)
    assert deadline is not None
    assert run(deadline - dt.timedelta(days=8)) == ({}, [])

    sent, notifications = run(deadline - dt.timedelta(days=7))
    assert sent == {K.ECARTS_J7: 1}
    assert recipients(notifications) == {people.direction}  # who answers the gaps
    n = notifications[0]
    assert n.titre == "Réponse aux écarts : échéance dans 7 jours"
    assert n.message.startswith("2 écarts de l'évaluation externe attendent encore")
    assert deadline.strftime("%d/%m/%Y") in n.message
    assert n.url == reverse("audits:audit_gaps", args=[validated.dossier_id])
    assert run(deadline - dt.timedelta(days=7)) == ({}, [])
    assert run(deadline - dt.timedelta(days=1)) == ({}, [])
    assert run(deadline + dt.timedelta(days=1)) == ({}, [])


def test_a_draft_answer_still_gets_the_reminder_a_sent_one_does_not(validated, people, run):
    answer_gap(
        constat=constat(validated, GAP_CRITERE),
        actor=people.direction,
        action_corrective="Procédure écrite.",
        envoyer=True,
    )
    answer_gap(
        constat=constat(validated, MINOR_GAP_CRITERE),
        actor=people.direction,
        action_corrective="Brouillon.",
    )
    deadline = gap_deadline(validated)
    sent, notifications = run(deadline - dt.timedelta(days=7))
    assert sent == {K.ECARTS_J7: 1}
    assert notifications[0].message.startswith("1 écart de l'évaluation externe attend")


def test_no_gap_reminder_once_every_gap_is_answered(validated, people, run):
    for code in (GAP_CRITERE, MINOR_GAP_CRITERE):
        answer_gap(
            constat=constat(validated, code),
            actor=people.direction,
            action_corrective="Corrigé.",
            envoyer=True,
        )
    assert run(gap_deadline(validated) - dt.timedelta(days=7)) == ({}, [])


def test_no_gap_reminder_for_a_dossier_past_the_answers(validated, people, admin, run):
    from campagnes.models import Dossier

    Dossier.objects.filter(pk=validated.dossier_id).update(statut=Dossier.Statut.EN_COMMISSION)
    assert run(gap_deadline(validated) - dt.timedelta(days=7)) == ({}, [])


def test_no_gap_reminder_before_the_report_is_validated(submitted, people, run):
    from django.utils import timezone

    for days in range(0, 40, 3):
        assert run(timezone.localdate() + dt.timedelta(days=days)) == ({}, [])


# --- label expiry ----------------------------------------------------------------------------


@pytest.fixture
def labelled(admin):  # type: ignore[no-untyped-def]
    """A labelled sample dossier (its structure has a direction member) and its label."""
    from audits.commission.models import Label
    from labelml.demo.samples import build_complete_dossier

    dossier = build_complete_dossier(seed=7)
    return Label.objects.select_related("structure").get(decision__dossier=dossier)


def test_label_expiry_reminders_go_6_months_and_1_month_before_to_the_structure_and_the_unml(
    labelled, admin, run
):
    from labelml.structures.models import Membership

    fin = labelled.date_fin
    direction = Membership.objects.get(structure=labelled.structure, role=Role.DIRECTION).user
    national = {
        m.user
        for m in Membership.objects.filter(
            role=Role.ADMIN_UNML, structure__type="unml"
        ).select_related("user")
    }
    assert admin in national
    assert run(months_before(fin, 6) - dt.timedelta(days=1)) == ({}, [])

    sent, notifications = run(months_before(fin, 6))
    assert sent == {K.LABEL_M6: 1}
    assert recipients(notifications) == {direction} | national
    assert {n.titre for n in notifications} == {
        f"Le label de {labelled.structure.nom} expire le {fin:%d/%m/%Y}"
    }
    assert labelled.numero in notifications[0].message
    assert Rappel.objects.get().object_id == labelled.pk
    for day in (months_before(fin, 6), months_before(fin, 3)):
        assert run(day) == ({}, [])

    sent, notifications = run(months_before(fin, 1))
    assert sent == {K.LABEL_M1: 1}
    assert recipients(notifications) == {direction} | national
    assert run(months_before(fin, 1) + dt.timedelta(days=3)) == ({}, [])
    assert run(fin + dt.timedelta(days=1)) == ({}, [])


def test_a_withdrawn_or_renewed_label_gets_no_expiry_reminder(labelled, admin, run):
    from audits.commission.models import Label
    from labelml.demo.samples import build_complete_dossier

    day = months_before(labelled.date_fin, 1)
    Label.objects.filter(pk=labelled.pk).update(statut=Label.Statut.RETIRE)
    assert run(day) == ({}, [])

    Label.objects.filter(pk=labelled.pk).update(statut=Label.Statut.VALIDE)
    renewal = Label.objects.get(decision__dossier=build_complete_dossier(seed=8))
    Label.objects.filter(pk=renewal.pk).update(
        structure=labelled.structure, date_fin=labelled.date_fin + dt.timedelta(days=3 * 365)
    )
    assert run(day) == ({}, [])


# --- the beat task ---------------------------------------------------------------------------


def test_beat_runs_the_reminders_every_morning():
    from celery.schedules import crontab

    entries = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == send_reminders.name
    ]
    assert len(entries) == 1
    assert send_reminders.name == "notifications.send_reminders"
    schedule = entries[0]["schedule"]
    assert isinstance(schedule, crontab)
    assert schedule.hour == {7} and schedule.minute == {0}
    assert settings.CELERY_TIMEZONE == "Europe/Paris"
    celery_app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in celery_app.tasks, entry["task"]


def test_the_task_takes_no_arguments_and_runs_for_today(
    dossier, people, django_capture_on_commit_callbacks
):
    with (
        mock.patch("django.utils.timezone.localdate", return_value=CLOSING - dt.timedelta(days=14)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        first = send_reminders.apply().get()
        second = send_reminders.apply().get()
    assert first[K.AUTOEVALUATION_J14] == 1
    assert sum(second.values()) == 0
    assert Notification.objects.filter(titre__startswith="Auto-évaluation").count() == 2


def test_the_national_admins_receive_no_self_assessment_reminder(dossier, people, admin, run):
    _, notifications = run(CLOSING - dt.timedelta(days=14))
    assert admin not in recipients(notifications)
    assert people.arml not in recipients(notifications)
    assert people.lecteur not in recipients(notifications)
