"""A structure's whole label history on one page (SPEC §7b): its dossiers (campaign, state,
dates, ready PDF reports), the commission's decisions, its labels (status on the day, the
suspension / withdrawal events) and their follow-up audits.

A fixed number of queries whatever the number of dossiers or labels: each list is one query,
the per-row details come from prefetches. The follow-up audit (`suivis.AuditSuivi`) is read only
when that app provides it, so that this page works without it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

STATUS_LABELS = {
    "valide": "Valide",
    "expire": "Expiré",
    "a_venir": "À venir",
    "suspendu": "Suspendu",
    "retire": "Retiré",
}


@dataclass
class HistoryEvent:
    """One line of the chronology: when, what, and a link to the page or report about it."""

    at: dt.datetime
    titre: str
    detail: str = ""
    url: str = ""


@dataclass
class StructureHistory:
    dossiers: list[Any]
    decisions: list[Any]
    labels: list[Any]
    suivis: list[Any] | None  # None when the follow-up audit is not available
    events: list[HistoryEvent] = field(default_factory=list)


def _suivi_model() -> Any:
    """`audits.suivis.models.AuditSuivi`, or None before it exists."""
    from django.apps import apps

    if not apps.is_installed("audits.suivis"):
        return None
    try:
        from audits.suivis.models import AuditSuivi
    except ImportError:
        return None
    return AuditSuivi


def _suivi_url(suivi: Any) -> str:
    """The follow-up's page (guarded: the suivis app may not route one yet)."""
    try:
        return reverse("suivi_detail", kwargs={"pk": suivi.pk})
    except NoReverseMatch:
        return ""


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def structure_history(structure: Any, *, today: dt.date | None = None) -> StructureHistory:
    from audits.commission.models import Decision, Label, LabelEvenement
    from labelml.documents.models import Document

    today = today or timezone.localdate()
    dossiers: list[Any] = list(
        structure.dossiers.select_related("campagne__referentiel", "audit")
        .prefetch_related(
            Prefetch(
                "documents",
                queryset=Document.objects.filter(status=Document.Status.READY)
                .exclude(fichier="")
                .order_by("kind", "-created_at"),
                to_attr="ready_documents",
            ),
        )
        .order_by("-created_at", "-pk")
    )
    decisions = list(
        Decision.objects.filter(dossier__structure=structure)
        .select_related("dossier__campagne", "point__seance")
        .order_by("-decide_le", "-pk")
    )
    labels: list[Any] = list(
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
    suivis: list[Any] | None = None
    AuditSuivi = _suivi_model()
    if AuditSuivi is not None:
        suivis = list(
            AuditSuivi.objects.filter(label__structure=structure)
            .select_related("label", "auditeur__user", "organisme")
            .order_by("-date_prevue", "-pk")
        )
    by_label: dict[int, list[Any]] = {}
    for suivi in suivis or []:
        suivi.url = _suivi_url(suivi)
        by_label.setdefault(suivi.label_id, []).append(suivi)

    # Only one document of each kind per dossier: the latest ready one.
    for dossier in dossiers:
        latest: dict[str, Any] = {}
        for document in dossier.ready_documents:
            latest.setdefault(document.kind, document)
        dossier.reports = list(latest.values())
        # A missing reverse one-to-one raises an AttributeError subclass: getattr says None.
        dossier.audit_report = getattr(dossier, "audit", None)

    for label in labels:
        label.statut_du_jour = label.statut_le(today)
        label.statut_du_jour_label = STATUS_LABELS[label.statut_du_jour]
        label.suivis = by_label.get(label.pk, [])

    return StructureHistory(
        dossiers=dossiers,
        decisions=decisions,
        labels=labels,
        suivis=suivis,
        events=_chronology(dossiers, decisions, labels, suivis or [], today),
    )


def _chronology(
    dossiers: list[Any],
    decisions: list[Any],
    labels: list[Any],
    suivis: list[Any],
    today: dt.date,
) -> list[HistoryEvent]:
    """Every dated fact of the history, most recent first."""
    events: list[HistoryEvent] = []
    for d in dossiers:
        events.append(
            HistoryEvent(
                at=d.created_at,
                titre=f"Ouverture du dossier — {d.campagne.nom}",
                detail=f"Référentiel {d.campagne.referentiel.label}",
                url=reverse("dossier_detail", args=[d.pk]),
            )
        )
    for dec in decisions:
        events.append(
            HistoryEvent(
                at=dec.decide_le,
                titre=f"Décision de la commission : {dec.get_resultat_display()}",
                detail=dec.dossier.campagne.nom,
                url=reverse("dossier_detail", args=[dec.dossier_id]),
            )
        )
    for label in labels:
        url = reverse("label_verify", args=[label.numero])
        events.append(
            HistoryEvent(
                at=_midnight(label.date_debut),
                titre=f"Label {label.numero} accordé",
                detail=f"Valable jusqu'au {label.date_fin:%d/%m/%Y}",
                url=url,
            )
        )
        for ev in label.evenements.all():
            events.append(
                HistoryEvent(
                    at=ev.at,
                    titre=f"Label {label.numero} : {ev.get_action_display().lower()}",
                    detail=ev.motivation,
                    url=url,
                )
            )
        if label.statut == label.Statut.VALIDE and label.date_fin < today:
            events.append(
                HistoryEvent(
                    at=_midnight(label.date_fin + dt.timedelta(days=1)),
                    titre=f"Label {label.numero} expiré",
                    url=url,
                )
            )
    for suivi in suivis:
        when = suivi.conclu_le or _midnight(suivi.date_prevue)
        titre = f"Audit de suivi du label {suivi.label.numero} : {suivi.get_statut_display()}"
        if suivi.conclusion:
            titre += f" — {suivi.get_conclusion_display()}"
        events.append(HistoryEvent(at=when, titre=titre, url=getattr(suivi, "url", "")))
    events.sort(key=lambda e: e.at, reverse=True)
    return events
