"""The practice's steps (issue 18), each in one transaction through the one transition engine:
lock the row, check the right (PermissionDenied → 403) and the state (TransitionError), move or
log the step in the dossier's journal (campagnes.DossierTransition, subject "pratique").

    proposée ──consent──▶ consentie ──publish──▶ publiée
        │                     │  └──refuse──▶ refusée
        └──────────── withdraw_consent (any time, from any state but refusée) ──▶ retirée

The direction consents (within the network or publicly), changes the extent of its consent or
withdraws it at any time: a withdrawal takes the practice out of every list at once (the
catalogues read the state and the consent on each request). A consent given again after a
withdrawal goes back to the UNML's review.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from audits.models import Audit, Constat
from audits.selectors import assignment_capabilities
from campagnes.models import Dossier, DossierTransition
from labelml.accounts.models import User
from labelml.core.transitions import JournalTable, TransitionError, Workflow
from labelml.notifications.services import notify
from labelml.structures.models import Membership
from labelml.structures.roles import Capability, Role
from labelml.structures.selectors import capabilities_for
from referentiel.models import Critere

from .models import Pratique

Statut = Pratique.Statut
Consentement = Pratique.Consentement
POINT_FORT = "point_fort"

PRATIQUE = Workflow(
    Pratique,
    "statut",
    "la pratique",
    JournalTable(DossierTransition, "pratique", "statut", dossier="dossier_id"),
    related=("structure",),
    lock_of=("self",),
    touched=("updated_at",),
)


def proposer_source(user: User, dossier: Dossier) -> str | None:
    """Who `user` proposes as on `dossier`'s structure: the structure itself (its referent or
    direction), its ARML (the référent labellisation of its region); None if neither."""
    caps = capabilities_for(user, dossier.structure)
    if Capability.EDIT_AUTOEVALUATION in caps or Capability.SUBMIT in caps:
        return Pratique.Source.STRUCTURE
    if Capability.COMMENT in caps:
        return Pratique.Source.ARML
    return None


def can_propose_from(user: User, constat: Constat) -> bool:
    """The audit's own auditor proposes from a "point fort" finding of the report."""
    audit: Audit = constat.audit
    return (
        constat.niveau is not None
        and constat.niveau.code == POINT_FORT
        and Capability.CONDUCT_AUDIT in assignment_capabilities(user, audit)
    )


def propose(
    dossier: Dossier,
    actor: User,
    *,
    titre: str,
    description: str,
    criteres: Iterable[Critere],
    contact_nom: str,
    contact_email: str = "",
    resultats: str = "",
    publics: Iterable[str] = (),
    constat: Constat | None = None,
) -> Pratique:
    """Propose a practice of `dossier`'s structure: by the auditor from a "point fort" finding
    (`constat`), by the structure, or by its ARML."""
    if constat is not None:
        if constat.audit.dossier_id != dossier.pk or not can_propose_from(actor, constat):
            raise PermissionDenied("Seul l'auditeur de la mission propose depuis un point fort.")
        source: str = Pratique.Source.AUDIT
    else:
        found = proposer_source(actor, dossier)
        if found is None:
            raise PermissionDenied("Votre rôle ne permet pas de proposer une pratique.")
        source = found
    criteres = list(criteres)
    if not criteres:
        raise TransitionError("Choisissez au moins un critère du référentiel.")
    if any(c.referentiel_id != dossier.campagne.referentiel_id for c in criteres):
        raise TransitionError("Les critères doivent être ceux du référentiel de la campagne.")
    chosen = set(publics)
    with transaction.atomic():
        pratique = Pratique.objects.create(
            structure=dossier.structure,
            dossier=dossier,
            constat=constat,
            source=source,
            titre=titre.strip(),
            description=description.strip(),
            resultats=resultats.strip(),
            public_jeunes="jeunes" in chosen,
            public_partenaires="partenaires" in chosen,
            public_entreprises="entreprises" in chosen,
            contact_nom=contact_nom.strip(),
            contact_email=contact_email.strip(),
            propose_par=actor,
        )
        pratique.criteres.set(criteres)
        PRATIQUE.journal(pratique, actor, "propose", "", "")
        _tell(
            pratique,
            [Role.DIRECTION],
            f"Pratique remarquable proposée — {pratique.titre}",
            "La direction décide de son partage, dans le réseau ou publiquement.",
        )
    return pratique


