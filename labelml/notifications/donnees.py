"""What notifications keeps about a person (registered in labelml/accounts/donnees.py): the
notifications they received, in "Mes données"; deleted with the account, and the person's name
rewritten in everybody else's."""

from __future__ import annotations

from typing import Any

from labelml.accounts.donnees import rows
from labelml.accounts.models import User

from .models import Notification

# Free texts where the deleted person's name and address become the pseudonym.
TEXTS = ((Notification, "titre"), (Notification, "message"))


def export(user: User) -> dict[str, list[dict[str, Any]]]:
    return {
        "notifications": rows(
            Notification.objects.filter(destinataire_id=user.pk).order_by("created_at", "pk"),
            titre="titre",
            message="message",
            dossier="dossier_id",
            recue_le="created_at",
            lue_le="lu_le",
        ),
    }


def erase(user: User) -> dict[str, int]:
    return {"notifications": Notification.objects.filter(destinataire_id=user.pk).delete()[0]}
