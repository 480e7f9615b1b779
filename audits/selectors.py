"""Reads of the external audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from campagnes.models import Dossier
from campagnes.workflow import MissingItem

from .models import GAP_CODES, Audit, Constat


def missions_for_user(user: Any) -> QuerySet[Audit]:
    """The audits a person works on: as the assigned auditor, or as a lead auditor of the body."""
    from django.db.models import Q

    if not getattr(user, "is_authenticated", False):
        return Audit.objects.none()
    return (
        Audit.objects.filter(
            Q(auditeur__user=user)
            | Q(organisme__auditeurs__user=user, organisme__auditeurs__est_referent=True)
        )
        .distinct()
        .select_related("dossier__structure", "dossier__campagne", "auditeur__user", "organisme")
        .order_by("date_debut")
    )


def report_missing_items(audit: Audit) -> list[MissingItem]:
    """What stops the auditor from submitting: a level on every criterion, an observation on
    every gap, and the report's opening (strengths) and recommendation."""
    base = reverse("audit_overview", args=[audit.dossier_id])
    out: list[MissingItem] = []
    for c in audit.constats.select_related("critere", "niveau").order_by("critere__ordre"):
        url = reverse("audit_critere", args=[audit.dossier_id, c.critere.code])
        if c.niveau_id is None:
            out.append(MissingItem(f"Critère {c.critere.code} : constat à renseigner", url))
        elif c.niveau and c.niveau.code in GAP_CODES and not c.observation.strip():
            out.append(MissingItem(f"Critère {c.critere.code} : l'écart doit être motivé", url))
    if not audit.points_forts.strip():
        out.append(MissingItem("Rapport : les points forts ouvrent le rapport", f"{base}#global"))
    if not audit.recommandation:
        out.append(MissingItem("Rapport : recommandation à choisir", f"{base}#global"))
    return out


def gap_deadline(audit: Audit) -> dt.date | None:
    """The structure answers the gaps within the campaign's delay after validation."""
    if audit.valide_le is None:
        return None
    # The validation day as lived in France, not the UTC date of the timestamp.
    validated = timezone.localdate(audit.valide_le)
    return validated + dt.timedelta(days=audit.dossier.campagne.delai_reponse_jours)


def gaps(audit: Audit) -> QuerySet[Constat]:
    return (
        audit.constats.filter(niveau__code__in=GAP_CODES)
        .select_related("critere", "niveau", "reponse_ecart", "reponse_ecart__action_plan")
        .order_by("critere__ordre")
    )


def audit_for_dossier(dossier: Dossier) -> Audit | None:
    return (
        Audit.objects.filter(dossier=dossier)
        .select_related("auditeur__user", "organisme", "valide_par")
        .first()
    )
