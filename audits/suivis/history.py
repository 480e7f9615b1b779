"""The follow-up audits of a structure's label history (labelml/structures/history.py,
registered in hooks.py), each shown under its label and in the chronology."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from labelml.structures.history import HistoryEvent, StructureHistory, midnight

from .models import AuditSuivi


def follow_ups(history: StructureHistory) -> None:
    suivis = list(
        AuditSuivi.objects.filter(label__structure=history.structure)
        .select_related("label", "auditeur__user", "organisme")
        .order_by("-date_prevue", "-pk")
    )
    by_label: dict[int, list[Any]] = {}
    for suivi in suivis:
        suivi.url = reverse("suivis:suivi_detail", kwargs={"pk": suivi.pk})  # type: ignore[attr-defined]
        by_label.setdefault(suivi.label_id, []).append(suivi)
    for label in history.labels:
        label.suivis = by_label.get(label.pk, [])
    history.suivis = suivis

    for suivi in suivis:
        when = suivi.conclu_le or midnight(suivi.date_prevue)
        titre = f"Audit de suivi du label {suivi.label.numero} : {suivi.get_statut_display()}"
        if suivi.conclusion:
            titre += f" — {suivi.get_conclusion_display()}"
        history.events.append(HistoryEvent(at=when, titre=titre, url=suivi.url))  # type: ignore[attr-defined]
