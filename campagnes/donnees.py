"""What campagnes keeps about a person (registered in labelml/accounts/donnees.py): the workflow
steps of the dossiers they took; on deletion of the account, their name in the reasons of the
journal (the dossiers', the labels' and the follow-ups' steps) becomes the pseudonym."""

from __future__ import annotations

from typing import Any

from labelml.accounts.donnees import rows
from labelml.accounts.models import User

from .models import DossierTransition, Echange

# Free texts where the deleted person's name and address become the pseudonym (e.g. the reason
# of an audit assignment "Sophie Lambert (Qualicert)").
TEXTS = ((DossierTransition, "reason"), (Echange, "texte"))


def export(user: User) -> dict[str, list[dict[str, Any]]]:
    steps = DossierTransition.objects.filter(actor_id=user.pk, subject="dossier")
    return {
        "etapes_des_dossiers": rows(
            steps.order_by("at", "pk"),
            dossier="dossier_id",
            action="action",
            de="from_state",
            vers="to_state",
            motif="reason",
            le="at",
        ),
        "echanges_avec_l_arml": rows(
            Echange.objects.filter(auteur_id=user.pk).order_by("at", "pk"),
            dossier="dossier_id",
            cote="cote",
            message="texte",
            le="at",
        ),
    }
