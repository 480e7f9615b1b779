"""What the follow-up audits keep about a person (registered in labelml/accounts/donnees.py):
their findings as an auditor and the steps they took (their reasons are pseudonymised with the
dossiers' journal, campagnes/donnees.py)."""

from __future__ import annotations

from typing import Any

from campagnes.models import DossierTransition
from labelml.accounts.donnees import rows
from labelml.accounts.models import User

from .models import PointSuivi


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
            DossierTransition.objects.filter(actor_id=uid, subject="suivi").order_by("at", "pk"),
            suivi="subject_id",
            action="action",
            de="from_state",
            vers="to_state",
            motif="reason",
            le="at",
        ),
    }
