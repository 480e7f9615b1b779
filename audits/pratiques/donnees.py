"""What the remarkable practices keep about a person (registered in labelml/accounts/donnees.py):
the practices they proposed, the consents they gave or withdrew as a direction, and their steps
in the journal (their reasons are pseudonymised with the journal, campagnes/donnees.py)."""

from __future__ import annotations

from typing import Any

from campagnes.models import DossierTransition
from labelml.accounts.donnees import rows
from labelml.accounts.models import User

from .models import Pratique


def export(user: User) -> dict[str, list[dict[str, Any]]]:
    uid = user.pk
    return {
        "pratiques_proposees": rows(
            Pratique.objects.filter(propose_par_id=uid).order_by("pk"),
            pratique="pk",
            titre="titre",
            structure="structure__nom",
            le="created_at",
        ),
        "consentements": rows(
            Pratique.objects.filter(consentement_par_id=uid).order_by("pk"),
            pratique="pk",
            consentement="consentement",
            le="consentement_le",
        ),
        "etapes_des_pratiques": rows(
            DossierTransition.objects.filter(actor_id=uid, subject="pratique").order_by("at", "pk"),
            pratique="subject_id",
            action="action",
            de="from_state",
            vers="to_state",
            motif="reason",
            le="at",
        ),
    }
