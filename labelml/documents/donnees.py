"""What documents keeps about a person (registered in labelml/accounts/donnees.py): the reports
they asked for."""

from __future__ import annotations

from typing import Any

from labelml.accounts.donnees import rows
from labelml.accounts.models import User

from .models import Document


def export(user: User) -> dict[str, list[dict[str, Any]]]:
    return {
        "rapports_demandes": rows(
            Document.objects.filter(requested_by_id=user.pk).order_by("created_at", "pk"),
            dossier="dossier_id",
            type="type",
            statut="statut",
            demande_le="created_at",
        ),
    }
