"""What the API keeps about a person (registered in labelml/accounts/donnees.py): their access
tokens (never the secrets, which are not kept). Deleting the account deletes them: a token of a
deleted account must never work again."""

from __future__ import annotations

from typing import Any

from labelml.accounts.donnees import rows
from labelml.accounts.models import User

from .models import JetonAcces


def export(user: User) -> dict[str, list[dict[str, Any]]]:
    return {
        "jetons_acces": rows(
            JetonAcces.objects.filter(user_id=user.pk).order_by("created_at", "pk"),
            nom="nom",
            debut="prefixe",
            portee="portee",
            cree_le="created_at",
            expire_le="expire_le",
            dernier_usage="dernier_usage",
            revoque_le="revoque_le",
        ),
    }


def erase(user: User) -> dict[str, int]:
    return {"jetons_acces": JetonAcces.objects.filter(user_id=user.pk).delete()[0]}
