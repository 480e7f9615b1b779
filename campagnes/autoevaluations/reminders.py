"""The self-assessment's closing reminders, sent by the daily job of
labelml/notifications/reminders.py (registered in hooks.py): 14 and 3 days before the
campaign's `date_cloture_autoevaluation`, to the quality referents and the direction of every
dossier still in self-assessment, with how far the self-assessment has got."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count

from campagnes.models import Campagne, Dossier
from labelml.notifications.models import Notification, Rappel
from labelml.notifications.reminders import Step, due_in, due_step, not_sent, send_once
from labelml.notifications.services import notify_structure

from .models import Reponse
from .selectors import rated_q

AUTOEVALUATION_STEPS = (
    Step(Rappel.Type.AUTOEVALUATION_J14, days=14),
    Step(Rappel.Type.AUTOEVALUATION_J3, days=3),
)


def autoevaluation_reminders(today: dt.date, counts: dict[str, int]) -> None:
    horizon = today + dt.timedelta(days=max(s.days for s in AUTOEVALUATION_STEPS))
    for campagne in Campagne.objects.filter(date_cloture_autoevaluation__range=(today, horizon)):
        deadline = campagne.date_cloture_autoevaluation
        step = due_step(AUTOEVALUATION_STEPS, deadline, today)
        if step is None:
            continue
        dossiers = list(
            not_sent(
                Dossier.objects.filter(campagne=campagne, statut=Dossier.Statut.AUTOEVALUATION),
                step.type,
                deadline,
            ).select_related("structure", "campagne")
        )
        if not dossiers:
            continue
        progress = {
            row["autoevaluation__dossier"]: (row["rated"], row["total"])
            for row in Reponse.objects.filter(autoevaluation__dossier__in=dossiers)
            .order_by()
            .values("autoevaluation__dossier")
            .annotate(total=Count("pk"), rated=Count("pk", filter=rated_q()))
        }
        when = due_in(deadline, today)
        for dossier in dossiers:
            rated, total = progress.get(dossier.pk, (0, 0))
            message = (
                f"L'auto-évaluation de la campagne « {campagne.nom} » se clôture le "
                f"{deadline:%d/%m/%Y}. {rated} élément{'s' if rated > 1 else ''} "
                f"sur {total} {'sont évalués' if rated > 1 else 'est évalué'}. "
                "Complétez les niveaux et les synthèses, puis la direction soumet "
                "l'auto-évaluation."
            )

            def send(
                dossier: Dossier = dossier, message: str = message, when: str = when
            ) -> list[Notification]:
                return notify_structure(
                    dossier, titre=f"Auto-évaluation : clôture {when}", message=message
                )

            if send_once(step.type, dossier.pk, deadline, send):
                counts[step.type] += 1
