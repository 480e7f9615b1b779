"""What the improvement plans keep about a person (registered in labelml/accounts/donnees.py):
the actions they created and those entrusted to them."""

from __future__ import annotations

from typing import Any

from labelml.accounts.donnees import rows
from labelml.accounts.models import User

from .models import Action


def export(user: User) -> dict[str, list[dict[str, Any]]]:
    uid = user.pk
    return {
        "actions_creees": rows(
            Action.objects.filter(created_by_id=uid).order_by("created_at", "pk"),
            dossier="plan__dossier_id",
            titre="titre",
            description="description",
            statut="statut",
            avancement="avancement",
            creee_le="created_at",
        ),
        "actions_confiees": rows(
            Action.objects.filter(responsable_id=uid).order_by("created_at", "pk"),
            dossier="plan__dossier_id",
            titre="titre",
            echeance="echeance",
            statut="statut",
        ),
    }
