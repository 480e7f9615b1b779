"""The commission's part of a structure's label history (labelml/structures/history.py,
registered in hooks.py): its decisions, and its labels with their status on the day and their
suspension / withdrawal events."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from campagnes.models import DossierTransition
from labelml.structures.history import HistoryEvent, StructureHistory, midnight

from .models import Decision, Label

STATUS_LABELS = {
    "valide": "Valide",
    "expire": "Expiré",
    "a_venir": "À venir",
    "suspendu": "Suspendu",
    "retire": "Retiré",
}


def decisions_and_labels(history: StructureHistory) -> None:
    structure, today = history.structure, history.today
    history.decisions = list(
        Decision.objects.filter(dossier__structure=structure)
        .select_related("dossier__campagne", "point__seance")
        .order_by("-decide_le", "-pk")
    )
    history.labels = list(
        Label.objects.filter(structure=structure)
        .select_related("decision__dossier__campagne")
        .order_by("-date_debut", "-pk")
    )
    events: dict[int, list[DossierTransition]] = {}
    for ev in DossierTransition.objects.filter(
        subject=DossierTransition.Subject.LABEL, subject_id__in=[lb.pk for lb in history.labels]
    ).select_related("actor"):
        events.setdefault(ev.subject_id, []).append(ev)
    for label in history.labels:
        label.evenements = events.get(label.pk, [])
        label.statut_du_jour = label.statut_le(today)
        label.statut_du_jour_label = STATUS_LABELS[label.statut_du_jour]

    for dec in history.decisions:
        history.events.append(
            HistoryEvent(
                at=dec.decide_le,
                titre=f"Décision de la commission : {dec.get_resultat_display()}",
                detail=dec.dossier.campagne.nom,
                url=reverse("campagnes:dossier_detail", args=[dec.dossier_id]),
            )
        )
    for label in history.labels:
        url = reverse("commission:label_verify", args=[label.numero])
        history.events.append(
            HistoryEvent(
                at=midnight(label.date_debut),
                titre=f"Label {label.numero} accordé",
                detail=f"Valable jusqu'au {label.date_fin:%d/%m/%Y}",
                url=url,
            )
        )
        for ev in label.evenements:
            history.events.append(
                HistoryEvent(
                    at=ev.at,
                    titre=f"Label {label.numero} : {ev.action_label.lower()}",
                    detail=ev.reason,
                    url=url,
                )
            )
        if label.statut == label.Statut.VALIDE and label.date_fin < today:
            history.events.append(
                HistoryEvent(
                    at=midnight(label.date_fin + dt.timedelta(days=1)),
                    titre=f"Label {label.numero} expiré",
                    url=url,
                )
            )
