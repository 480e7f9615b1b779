"""Writes on campaigns: create one, open it for structures (which creates their dossiers), and
open renewal dossiers (SPEC §7b).

A structure that holds a label still in force when a campaign opens for it gets a renewal
dossier: its previous self-assessment (the last submitted version) is copied with every answer
to confirm, and the open actions of its plan carry over. Opening the campaign does this on its
own (`open_campagne`); `open_renewal` opens one renewal dossier explicitly and refuses, with the
reason, when there is nothing to renew.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from labelml.structures.models import Structure
from labelml.structures.selectors import is_national_admin
from referentiel.models import Critere, Element, Referentiel

from .models import Campagne, Dossier, DossierTransition


@dataclass
class OpeningReport:
    created: list[Dossier]
    already: list[Structure]
    refused: list[tuple[Structure, str]]
    # The dossiers of `created` that renew a label (they start from the previous one).
    renewals: list[Dossier] = field(default_factory=list)


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


def current_label(structure: Structure) -> Any:
    """The structure's latest label (the one a renewal would renew), or None."""
    from audits.commission.models import Label

    return (
        Label.objects.filter(structure=structure)
        .select_related("decision__dossier__campagne__referentiel")
        .order_by("-date_fin", "-pk")
        .first()
    )


def renewal_refusal(label: Any, today: dt.date) -> str | None:
    """Why `label` cannot be renewed on `today` (None when it can): a renewal continues a label
    still in force, before it expires."""
    from audits.commission.models import Label

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


def renewal_candidates(campagne: Campagne, today: dt.date | None = None) -> list[Any]:
    """The labels to renew in `campagne`: the latest label of each structure the campaign's
    référentiel concerns, still valid on `today`, whose structure has no dossier in the campaign
    yet; soonest expiry first. Two queries."""
    from audits.commission.models import Label

    today = today or timezone.localdate()
    later = Label.objects.filter(structure=OuterRef("structure"), date_fin__gt=OuterRef("date_fin"))
    labels: QuerySet[Any] = (
        Label.objects.filter(
            structure__type=campagne.referentiel.cible,
            structure__active=True,
            statut=Label.Statut.VALIDE,
            date_fin__gte=today,
        )
        .exclude(Exists(later))
        .exclude(structure__dossiers__campagne=campagne)
        .select_related("structure", "decision__dossier__campagne")
        .order_by("date_fin", "structure__nom")
    )
    return list(labels)


def _create_dossier(
    *,
    actor: Any,
    campagne: Campagne,
    structure: Structure,
    elements: list[Element],
    criteres: list[Any],
    label: Any = None,
) -> Dossier:
    """The dossier with its self-assessment (one answer per element, one synthesis per
    criterion) and its plan; for a renewal (`label` given), started from the labelled dossier."""
    from campagnes.autoevaluations.models import AutoEvaluation, Reponse, SyntheseCritere
    from campagnes.autoevaluations.services import copy_previous_autoevaluation
    from campagnes.plans.models import PlanAmelioration
    from campagnes.plans.services import carry_over_actions

    previous = label.decision.dossier if label is not None else None
    dossier = Dossier.objects.create(
        campagne=campagne, structure=structure, renouvellement_de=previous
    )
    autoevaluation = AutoEvaluation.objects.create(dossier=dossier)
    Reponse.objects.bulk_create(Reponse(autoevaluation=autoevaluation, element=e) for e in elements)
    SyntheseCritere.objects.bulk_create(
        SyntheseCritere(autoevaluation=autoevaluation, critere=c) for c in criteres
    )
    PlanAmelioration.objects.create(dossier=dossier)
    if previous is None:
        DossierTransition.objects.create(
            dossier=dossier,
            action="open",
            from_etat="",
            to_etat=dossier.etat,
            actor=actor,
            reason=f"Ouverture de la campagne « {campagne.nom} »",
        )
        return dossier
    copied = copy_previous_autoevaluation(dossier=dossier, previous=previous)
    carried = carry_over_actions(dossier=dossier, previous=previous, actor=actor)
    DossierTransition.objects.create(
        dossier=dossier,
        action="open_renewal",
        from_etat="",
        to_etat=dossier.etat,
        actor=actor,
        reason=(
            f"Renouvellement du label {label.numero} (valable jusqu'au "
            f"{label.date_fin:%d/%m/%Y}), campagne « {campagne.nom} » : {copied.reponses} "
            f"réponse(s) et {copied.syntheses} synthèse(s) reprises de la version "
            f"{copied.version or '—'} soumise, à confirmer ; {carried} action(s) du plan "
            "reprises."
        ),
    )
    return dossier


