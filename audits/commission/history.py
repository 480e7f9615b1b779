"""The commission's part of a structure's label history (labelml/structures/history.py,
registered in hooks.py): its decisions, and its labels with their status on the day and their
suspension / withdrawal events."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch
from django.urls import reverse

from labelml.structures.history import HistoryEvent, StructureHistory, midnight

from .models import Decision, Label, LabelEvenement

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
        .prefetch_related(
            Prefetch(
                "evenements",
                queryset=LabelEvenement.objects.select_related("actor").order_by("at", "pk"),
            )
        )
        .order_by("-date_debut", "-pk")
    )
    for label in history.labels:
        label.statut_du_jour = label.statut_le(today)
        label.statut_du_jour_label = STATUS_LABELS[label.statut_du_jour]

    for dec in history.decisions:
        history.events.append(
            HistoryEvent(
                at=dec.decide_le,
                titre=f"Décision de la commission : {dec.get_resultat_display()}",
                detail=dec.dossier.campagne.nom,
                url=reverse("dossier_detail", args=[dec.dossier_id]),
            )
        )
    for label in history.labels:
        url = reverse("label_verify", args=[label.numero])
        history.events.append(
            HistoryEvent(
                at=midnight(label.date_debut),
                titre=f"Label {label.numero} accordé",
                detail=f"Valable jusqu'au {label.date_fin:%d/%m/%Y}",
                url=url,
            )
        )
        for ev in label.evenements.all():
            history.events.append(
                HistoryEvent(
                    at=ev.at,
                    titre=f"Label {label.numero} : {ev.get_action_display().lower()}",
                    detail=ev.motivation,
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
