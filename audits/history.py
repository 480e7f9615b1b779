"""The dossiers of a structure's label history (labelml/structures/history.py, registered in
hooks.py), each with its external audit: one query, the audit joined to its dossier."""

from __future__ import annotations

from django.urls import reverse

from campagnes.models import Dossier
from labelml.structures.history import HistoryEvent, StructureHistory


def dossiers(history: StructureHistory) -> None:
    history.dossiers = list(
        Dossier.objects.filter(structure=history.structure)
        .select_related("campagne__referentiel", "audit")
        .order_by("-created_at", "-pk")
    )
    for dossier in history.dossiers:
        # A missing reverse one-to-one raises an AttributeError subclass: getattr says None.
        dossier.audit_report = getattr(dossier, "audit", None)  # type: ignore[attr-defined]
        history.events.append(
            HistoryEvent(
                at=dossier.created_at,
                titre=f"Ouverture du dossier — {dossier.campagne.nom}",
                detail=f"Référentiel {dossier.campagne.referentiel.label}",
                url=reverse("campagnes:dossier_detail", args=[dossier.pk]),
            )
        )
