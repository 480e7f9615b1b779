"""Kind → (template, context, availability). A render only reads: it never changes dossier
data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string

from campagnes.models import Dossier

from . import attestation, audit, autoevaluation, decision, plan, suivi
from .pdf import render_pdf


@dataclass(frozen=True)
class Report:
    template: str
    context: Callable[[Dossier], dict[str, Any]]
    # None when the document can be produced, else why not (shown to the user, in French).
    unavailable: Callable[[Dossier], str | None]


REPORTS: dict[str, Report] = {
    "autoevaluation": Report(
        "documents/print/autoevaluation.html", autoevaluation.context, autoevaluation.unavailable
    ),
    "plan": Report("documents/print/plan.html", plan.context, plan.unavailable),
    "audit": Report("documents/print/audit.html", audit.context, audit.unavailable),
    "decision": Report("documents/print/decision.html", decision.context, decision.unavailable),
    "attestation": Report(
        "documents/print/attestation.html", attestation.context, attestation.unavailable
    ),
    "suivi": Report("documents/print/suivi.html", suivi.context, suivi.unavailable),
}


def _report(kind: str) -> Report:
    try:
        return REPORTS[kind]
    except KeyError:
        raise ValueError(f"Type de rapport inconnu : {kind}") from None


def unavailable_reason(kind: str, dossier: Dossier) -> str | None:
    return _report(kind).unavailable(dossier)


def build_html(kind: str, dossier: Dossier) -> str:
    report = _report(kind)
    return render_to_string(report.template, report.context(dossier))


def render(kind: str, dossier: Dossier) -> tuple[bytes, int]:
    return render_pdf(build_html(kind, dossier))
