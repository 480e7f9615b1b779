"""What the follow-up audits keep about a person (registered in labelml/accounts/donnees.py):
their findings as an auditor and the steps they took; on deletion of the account, their name in
the steps' reasons becomes the pseudonym."""

from __future__ import annotations

from typing import Any

from labelml.accounts.donnees import rows
from labelml.accounts.models import User

from .models import PointSuivi, SuiviTransition

# Free texts where the deleted person's name and address become the pseudonym.
TEXTS = ((SuiviTransition, "reason"),)


def export(user: User) -> dict[str, list[dict[str, Any]]]:
    uid = user.pk
    return {
        "constats_de_suivi": rows(
            PointSuivi.objects.filter(suivi__auditeur__user_id=uid).order_by("suivi_id", "pk"),
            suivi="suivi_id",
            critere="critere__code",
            avis="avis",
            commentaire="commentaire",
        ),
        "etapes_des_suivis": rows(
            SuiviTransition.objects.filter(actor_id=uid).order_by("at", "pk"),
            suivi="suivi_id",
            action="action",
            de="from_statut",
            vers="to_statut",
            motif="reason",
            le="at",
        ),
    }
