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
from django.urls import reverse
from django.utils import timezone

from labelml.accounts.models import User
from labelml.core.autosave import clean_text
from labelml.notifications.services import notify
from labelml.structures.models import Membership, Structure
from labelml.structures.roles import Capability, Role
from labelml.structures.selectors import capabilities_for, is_national_admin
from referentiel.models import Referentiel

from . import hooks
from .models import Campagne, Dossier, Echange
from .workflow import DOSSIER


@dataclass
class OpeningReport:
    created: list[Dossier]
    already: list[Structure]
    refused: list[tuple[Structure, str]]
    # The dossiers of `created` that renew a label (they start from the previous one).
    renewals: list[Dossier] = field(default_factory=list)


def create_campagne(*, actor: User, **fields: Any) -> Campagne:
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


def _create_dossier(
    *, actor: User, campagne: Campagne, structure: Structure, label: Any = None
) -> Dossier:
    """The dossier, with its first rows in the apps above (`hooks.dossier_opened`: the
    self-assessment, the plan); for a renewal (`label` given), started from the labelled
    dossier."""
    previous = hooks.renewals.get().labelled_dossier(label) if label is not None else None
    dossier = Dossier.objects.create(
        campagne=campagne, structure=structure, renouvellement_de=previous
    )
    carried = [
        phrase for opened in hooks.dossier_opened if (phrase := opened(dossier, previous, actor))
    ]
    if previous is None:
        reason = f"Ouverture de la campagne « {campagne.nom} »"
    else:
        reason = (
            f"Renouvellement du label {label.numero} (valable jusqu'au "
            f"{label.date_fin:%d/%m/%Y}), campagne « {campagne.nom} » : "
            + " ; ".join(carried)
            + "."
        )
    DOSSIER.journal(dossier, actor, "open" if previous is None else "open_renewal", "", reason)
    return dossier


@transaction.atomic
def open_campagne(
    *, actor: User, campagne: Campagne, structures: Iterable[Structure]
) -> OpeningReport:
    """Create the dossier of each structure (idempotent), with its empty self-assessment (one
    answer per element, one synthesis per criterion) and its improvement plan. A structure whose
    label is still in force gets a renewal dossier instead (see the module's docstring); one
    whose label is suspended is refused until the suspension is lifted."""
    if not is_national_admin(actor):
        raise PermissionDenied("Seuls les administrateurs UNML ouvrent les campagnes.")
    report = OpeningReport(created=[], already=[], refused=[])
    existing = set(campagne.dossiers.values_list("structure_id", flat=True))
    renewals = hooks.renewals.get()
    today = timezone.localdate()
    for structure in structures:
        if structure.pk in existing:
            report.already.append(structure)
            continue
        if structure.type != campagne.referentiel.cible:
            report.refused.append((structure, "le référentiel de la campagne ne la concerne pas"))
            continue
        label = renewals.current_label(structure)
        refusal = renewals.refusal(label, today)
        if refusal and renewals.blocks_opening(label, today):
            report.refused.append((structure, refusal))
            continue
        dossier = _create_dossier(
            actor=actor,
            campagne=campagne,
            structure=structure,
            label=label if refusal is None else None,
        )
        report.created.append(dossier)
        if dossier.renouvellement_de_id:
            report.renewals.append(dossier)
    return report


@transaction.atomic
def open_renewal(*, actor: User, campagne: Campagne, structure: Structure) -> Dossier:
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
    renewals = hooks.renewals.get()
    label = renewals.current_label(structure)
    refusal = renewals.refusal(label, timezone.localdate())
    if refusal:
        raise ValidationError(f"Renouvellement impossible pour {structure.nom} : {refusal}.")
    return _create_dossier(actor=actor, campagne=campagne, structure=structure, label=label)


def extend_closing(
    *, actor: User, campagne: Campagne, date_cloture: dt.date, motif: str
) -> Campagne:
    """The UNML extends the campaign's self-assessment closing date (never earlier: a closing
    brought forward would close self-assessments without warning). Journaled on each of the
    campaign's dossiers still in self-assessment (and every dossier's journal says so)."""
    if not is_national_admin(actor):
        raise PermissionDenied("Seuls les administrateurs UNML prolongent une campagne.")
    motif = (motif or "").strip()
    if not motif:
        raise ValidationError({"motif": "Indiquez le motif de la prolongation : il est conservé."})
    with transaction.atomic():
        campagne = Campagne.objects.select_for_update().get(pk=campagne.pk)
        before = campagne.date_cloture_autoevaluation
        if date_cloture <= before:
            raise ValidationError(
                {
                    "date_cloture": f"La nouvelle date de clôture doit suivre l'actuelle "
                    f"({before:%d/%m/%Y}) : une prolongation ne l'avance pas."
                }
            )
        if date_cloture > before + dt.timedelta(days=365):
            raise ValidationError({"date_cloture": "Une prolongation est d'un an au plus."})
        campagne.date_cloture_autoevaluation = date_cloture
        campagne.save(update_fields=["date_cloture_autoevaluation"])
        reason = (
            f"Clôture des auto-évaluations de la campagne « {campagne.nom} » prolongée du "
            f"{before:%d/%m/%Y} au {date_cloture:%d/%m/%Y} : {motif}"
        )
        for dossier in campagne.dossiers.select_related("structure", "campagne"):
            DOSSIER.log_step(dossier, actor, "extend_closing", reason)
    return campagne


def renewal_candidates(campagne: Campagne, today: dt.date | None = None) -> list[Any]:
    """The labels to renew in `campagne` (see `hooks.Renewals.candidates`)."""
    return hooks.renewals.get().candidates(campagne, today or timezone.localdate())


# --- The support thread between a Mission Locale and its ARML ------------------------------------


def post_echange(dossier: Dossier, actor: User, texte: str) -> Echange:
    """A message in the dossier's support thread: the ARML's référent labellisation writes, the
    structure's quality referents and direction answer (Capability.COMMENT). The other side is
    told (a notification with the link to the thread)."""
    texte = clean_text(texte).strip()
    if not texte:
        raise ValidationError("Écrivez votre message.")
    structure = dossier.structure
    if Capability.COMMENT not in capabilities_for(actor, structure):
        raise PermissionDenied("Votre rôle ne permet pas d'écrire dans les échanges avec l'ARML.")
    own = Membership.objects.filter(
        user_id=actor.pk,
        structure_id=structure.pk,
        role__in=[Role.REFERENT_QUALITE, Role.DIRECTION],
    ).exists()
    cote = Echange.Cote.STRUCTURE if own else Echange.Cote.ARML
    with transaction.atomic():
        echange = Echange.objects.create(dossier=dossier, auteur=actor, cote=cote, texte=texte)
        if cote == Echange.Cote.ARML:
            recipients = User.objects.filter(
                memberships__structure_id=structure.pk,
                memberships__role__in=[Role.REFERENT_QUALITE, Role.DIRECTION],
            )
            titre = f"Message de votre ARML sur le dossier {dossier.campagne.nom}"
        else:
            recipients = User.objects.filter(
                memberships__structure_id__in=[structure.parent_id or 0],
                memberships__role=Role.REFERENT_ARML,
            )
            titre = f"Réponse de {structure.nom} dans les échanges d'accompagnement"
        notify(
            [u for u in recipients.distinct() if u.pk != actor.pk],
            titre=titre,
            message=texte[:300],
            url=reverse("campagnes:dossier_echanges", args=[dossier.pk]),
            dossier=dossier,
        )
    return echange