def _tell(pratique: Pratique, roles: Iterable[str], titre: str, message: str = "") -> None:
    """Who acts next hears of it (after the commit, by e-mail too: notifications' services).
    `roles` on the practice's structure; "unml": the national administrators."""
    roles = set(roles)
    condition = Q(structure=pratique.structure, role__in=roles - {"unml"})
    if "unml" in roles:
        condition |= Q(role=Role.ADMIN_UNML, structure__type="unml")
    users = [m.user for m in Membership.objects.filter(condition).select_related("user")]
    notify(
        users,
        titre=titre,
        message=message,
        url=reverse("pratiques:pratique_detail", args=[pratique.pk]),
        dossier=pratique.dossier,
    )


def _require(actor: User, pratique: Pratique, capability: Capability, what: str) -> None:
    if capability not in capabilities_for(actor, pratique.structure):
        raise PermissionDenied(f"Votre rôle ne permet pas de {what}.")


def consent(pratique: Pratique, actor: User, consentement: str) -> Pratique:
    """The structure's direction consents to share the practice, within the network or
    publicly, or changes the extent of a consent already given (a published practice stays
    published: the UNML reviewed its content, not its audience)."""
    if consentement not in (Consentement.RESEAU, Consentement.PUBLIC):
        raise TransitionError("Choisissez un partage : dans le réseau ou public.")
    with transaction.atomic():
        pratique = PRATIQUE.lock(pratique.pk)
        _require(actor, pratique, Capability.SUBMIT, "consentir au partage de cette pratique")
        PRATIQUE.require_state(
            pratique,
            [Statut.PROPOSEE, Statut.CONSENTIE, Statut.PUBLIEE, Statut.RETIREE],
            "consentir au partage",
        )
        if pratique.consentement == consentement and pratique.statut != Statut.RETIREE:
            return pratique
        fields: dict[str, Any] = {
            "consentement": consentement,
            "consentement_par": actor,
            "consentement_le": timezone.now(),
        }
        action = f"consent_{consentement}"
        if pratique.statut == Statut.PUBLIEE:
            for name, value in fields.items():
                setattr(pratique, name, value)
            pratique.save(update_fields=[*fields, "updated_at"])
            PRATIQUE.log_step(pratique, actor, action)
        else:
            PRATIQUE.move(pratique, actor, action, Statut.CONSENTIE, **fields)
            _tell(pratique, ["unml"], f"Pratique à examiner — {pratique.titre}")
    return pratique


def withdraw_consent(pratique: Pratique, actor: User, reason: str = "") -> Pratique:
    """The direction withdraws its consent, at any time: the practice leaves every list, page and
    export at once."""
    with transaction.atomic():
        pratique = PRATIQUE.lock(pratique.pk)
        _require(actor, pratique, Capability.SUBMIT, "retirer le consentement")
        PRATIQUE.require_state(
            pratique,
            [Statut.PROPOSEE, Statut.CONSENTIE, Statut.PUBLIEE],
            "retirer le consentement",
        )
        PRATIQUE.move(
            pratique,
            actor,
            "withdraw_consent",
            Statut.RETIREE,
            reason.strip(),
            consentement=Consentement.AUCUN,
            consentement_par=actor,
            consentement_le=timezone.now(),
        )
    return pratique


def publish(pratique: Pratique, actor: User) -> Pratique:
    """The UNML publishes a practice the direction consented to share."""
    with transaction.atomic():
        pratique = PRATIQUE.lock(pratique.pk)
        _require(actor, pratique, Capability.ADMINISTER, "publier une pratique")
        PRATIQUE.require_state(pratique, [Statut.CONSENTIE], "publier la pratique")
        PRATIQUE.move(pratique, actor, "publish", Statut.PUBLIEE, publiee_le=timezone.now())
        _tell(
            pratique,
            [Role.DIRECTION, Role.REFERENT_QUALITE],
            f"Pratique publiée — {pratique.titre}",
        )
    return pratique


def refuse(pratique: Pratique, actor: User, reason: str) -> Pratique:
    """The UNML declines to publish (the reason is kept and shown to the structure)."""
    reason = (reason or "").strip()
    with transaction.atomic():
        pratique = PRATIQUE.lock(pratique.pk)
        _require(actor, pratique, Capability.ADMINISTER, "refuser une pratique")
        PRATIQUE.require_state(
            pratique, [Statut.PROPOSEE, Statut.CONSENTIE, Statut.PUBLIEE], "refuser la pratique"
        )
        if not reason:
            raise TransitionError("Indiquez le motif du refus : il est communiqué à la structure.")
        PRATIQUE.move(pratique, actor, "refuse", Statut.REFUSEE, reason)
        _tell(
            pratique,
            [Role.DIRECTION, Role.REFERENT_QUALITE],
            f"Pratique non publiée — {pratique.titre}",
            f"Motif : {reason}",
        )
    return pratique
