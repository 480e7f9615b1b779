"""The follow-up audit's reminder, sent by the daily job of labelml/notifications/reminders.py
(registered in hooks.py): SUIVI_RAPPEL_JOURS (30) days before the follow-up's date, to the
structure's direction and quality referents, while their file is not sent. Once per follow-up
and date (a `Rappel` row)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from labelml.notifications.models import Notification, Rappel
from labelml.notifications.reminders import Step, due_in, due_step, not_sent, send_once
from labelml.notifications.services import notify

from .models import AuditSuivi
from .selectors import reminder_days


def suivi_reminders(today: dt.date, counts: dict[str, int]) -> None:
    from .services import _structure_people

    kind = Rappel.Type.SUIVI_J30
    steps = (Step(kind, days=reminder_days()),)
    suivis = (
        AuditSuivi.objects.filter(
            statut__in=(AuditSuivi.Statut.PLANIFIE, AuditSuivi.Statut.DOSSIER_EN_COURS),
            date_prevue__range=(today, today + dt.timedelta(days=reminder_days())),
        )
        .select_related("label", "dossier__structure")
        .order_by("date_prevue", "pk")
    )
    for suivi in suivis:
        deadline = suivi.date_prevue
        step = due_step(steps, deadline, today)
        if step is None or not not_sent(AuditSuivi.objects.filter(pk=suivi.pk), kind, deadline):
            continue

        def send(suivi: AuditSuivi = suivi, deadline: dt.date = deadline) -> list[Notification]:
            users: list[Any] = _structure_people(suivi)
            return notify(
                users,
                titre=f"Audit de suivi : dossier à transmettre, échéance {due_in(deadline, today)}",
                message=(
                    f"L'audit de suivi du label n° {suivi.label.numero} est prévu le "
                    f"{deadline:%d/%m/%Y}. Complétez le dossier (réponses aux points de "
                    "vigilance, avancement du plan, nouvelles preuves) ; la direction le "
                    "transmet ensuite à l'auditeur."
                ),
                url=reverse("suivis:suivi_detail", args=[suivi.pk]),
                dossier=suivi.dossier,
            )

        if send_once(step.type, suivi.pk, deadline, send):
            counts[step.type] = counts.get(step.type, 0) + 1
