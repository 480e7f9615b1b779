"""The audit report, once the lead auditor validated it: the auditor's synthesis, the
self-assessment set against the audit (radar and table), the gaps with the structure's answers
and their deadline, then every criterion with the finding (level, observation, evidence
examined), the structure's self-assessment (every element's level and justification, the
criterion's synthesis) and, for a gap, the structure's answer.

Nothing of the report is left out: every finding's observation and every justification is
printed. A fixed number of queries whatever the number of criteria."""

from __future__ import annotations

from typing import Any

from audits.models import Audit, Constat, ReponseEcart
from audits.selectors import audit_for_dossier, comparison, gap_deadline
from campagnes.autoevaluations.selectors import dossier_progress
from campagnes.models import Dossier
from referentiel.models import Niveau

from .autoevaluation import self_assessment
from .common import TocEntry, common_context

NO_AUDIT = "Aucun audit n'a encore eu lieu pour ce dossier."
NOT_VALIDATED = "Le rapport d'audit sera disponible après sa validation par l'auditeur référent."


def _reason(audit: Audit | None) -> str | None:
    if audit is None:
        return NO_AUDIT
    if audit.statut != Audit.Statut.VALIDE:
        return NOT_VALIDATED
    return None


def unavailable(dossier: Dossier) -> str | None:
    return _reason(Audit.objects.filter(dossier=dossier).only("pk", "statut").first())


def answer_of(constat: Constat) -> ReponseEcart | None:
    """The structure's answer to a gap (selected with the finding), or None."""
    try:
        return constat.reponse_ecart
    except ReponseEcart.DoesNotExist:
        return None


def context(dossier: Dossier) -> dict[str, Any]:
    ctx = common_context(dossier, title="Rapport d'audit")
    dossier = ctx["dossier"]
    audit = audit_for_dossier(dossier)
    reason = _reason(audit)
    if reason or audit is None:  # the report belongs to the auditing body until validated
        raise ValueError(reason)
    audit.dossier = dossier  # already read with its campaign (the gap deadline needs it)
    referentiel = ctx["referentiel"]
    constats = list(
        audit.constats.select_related(
            "critere", "niveau", "reponse_ecart__action_plan", "reponse_ecart__auteur"
        ).order_by("critere__ordre")
    )
    by_critere = {c.critere_id: c for c in constats}
    progress = dossier_progress(dossier)
    compared = comparison(dossier, audit, progress=progress, constats=constats, font_family="Inter")
    answers = self_assessment(dossier)
    levels = list(Niveau.objects.filter(echelle_id=referentiel.echelle_audit_pk))
    counts = [
        (level, sum(1 for c in constats if c.niveau_id == level.pk))
        for level in levels  # the audit scale's order: from "point fort" to "écart majeur"
    ]
    gaps = [{"constat": c, "answer": answer_of(c)} for c in constats if c.is_gap]

    toc = [
        TocEntry("synthese", "Synthèse de l'audit"),
        TocEntry("comparaison", "Auto-évaluation et évaluation externe"),
        TocEntry("ecarts", "Écarts"),
    ]
    sections = []
    for leaf in progress.leaf_sections():
        toc.append(TocEntry(f"s-{leaf.section.pk}", f"{leaf.section.code}. {leaf.section.titre}"))
        criteres = []
        for st in leaf.criteres:
            toc.append(TocEntry(f"c-{st.critere.pk}", f"{st.critere.code} {st.critere.titre}", 2))
            constat = by_critere.get(st.critere.pk)
            criteres.append(
                {
                    "stats": st,
                    "constat": constat,
                    "answer": answer_of(constat) if constat is not None else None,
                    "synthese": answers.syntheses.get(st.critere.pk),
                    "rows": answers.rows(st.critere.pk),
                }
            )
        sections.append({"stats": leaf, "criteres": criteres})
    ctx.update(
        {
            "audit": audit,
            "progress": progress,
            "comparison": compared,
            "counts": counts,
            "unrated": sum(1 for c in constats if c.niveau_id is None),
            "gaps": gaps,
            "deadline": gap_deadline(audit),
            "sections": sections,
            "toc": toc,
        }
    )
    return ctx
