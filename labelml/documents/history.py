"""The ready reports of the dossiers in a structure's label history
(labelml/structures/history.py, registered in hooks.py): the latest ready PDF of each kind, one
query for all the dossiers."""

from __future__ import annotations

from typing import Any

from labelml.structures.history import StructureHistory

from .models import Document


def reports(history: StructureHistory) -> None:
    latest: dict[int, dict[str, Any]] = {dossier.pk: {} for dossier in history.dossiers}
    if latest:
        ready = (
            Document.objects.filter(dossier_id__in=latest, statut=Document.Statut.READY)
            .exclude(fichier="")
            .order_by("type", "-created_at")
        )
        for document in ready:
            latest[document.dossier_id].setdefault(document.type, document)
    for dossier in history.dossiers:
        dossier.reports = list(latest[dossier.pk].values())
