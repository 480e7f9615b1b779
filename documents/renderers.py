"""HTML → PDF with WeasyPrint, separate from the task so that it can be measured alone. A render
only reads: it never changes dossier data."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from autoevaluations import charts
from autoevaluations.selectors import dossier_progress
from campagnes.models import Dossier


def autoevaluation_context(dossier: Dossier) -> dict[str, Any]:
    """The report reads the latest submitted snapshot when there is one (what was submitted),
    else the live answers (a working draft, said so on the cover)."""
    from autoevaluations.models import Reponse, SyntheseCritere

    snapshot = dossier.snapshots.order_by("-numero").first()
    progress = dossier_progress(dossier)
    leaves = progress.leaf_sections()
    radar = charts.radar_svg(
        [s.section.code for s in leaves],
        [("Auto-évaluation", [s.score for s in leaves], "#1d3f72")],
        title="Score moyen par partie (1 à 4)",
    )
    reponses = {
        r.element_id: r
        for r in Reponse.objects.filter(autoevaluation__dossier=dossier).select_related("niveau")
    }
    syntheses = {
        s.critere_id: s for s in SyntheseCritere.objects.filter(autoevaluation__dossier=dossier)
    }
    from referentiel.models import Element

    elements: dict[int, list[Element]] = {}
    for e in Element.objects.filter(referentiel=dossier.campagne.referentiel).order_by("ordre"):
        elements.setdefault(e.critere_id, []).append(e)
    criteres = [
        {
            "stats": st,
            "synthese": syntheses.get(st.critere.pk),
            "rows": [(e, reponses.get(e.pk)) for e in elements.get(st.critere.pk, [])],
        }
        for st in progress.criteres
    ]
    return {
        "dossier": dossier,
        "snapshot": snapshot,
        "progress": progress,
        "leaves": leaves,
        "radar": radar,
        "criteres": criteres,
        "generated_at": timezone.now(),
    }


def render_pdf(html: str) -> tuple[bytes, int]:
    import weasyprint

    document = weasyprint.HTML(string=html).render()
    return document.write_pdf(), len(document.pages)


def render(kind: str, dossier: Dossier) -> tuple[bytes, int]:
    if kind == "autoevaluation":
        html = render_to_string("documents/autoevaluation.html", autoevaluation_context(dossier))
        return render_pdf(html)
    raise ValueError(f"Type de rapport inconnu : {kind}")