@transaction.atomic
def open_campagne(
    *, actor: Any, campagne: Campagne, structures: Iterable[Structure]
) -> OpeningReport:
    """Create the dossier of each structure (idempotent), with its empty self-assessment (one
    answer per element, one synthesis per criterion) and its improvement plan. A structure whose
    label is still in force gets a renewal dossier instead (see the module's docstring); one
    whose label is suspended is refused until the suspension is lifted."""
    from audits.commission.models import Label

    if not is_national_admin(actor):
        raise PermissionDenied("Seuls les administrateurs UNML ouvrent les campagnes.")
    report = OpeningReport(created=[], already=[], refused=[])
    existing = set(campagne.dossiers.values_list("structure_id", flat=True))
    elements = list(Element.objects.filter(referentiel=campagne.referentiel).only("pk"))
    # Not the reverse manager: its rows would each load their deferred referentiel_id (N+1).
    criteres = list(Critere.objects.filter(referentiel=campagne.referentiel).only("pk"))
    today = timezone.localdate()
    for structure in structures:
        if structure.pk in existing:
            report.already.append(structure)
            continue
        if structure.type != campagne.referentiel.cible:
            report.refused.append((structure, "le référentiel de la campagne ne la concerne pas"))
            continue
        label = current_label(structure)
        refusal = renewal_refusal(label, today)
        suspended = label is not None and label.statut == Label.Statut.SUSPENDU
        if refusal and suspended and label.date_fin >= today:
            report.refused.append((structure, refusal))
            continue
        dossier = _create_dossier(
            actor=actor,
            campagne=campagne,
            structure=structure,
            elements=elements,
            criteres=criteres,
            label=label if refusal is None else None,
        )
        report.created.append(dossier)
        if dossier.renouvellement_de_id:
            report.renewals.append(dossier)
    return report


@transaction.atomic
def open_renewal(*, actor: Any, campagne: Campagne, structure: Structure) -> Dossier:
    """Open the renewal dossier of `structure` in `campagne` (national administrators). Refused,
    with the reason, when the structure has no label in force to renew or already has a dossier
    in the campaign."""
    if not is_national_admin(actor):
        raise PermissionDenied("Seuls les administrateurs UNML ouvrent les renouvellements.")
    # Serialise with a concurrent opening of the same campaign (the unique constraint on
    # campaign and structure is the last guard).
    Campagne.objects.select_for_update().filter(pk=campagne.pk).first()
    if Dossier.objects.filter(campagne=campagne, structure=structure).exists():
        raise ValidationError(
            f"{structure.nom} a déjà un dossier dans la campagne « {campagne.nom} »."
        )
    if structure.type != campagne.referentiel.cible:
        raise ValidationError(
            f"Le référentiel {campagne.referentiel.label} ne concerne pas {structure.nom}."
        )
    label = current_label(structure)
    refusal = renewal_refusal(label, timezone.localdate())
    if refusal:
        raise ValidationError(f"Renouvellement impossible pour {structure.nom} : {refusal}.")
    return _create_dossier(
        actor=actor,
        campagne=campagne,
        structure=structure,
        elements=list(Element.objects.filter(referentiel=campagne.referentiel).only("pk")),
        criteres=list(Critere.objects.filter(referentiel=campagne.referentiel).only("pk")),
        label=label,
    )
