"""The label's expiry reminders, sent by the daily job of labelml/notifications/reminders.py
(registered in hooks.py): 6 months and 1 month before `date_fin`, to the structure and to the
national administrators, unless a later label already takes over."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef

from campagnes.models import Dossier
from labelml.notifications.models import Notification, Rappel
from labelml.notifications.reminders import Step, due_step, months_after, send_once
from labelml.notifications.services import notify_national_admins, notify_structure

from .models import Label

LABEL_STEPS = (Step(Rappel.Type.LABEL_M6, months=6), Step(Rappel.Type.LABEL_M1, months=1))


def label_reminders(today: dt.date, counts: dict[str, int]) -> None:
    horizon = months_after(today, max(s.months for s in LABEL_STEPS))
    later = Label.objects.filter(
        structure=OuterRef("structure"),
        statut=Label.Statut.VALIDE,
        date_fin__gt=OuterRef("date_fin"),
    )
    labels = (
        Label.objects.filter(statut=Label.Statut.VALIDE, date_fin__range=(today, horizon))
        .exclude(Exists(later))  # renewed already: the newer label takes over
        .select_related("structure", "decision__dossier__structure")
    )
    for label in labels:
        deadline = label.date_fin
        step = due_step(LABEL_STEPS, deadline, today)
        if step is None:
            continue
        dossier = label.decision.dossier
        titre = f"Le label de {label.structure.nom} expire le {deadline:%d/%m/%Y}"

        def send(
            label: Label = label, dossier: Dossier = dossier, titre: str = titre
        ) -> list[Notification]:
            return notify_structure(
                dossier,
                titre=titre,
                message=(
                    f"Le label n° {label.numero} est valable jusqu'au {label.date_fin:%d/%m/%Y}. "
                    "Préparez son renouvellement : un nouveau dossier reprend votre dernière "
                    "auto-évaluation, chaque réponse étant à confirmer."
                ),
            ) + notify_national_admins(
                dossier,
                titre=titre,
                message=(
                    f"Le label n° {label.numero} de {label.structure.nom} arrive à échéance le "
                    f"{label.date_fin:%d/%m/%Y}."
                ),
            )

        if send_once(step.type, label.pk, deadline, send):
            counts[step.type] += 1
