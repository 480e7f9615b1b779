"""The dossier's workflow engine (SPEC §3): the steps themselves live in the app whose rows they
change (self-assessment, plan, audit, commission), and all go through these helpers.

A step takes the dossier and the actor and, in one transaction: locks the dossier row
(`locked_dossier`), checks the actor's right (`require_capability`, PermissionDenied → 403) and
the state (`require_state`, TransitionError with a French message), applies its change with
`update_fields`, moves the dossier (`move`) or records a step that keeps the state (`log_step`):
one `DossierTransition` row each (who, when, from, to, reason). Notifications are queued and
sent after commit. Nothing half-applies. The generic part is the engine every workflow shares
(labelml.core.transitions.Workflow); this module says what is the dossier's own.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from labelml.accounts.models import User
from labelml.core.transitions import JournalTable, MissingItem, TransitionError, Workflow
from labelml.notifications.services import notify_structure
from labelml.structures.roles import Capability
from labelml.structures.selectors import capabilities_for

from .models import Dossier, DossierTransition

Statut = Dossier.Statut

__all__ = [
    "MissingItem",
    "TransitionError",
    "locked_dossier",
    "log_step",
    "move",
    "reopen_autoevaluation",
    "require_capability",
    "require_state",
]


DOSSIER = Workflow(
    Dossier,
    "statut",
    "le dossier",
    JournalTable(DossierTransition, "dossier", "statut", dossier="pk"),
    related=("structure", "campagne"),
    touched=("updated_at",),
)


def locked_dossier(dossier: Dossier) -> Dossier:
    return DOSSIER.lock(dossier.pk)


def require_capability(actor: User, dossier: Dossier, capability: Capability, what: str) -> None:
    if capability not in capabilities_for(actor, dossier.structure):
        raise PermissionDenied(f"Votre rôle ne permet pas de {what}.")


require_state = DOSSIER.require_state
move = DOSSIER.move
log_step = DOSSIER.log_step


def reopen_autoevaluation(dossier: Dossier, actor: User, reason: str) -> Dossier:
    """An administrator sends the dossier back to the self-assessment; the reason is logged.
    The submitted snapshot stays as it was; the next submission creates a new one."""
    reason = (reason or "").strip()
    with transaction.atomic():
        dossier = locked_dossier(dossier)
        require_capability(actor, dossier, Capability.ADMINISTER, "rouvrir l'auto-évaluation")
        require_state(
            dossier,
            [Statut.PLAN_AMELIORATION, Statut.AUDIT_A_PLANIFIER],
            "rouvrir l'auto-évaluation",
        )
        if not reason:
            raise TransitionError("Indiquez le motif de la réouverture : il est conservé.")
        move(dossier, actor, "reopen_autoevaluation", Statut.AUTOEVALUATION, reason)
        notify_structure(
            dossier,
            titre=f"Auto-évaluation rouverte — {dossier.structure.nom}",
            message=f"Motif : {reason}",
        )
    return dossier
