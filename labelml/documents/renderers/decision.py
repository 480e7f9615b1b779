"""The decision letter (SPEC §7, §8): the commission's decision on a dossier, sent to the
structure's direction on the letterhead of the settings page — séance, result, motivation, vote
count and, depending on the result, the certificate, the reservations to lift or the next steps.
A one- or two-page A4 letter: no cover, no table of contents."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from audits.commission.models import Decision
from campagnes.models import Dossier
from campagnes.plans.models import Action

from .commission_common import (
    emitter_subject,
    label_of,
    latest_decision,
    place_of_issue,
    verification_url,
    vote_summary,
)
from .common import common_context

NO_DECISION = "La lettre de décision sera disponible après la décision de la commission."


def unavailable(dossier: Dossier) -> str | None:
    return None if latest_decision(dossier) else NO_DECISION


def context(dossier: Dossier) -> dict[str, Any]:
    ctx = common_context(dossier, title="Lettre de décision")
    decision = latest_decision(ctx["dossier"])
    if decision is None:  # the task checks availability first
        raise ValueError(NO_DECISION)
    label = label_of(decision)
    reserve_action = None
    if decision.resultat == Decision.Resultat.LABELLISE_SOUS_RESERVE:
        reserve_action = (
            Action.objects.filter(plan__dossier=decision.dossier, origine=Action.Origine.RESERVE)
            .order_by("-pk")
            .first()
        )
    ctx.update(
        {
            "decision": decision,
            "seance": decision.point.seance,
            "decided_on": timezone.localtime(decision.decide_le).date(),
            "label": label,
            "verification_url": verification_url(label) if label else "",
            "votes": vote_summary(decision),
            "reserve_action": reserve_action,
            "place": place_of_issue(ctx["parametres"].adresse),
            "emitter_subject": emitter_subject(ctx["parametres"].emetteur),
        }
    )
    return ctx
