"""The labels a campaign renews (SPEC §7b): a structure whose label is still in force gets a
renewal dossier, which starts from the labelled one. Campaign opening (campagnes.services) asks
through `campagnes.hooks.renewals`, which this module provides."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from campagnes.models import Campagne, Dossier
from labelml.structures.models import Structure

from .models import Label


def current_label(structure: Structure) -> Label | None:
    """The structure's latest label (the one a renewal would renew), or None."""
    return (
        Label.objects.filter(structure=structure)
        .select_related("decision__dossier__campagne__referentiel")
        .order_by("-date_fin", "-pk")
        .first()
    )


def renewal_refusal(label: Label | None, today: dt.date) -> str | None:
    """Why `label` cannot be renewed on `today` (None when it can): a renewal continues a label
    still in force, before it expires."""
    if label is None:
        return "la structure n'a pas de label à renouveler"
    if label.statut == Label.Statut.RETIRE:
        return (
            f"le label {label.numero} a été retiré : la structure repart d'une "
            "labellisation initiale"
        )
    if label.date_fin < today:
        return (
            f"le label {label.numero} a expiré le {label.date_fin:%d/%m/%Y} : la structure "
            "repart d'une labellisation initiale"
        )
    if label.statut == Label.Statut.SUSPENDU:
        return (
            f"le label {label.numero} est suspendu : la suspension doit être levée avant "
            "d'ouvrir son renouvellement"
        )
    return None


def renewal_candidates(campagne: Campagne, today: dt.date | None = None) -> list[Label]:
    """The labels to renew in `campagne`: the latest label of each structure the campaign's
    référentiel concerns, still valid on `today`, whose structure has no dossier in the campaign
    yet; soonest expiry first. Two queries."""
    today = today or timezone.localdate()
    later = Label.objects.filter(structure=OuterRef("structure"), date_fin__gt=OuterRef("date_fin"))
    labels: QuerySet[Label] = (
        Label.objects.filter(
            structure__type=campagne.referentiel.cible,
            structure__actif=True,
            statut=Label.Statut.VALIDE,
            date_fin__gte=today,
        )
        .exclude(Exists(later))
        .exclude(structure__dossiers__campagne=campagne)
        .select_related("structure", "decision__dossier__campagne")
        .order_by("date_fin", "structure__nom")
    )
    return list(labels)


class LabelRenewals:
    """campagnes.hooks.Renewals, from the labels of this app."""

    def current_label(self, structure: Structure) -> Label | None:
        return current_label(structure)

    def refusal(self, label: Label | None, today: dt.date) -> str | None:
        return renewal_refusal(label, today)

    def blocks_opening(self, label: Label | None, today: dt.date) -> bool:
        return (
            label is not None and label.statut == Label.Statut.SUSPENDU and label.date_fin >= today
        )

    def candidates(self, campagne: Campagne, today: dt.date) -> list[Label]:
        return renewal_candidates(campagne, today)

    def labelled_dossier(self, label: Label) -> Dossier:
        return label.decision.dossier
