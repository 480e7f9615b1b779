"""The report of the follow-up audit (audit de suivi à mi-parcours, SPEC §7b), once the auditor
concluded it: the label followed up, the follow-up's course (planned date, auditing body and
auditor, file sent, videoconference), the auditor's conclusion with its motivation, the
structure's general note, then every point of the initial audit followed up (criterion, nature,
the initial observation, the structure's answer, the plan action and the evidence it linked, the
auditor's finding and comment) and the follow-up's history.

The document belongs to the dossier of origin (the labelled dossier, `AuditSuivi.dossier`).
Before the conclusion the findings are the auditor's work in progress: the report waits for it,
as the audit report waits for its validation. When a dossier has several follow-ups, the latest
concluded one is printed. A fixed number of queries whatever the number of points."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from audits.suivis.models import AuditSuivi, PointSuivi
from campagnes.models import Dossier

from .common import TocEntry, common_context

NO_SUIVI = (
    "Aucun audit de suivi n'a été planifié pour ce dossier : il a lieu à mi-parcours de la "
    "validité du label."
)
NOT_CONCLUDED = "Le rapport d'audit de suivi sera disponible une fois l'audit de suivi conclu."
# Singular and plural of each nature, for the summary sentence.
NATURE_FORMS = {
    PointSuivi.Nature.ECART_MAJEUR: ("écart majeur", "écarts majeurs"),
    PointSuivi.Nature.ECART_MINEUR: ("écart mineur", "écarts mineurs"),
    PointSuivi.Nature.PISTE_DE_PROGRES: ("piste de progrès", "pistes de progrès"),
}

Statut = AuditSuivi.Statut


def _concluded(dossier: Dossier) -> QuerySet[AuditSuivi]:
    """The dossier's concluded follow-ups, the latest first."""
    return AuditSuivi.objects.filter(dossier=dossier, statut=Statut.CONCLU).order_by(
        "-conclu_le", "-pk"
    )


def unavailable(dossier: Dossier) -> str | None:
    """None once a follow-up of the dossier is concluded (one query)."""
    statuts = list(AuditSuivi.objects.filter(dossier=dossier).values_list("statut", flat=True))
    if not statuts:
        return NO_SUIVI
    if Statut.CONCLU not in statuts:
        return NOT_CONCLUDED
    return None


def latest_concluded(dossier: Dossier) -> AuditSuivi | None:
    return _concluded(dossier).select_related("label", "organisme", "auditeur__user").first()


def _points(suivi: AuditSuivi) -> list[PointSuivi]:
    return list(
        PointSuivi.objects.filter(suivi=suivi)
        .select_related("critere", "action")
        .prefetch_related("preuves")
        .order_by("ordre", "pk")
    )


def natures_summary(points: list[PointSuivi]) -> str:
    """The natures present, counted: « 1 écart majeur, 2 écarts mineurs et 1 piste de
    progrès »."""
    parts = []
    for nature, (one, many) in NATURE_FORMS.items():
        n = sum(1 for p in points if p.nature == nature)
        if n:
            parts.append(f"{n} {one if n == 1 else many}")
    if len(parts) < 2:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " et " + parts[-1]


def context(dossier: Dossier) -> dict[str, Any]:
    ctx = common_context(dossier, title="Rapport d'audit de suivi")
    dossier = ctx["dossier"]
    suivi = latest_concluded(dossier)
    if suivi is None:  # the task checks availability first
        raise ValueError(NOT_CONCLUDED)
    suivi.dossier = dossier
    label = suivi.label
    points = _points(suivi)
    transitions = list(suivi.journal.select_related("actor").order_by("at", "pk"))
    avis_counts = [
        (value, str(text), sum(1 for p in points if p.avis == value))
        for value, text in PointSuivi.Avis.choices
    ]

    toc = [
        TocEntry("conclusion", "Conclusion de l'audit de suivi"),
        TocEntry("bilan", "Bilan de la structure depuis le label"),
        TocEntry("points", "Points de vigilance et pistes de progrès"),
    ]
    toc += [
        TocEntry(f"p-{p.pk}", f"Critère {p.critere.code} — {p.critere.titre}", 2) for p in points
    ]
    toc.append(TocEntry("historique", "Historique de l'audit de suivi"))
    ctx.update(
        {
            "suivi": suivi,
            "label": label,
            "label_statut": label.statut_le(timezone.localdate()),
            "points": points,
            "gaps": sum(1 for p in points if p.is_gap),
            "avis_counts": avis_counts,
            "natures": natures_summary(points),
            "unrated": sum(1 for p in points if not p.avis),
            "transitions": transitions,
            "toc": toc,
        }
    )
    return ctx
