"""What the decision letter and the attestation share: the dossier's latest decision and its
label, the public verification address printed (and encoded in the QR code) on them, and the
place the letterhead issues its documents from."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import reverse

from audits.commission import tally
from audits.commission.models import Decision, Label
from campagnes.models import Dossier

# Where documents are issued when the letterhead's address names no town (the UNML's seat).
DEFAULT_PLACE = "Paris"
_POSTCODE_TOWN = re.compile(r"\b\d{5}\s+(?P<town>[^\d,\n][^,\n]*?)(?:\s+cedex\b.*)?\s*$", re.I)


def latest_decision(dossier: Dossier) -> Decision | None:
    """The dossier's most recent decision (an adjourned dossier may come back to the
    commission: the letter is about the last word)."""
    return (
        Decision.objects.filter(dossier=dossier)
        .select_related("point__seance")
        .order_by("-decide_le", "-pk")
        .first()
    )


def label_of(decision: Decision | None) -> Label | None:
    if decision is None:
        return None
    return Label.objects.filter(decision=decision).select_related("structure").first()


def verification_url(label: Label) -> str:
    """The absolute address of the public verification page of a certificate."""
    return settings.SITE_URL.rstrip("/") + reverse("commission:label_verify", args=[label.numero])


def place_of_issue(adresse: str) -> str:
    """The town of the letterhead's address ("75010 Paris" → "Paris", "… 69003 Lyon Cedex 03"
    → "Lyon"), else the default."""
    for line in reversed([line.strip() for line in (adresse or "").splitlines()]):
        if match := _POSTCODE_TOWN.search(line):
            return match.group("town").strip()
    return DEFAULT_PLACE


def emitter_subject(emetteur: str) -> str:
    """The emitter as the subject of a sentence: "L’Union nationale des Missions Locales"."""
    emetteur = emetteur.strip()
    if emetteur[:1].upper() in "AEIOUYÉÈÊH" and not emetteur.lower().startswith(("l'", "l’")):
        return f"L’{emetteur}"
    return emetteur


@dataclass(frozen=True)
class VoteSummary:
    favorable: int
    favorable_avec_reserves: int
    defavorable: int
    abstention: int
    eligible: int
    participants: int
    required: int

    @property
    def quorum(self) -> bool:
        return self.participants >= self.required


def vote_summary(decision: Decision) -> VoteSummary | None:
    """The count recorded with the decision (audits.commission.services.decide), or None when the
    decision carries none."""
    decompte: dict[str, Any] = decision.decompte or {}
    counts = decompte.get("counts")
    if not isinstance(counts, dict) or "eligible" not in decompte:
        return None
    eligible = int(decompte["eligible"])
    return VoteSummary(
        favorable=int(counts.get(tally.FAVORABLE, 0)),
        favorable_avec_reserves=int(counts.get(tally.FAVORABLE_AVEC_RESERVES, 0)),
        defavorable=int(counts.get(tally.DEFAVORABLE, 0)),
        abstention=int(counts.get(tally.ABSTENTION, 0)),
        eligible=eligible,
        participants=int(decompte.get("participants", 0)),
        required=tally.quorum_required(eligible, decision.point.seance.quorum_pourcentage),
    )
