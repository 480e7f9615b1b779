"""Writes on campaigns: create one, open it for structures (which creates their dossiers)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from referentiel.models import Element, Referentiel
from structures.models import Structure
from structures.selectors import is_national_admin

from .models import Campagne, Dossier, DossierTransition


@dataclass
class OpeningReport:
    created: list[Dossier]
    already: list[Structure]
    refused: list[tuple[Structure, str]]


def create_campagne(*, actor: Any, **fields: Any) -> Campagne:
    if not is_national_admin(actor):
        raise PermissionDenied("Seuls les administrateurs UNML créent les campagnes.")
    referentiel: Referentiel = fields["referentiel"]
    if not referentiel.is_published:
        raise ValidationError({"referentiel": "Choisissez une version publiée du référentiel."})
    if fields["date_cloture_autoevaluation"] < fields["date_ouverture"]:
        raise ValidationError(
            {"date_cloture_autoevaluation": "La clôture doit suivre l'ouverture de la campagne."}
        )
    campagne = Campagne(**fields)
    campagne.full_clean()
    campagne.save()
    return campagne


@transaction.atomic
def open_campagne(
    *, actor: Any, campagne: Campagne, structures: Iterable[Structure]
) -> OpeningReport:
    """Create the dossier of each structure (idempotent), with its empty self-assessment (one
    answer per element, one synthesis per criterion) and its improvement plan."""
    from autoevaluations.models import AutoEvaluation, Reponse, SyntheseCritere
    from plans.models import PlanAmelioration

    if not is_national_admin(actor):
        raise PermissionDenied("Seuls les administrateurs UNML ouvrent les campagnes.")
    report = OpeningReport(created=[], already=[], refused=[])
    existing = set(campagne.dossiers.values_list("structure_id", flat=True))
    elements = list(Element.objects.filter(referentiel=campagne.referentiel).only("pk"))
    criteres = list(campagne.referentiel.criteres.only("pk"))
    for structure in structures:
        if structure.pk in existing:
            report.already.append(structure)
            continue
        if structure.type != campagne.referentiel.cible:
            report.refused.append((structure, "le référentiel de la campagne ne la concerne pas"))
            continue
        dossier = Dossier.objects.create(campagne=campagne, structure=structure)
        autoevaluation = AutoEvaluation.objects.create(dossier=dossier)
        Reponse.objects.bulk_create(
            Reponse(autoevaluation=autoevaluation, element=e) for e in elements
        )
        SyntheseCritere.objects.bulk_create(
            SyntheseCritere(autoevaluation=autoevaluation, critere=c) for c in criteres
        )
        PlanAmelioration.objects.create(dossier=dossier)
        DossierTransition.objects.create(
            dossier=dossier,
            action="open",
            from_etat="",
            to_etat=dossier.etat,
            actor=actor,
            reason=f"Ouverture de la campagne « {campagne.nom} »",
        )
        report.created.append(dossier)
    return report
