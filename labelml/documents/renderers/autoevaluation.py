"""The self-assessment report: scores per part (radar and table), then every criterion with each
element's level and justification and the criterion's synthesis.

Once the self-assessment is submitted it is locked (a reopening brings the dossier back to the
self-assessment step), so outside that step the live answers are exactly those of the latest
snapshot, whose number and fingerprint the cover cites. During the step the report is a working
draft and says so."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from campagnes.autoevaluations import charts
from campagnes.autoevaluations.models import Reponse, SyntheseCritere
from campagnes.autoevaluations.selectors import dossier_progress
from campagnes.models import Dossier
from referentiel.models import Element

from .common import TocEntry, common_context


@dataclass(frozen=True)
class SelfAssessment:
    """The self-assessment by criterion, in three queries (also printed by the audit report)."""

    reponses: dict[int, Reponse]
    syntheses: dict[int, SyntheseCritere]
    elements: dict[int, list[Element]]

    def rows(self, critere_id: int) -> list[tuple[Element, Reponse | None]]:
        return [(e, self.reponses.get(e.pk)) for e in self.elements.get(critere_id, [])]


def self_assessment(dossier: Dossier) -> SelfAssessment:
    elements: dict[int, list[Element]] = {}
    for e in Element.objects.filter(referentiel=dossier.campagne.referentiel).order_by("ordre"):
        elements.setdefault(e.critere_id, []).append(e)
    return SelfAssessment(
        reponses={
            r.element_id: r
            for r in Reponse.objects.filter(autoevaluation__dossier=dossier).select_related(
                "niveau"
            )
        },
        syntheses={
            s.critere_id: s for s in SyntheseCritere.objects.filter(autoevaluation__dossier=dossier)
        },
        elements=elements,
    )


def unavailable(dossier: Dossier) -> str | None:
    return None  # a working draft can always be printed


def criteria_by_section(progress: Any) -> list[dict[str, Any]]:
    """Leaf sections in référentiel order, each with its criteria's stats."""
    return [{"section": leaf, "criteres": leaf.criteres} for leaf in progress.leaf_sections()]


def context(dossier: Dossier) -> dict[str, Any]:
    ctx = common_context(dossier, title="Rapport d'auto-évaluation")
    dossier = ctx["dossier"]
    progress = dossier_progress(dossier)
    leaves = progress.leaf_sections()
    radar = charts.radar_svg(
        [s.section.code for s in leaves],
        [("Auto-évaluation", [s.score for s in leaves], "#1d3f72")],
        title="Score moyen par partie (1 à 4)",
        font_family="Inter",
    )
    answers = self_assessment(dossier)
    sections = []
    toc = [TocEntry("scores", "Scores par partie")]
    for leaf in leaves:
        toc.append(TocEntry(f"s-{leaf.section.pk}", f"{leaf.section.code}. {leaf.section.titre}"))
        criteres = []
        for st in leaf.criteres:
            toc.append(TocEntry(f"c-{st.critere.pk}", f"{st.critere.code} {st.critere.titre}", 2))
            criteres.append(
                {
                    "stats": st,
                    "synthese": answers.syntheses.get(st.critere.pk),
                    "rows": answers.rows(st.critere.pk),
                }
            )
        sections.append({"stats": leaf, "criteres": criteres})
    draft = dossier.statut == Dossier.Statut.AUTOEVALUATION
    ctx.update(
        {
            "snapshot": None if draft else dossier.snapshots.order_by("-numero").first(),
            "draft": draft,
            "progress": progress,
            "leaves": leaves,
            "radar": radar,
            "sections": sections,
            "toc": toc,
        }
    )
    return ctx
