"""The follow-up's reminder: SUIVI_RAPPEL_JOURS days before its date, to the structure, while
the file is not sent — once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from audits.suivis import services
from audits.suivis.models import AuditSuivi
from labelml.notifications.models import Notification, Rappel
from labelml.notifications.reminders import send_due_reminders
from tests.suivis.conftest import answer_all

pytestmark = pytest.mark.django_db
KIND = Rappel.Type.SUIVI_J30


def _date(suivi: AuditSuivi, days: int) -> dt.date:
    today = timezone.localdate()
    AuditSuivi.objects.filter(pk=suivi.pk).update(date_prevue=today + dt.timedelta(days=days))
    return today


def test_the_reminder_is_sent_once(suivi, people):
    today = _date(suivi, 20)
    before = Notification.objects.count()
    assert send_due_reminders(today)[KIND] == 1
    notes = list(Notification.objects.select_related("destinataire").order_by("pk")[before:])
    assert {n.destinataire for n in notes} == {people.direction, people.referent}
    assert all(n.url == f"/suivis/{suivi.pk}/" for n in notes)
    assert "dans 20 jours" in notes[0].titre
    # The next runs, that day or the following ones, send nothing more.
    assert send_due_reminders(today)[KIND] == 0
    assert send_due_reminders(today + dt.timedelta(days=1))[KIND] == 0
    assert Notification.objects.count() == before + 2
    rappel = Rappel.objects.get(type=KIND, object_id=suivi.pk)
    assert rappel.recipients == 2


def test_no_reminder_before_the_window(suivi):
    today = _date(suivi, 31)
    assert send_due_reminders(today)[KIND] == 0
    assert send_due_reminders(today + dt.timedelta(days=1))[KIND] == 1


def test_the_window_is_a_setting(suivi, settings):
    settings.SUIVI_RAPPEL_JOURS = 45
    today = _date(suivi, 40)
    assert send_due_reminders(today)[KIND] == 1


def test_no_reminder_once_the_file_is_sent(suivi, people):
    answer_all(suivi, people.direction)
    services.send_file(suivi, people.direction)
    today = _date(suivi, 10)
    assert send_due_reminders(today)[KIND] == 0


def test_a_moved_date_gets_its_own_reminder(suivi):
    today = _date(suivi, 20)
    assert send_due_reminders(today)[KIND] == 1
    _date(suivi, 25)
    assert send_due_reminders(today)[KIND] == 1
