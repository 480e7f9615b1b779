"""What the external audit keeps about a person (registered in labelml/accounts/donnees.py): the
answers to gaps they sent, and, as an auditor, their reports, findings and reviews."""

from __future__ import annotations

from typing import Any

from labelml.accounts.donnees import rows
from labelml.accounts.models import User

from .models import Audit, Constat, ReponseEcart, Revue


def export(user: User) -> dict[str, list[dict[str, Any]]]:
    uid = user.pk
    return {
        "reponses_aux_ecarts": rows(
            ReponseEcart.objects.filter(auteur_id=uid).order_by("pk"),
            dossier="constat__audit__dossier_id",
            critere="constat__critere__code",
            action_corrective="action_corrective",
            preuves="preuves",
            envoyee_le="envoye_le",
        ),
        "rapports_d_audit": rows(
            Audit.objects.filter(auditeur__user_id=uid).order_by("pk"),
            dossier="dossier_id",
            statut="statut",
            points_forts="points_forts",
            progres="progres",
            avis_global="avis_global",
            recommandation="recommandation",
        ),
        "constats": rows(
            Constat.objects.filter(audit__auditeur__user_id=uid).order_by("audit_id", "pk"),
            dossier="audit__dossier_id",
            critere="critere__code",
            niveau="niveau__code",
            observation="observation",
            preuves_examinees="preuves_examinees",
            modifie_le="updated_at",
        ),
        "revues_de_rapports": rows(
            Revue.objects.filter(par_id=uid).order_by("le", "pk"),
            dossier="audit__dossier_id",
            decision="decision",
            remarques="remarques",
            le="le",
        ),
    }
