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
        # The steps in the words of the dossier's history page, never their code names.
        "etapes_des_dossiers": [
            {
                "dossier": step.dossier_id,
                "structure": step.dossier.structure.nom,
                "etape": step.action_label,
                "de": step.from_label,
                "vers": step.to_label,
                "motif": step.reason,
                "le": step.at,
            }
            for step in steps.select_related("dossier__structure").order_by("at", "pk")
        ],
        "echanges_avec_l_arml": rows(
            Echange.objects.filter(auteur_id=user.pk).order_by("at", "pk"),
            dossier="dossier_id",
            cote="cote",
            message="texte",
            le="at",
        ),
    }
