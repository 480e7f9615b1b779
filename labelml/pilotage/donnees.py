"""What pilotage keeps about a person (registered in labelml/accounts/donnees.py): the exports
they asked for."""

from __future__ import annotations

from typing import Any

from labelml.accounts.donnees import rows
from labelml.accounts.models import User

from .models import Export


def export(user: User) -> dict[str, list[dict[str, Any]]]:
    return {
        "exports_demandes": rows(
            Export.objects.filter(requested_by_id=user.pk).order_by("created_at", "pk"),
            donnees="dataset",
            fichier="filename",
            demande_le="created_at",
        ),
    }
