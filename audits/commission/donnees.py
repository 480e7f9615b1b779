"""What the commission keeps about a person (registered in labelml/accounts/donnees.py): their
own votes and recusals (the other members' stay secret), the decisions they recorded and the
label events they made."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Subquery

from campagnes.models import DossierTransition
from labelml.accounts.donnees import rows
from labelml.accounts.models import User

from .models import Decision, Label, Recusation, Vote


def export(user: User) -> dict[str, list[dict[str, Any]]]:
    uid = user.pk
    label_events = DossierTransition.objects.filter(actor_id=uid, subject="label")
    numero = Subquery(Label.objects.filter(pk=OuterRef("subject_id")).values("numero"))
    return {
        # Only the person's own votes: the others' stay secret.
        "votes": rows(
            Vote.objects.filter(membre__user_id=uid).order_by("pk"),
            seance="point__seance_id",
            seance_du="point__seance__date",
            dossier="point__dossier_id",
            choix="choix",
            modifie_le="updated_at",
        ),
        "recusations": rows(
            Recusation.objects.filter(membre__user_id=uid).order_by("pk"),
            seance="point__seance_id",
            dossier="point__dossier_id",
            automatique="automatique",
            motif="motif",
            le="created_at",
        ),
        "decisions_enregistrees": rows(
            Decision.objects.filter(decide_par_id=uid).order_by("pk"),
            dossier="dossier_id",
            resultat="resultat",
            motivation="motivation",
            le="decide_le",
        ),
        "evenements_de_labels": rows(
            label_events.annotate(numero=numero).order_by("at", "pk"),
            label="numero",
            action="action",
            motivation="reason",
            le="at",
        ),
    }
