"""What the self-assessment keeps about a person (registered in labelml/accounts/donnees.py):
their saves and the evidence they added."""

from __future__ import annotations

from typing import Any

from labelml.accounts.donnees import rows
from labelml.accounts.models import User

from .models import Preuve, Saisie


def export(user: User) -> dict[str, list[dict[str, Any]]]:
    uid = user.pk
    return {
        "saisies_autoevaluation": rows(
            Saisie.objects.filter(user_id=uid).order_by("at", "pk"),
            dossier="autoevaluation__dossier_id",
            element="reponse__element__code",
            critere="synthese__critere__code",
            champ="champ",
            valeur="valeur",
            version="version",
            le="at",
        ),
        "preuves_ajoutees": rows(
            Preuve.objects.filter(ajoute_par_id=uid).order_by("ajoute_le", "pk"),
            dossier="dossier_id",
            critere="critere__code",
            titre="titre",
            fichier="nom_original",
            ajoutee_le="ajoute_le",
        ),
    }
