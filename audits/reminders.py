"""The reminder of the gap answers' deadline, sent by the daily job of
labelml/notifications/reminders.py (registered in hooks.py): 7 days before `gap_deadline`, to
the direction, while gaps of the validated report are still without a sent answer."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.urls import reverse

from campagnes.models import Dossier
from labelml.notifications.models import Notification, Rappel
from labelml.notifications.reminders import Step, due_in, due_step, plural, send_once
from labelml.notifications.services import notify
from labelml.structures.roles import Role

from .models import GAP_CODES, Audit
from .selectors import gap_deadline

ECARTS_STEPS = (Step(Rappel.Type.ECARTS_J7, days=7),)


def gap_reminders(today: dt.date, counts: dict[str, int]) -> None:
    unanswered = Q(
        constats__niveau__code__in=GAP_CODES, constats__reponse_ecart__envoye_le__isnull=True
    )
    audits = (
        Audit.objects.filter(
            statut=Audit.Statut.VALIDE,
            valide_le__isnull=False,
            dossier__statut=Dossier.Statut.REPONSE_STRUCTURE,
        )
        .annotate(unanswered=Count("constats", filter=unanswered))
        .filter(unanswered__gt=0)
        .select_related("dossier__campagne", "dossier__structure")
    )
    User = get_user_model()
    for audit in audits:
        deadline = gap_deadline(audit)
        if deadline is None:
            continue
        step = due_step(ECARTS_STEPS, deadline, today)
        if step is None:
            continue
        dossier = audit.dossier
        if Rappel.objects.filter(type=step.type, object_id=dossier.pk, deadline=deadline).exists():
            continue
        n = audit.unanswered  # type: ignore[attr-defined]
        message = (
            f"{plural(n, 'écart')} de l'évaluation externe "
            f"{'attendent' if n > 1 else 'attend'} encore une réponse envoyée. Le délai de "
            f"réponse se termine le {deadline:%d/%m/%Y} ; passé cette date, les réponses ne "
            "sont plus acceptées."
        )

        def send(
            dossier: Dossier = dossier, message: str = message, deadline: dt.date = deadline
        ) -> list[Notification]:
            direction = User.objects.filter(
                memberships__structure=dossier.structure, memberships__role=Role.DIRECTION
            )
            return notify(
                direction,
                titre=f"Réponse aux écarts : échéance {due_in(deadline, today)}",
                message=message,
                url=reverse("audits:audit_gaps", args=[dossier.pk]),
                dossier=dossier,
            )

        if send_once(step.type, dossier.pk, deadline, send):
            counts[step.type] += 1
