"""Roles of SPEC §2 and the capabilities each grants on its own structure.

The capability table is the single source of truth for "may this member do that": views and
services ask whether a capability is in the set a selector returns (a structure's, a dossier's,
a follow-up's, a séance's), never a role name.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    REFERENT_QUALITE = "referent_qualite", _("Référent qualité")
    CONTRIBUTEUR = "contributeur", _("Contributeur")
    DIRECTION = "direction", _("Direction")
    LECTEUR = "lecteur", _("Lecteur")
    REFERENT_ARML = "referent_arml", _("Référent labellisation ARML")
    ADMIN_UNML = "admin_unml", _("Administrateur UNML")


class Capability(StrEnum):
    VIEW = "view"
    EDIT_AUTOEVALUATION = "edit_autoevaluation"
    EDIT_ASSIGNED = "edit_assigned"
    EDIT_PLAN = "edit_plan"
    UPLOAD_PREUVE = "upload_preuve"
    INVITE = "invite"
    SUBMIT = "submit"
    ANSWER_CONSTATS = "answer_constats"
    COMMENT = "comment"
    ADMINISTER = "administer"
    ANSWER_SUIVI = "answer_suivi"  # the follow-up audit's file
    # Granted by an assignment (campagnes.selectors, audits.selectors, audits.suivis.selectors)
    # or a séance's seat (audits.commission.selectors: members vote, the chair decides).
    RECORD_FINDINGS = "record_findings"
    REVIEW_AUDIT = "review_audit"
    CONDUCT_AUDIT = "conduct_audit"  # the assigned auditor, whatever the dossier's state
    REVIEW_SUIVI = "review_suivi"
    SIT_COMMISSION = "sit_commission"
    CHAIR_SEANCE = "chair_seance"


_REFERENT = {
    Capability.VIEW,
    Capability.EDIT_AUTOEVALUATION,
    Capability.EDIT_ASSIGNED,
    Capability.EDIT_PLAN,
    Capability.UPLOAD_PREUVE,
    Capability.INVITE,
    Capability.ANSWER_SUIVI,
    Capability.COMMENT,  # answers its ARML in the dossier's support thread
}

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.REFERENT_QUALITE: frozenset(_REFERENT),
    Role.CONTRIBUTEUR: frozenset(
        {Capability.VIEW, Capability.EDIT_ASSIGNED, Capability.UPLOAD_PREUVE}
    ),
    Role.DIRECTION: frozenset(_REFERENT | {Capability.SUBMIT, Capability.ANSWER_CONSTATS}),
    Role.LECTEUR: frozenset({Capability.VIEW}),
    # On the MLs of its region (see selectors): support role, never edits.
    Role.REFERENT_ARML: frozenset({Capability.VIEW, Capability.COMMENT}),
    Role.ADMIN_UNML: frozenset({Capability.VIEW, Capability.INVITE, Capability.ADMINISTER}),
}

# Roles a member with INVITE may hand out on their own structure. The national roles are given
# by administrators only.
INVITABLE_BY_STRUCTURE = [Role.REFERENT_QUALITE, Role.CONTRIBUTEUR, Role.DIRECTION, Role.LECTEUR]
# Who may invite whom: the referent invites contributors and readers; the direction, any local role.
INVITABLE_BY_ROLE: dict[str, list[str]] = {
    Role.REFERENT_QUALITE: [Role.CONTRIBUTEUR, Role.LECTEUR],
    Role.DIRECTION: list(INVITABLE_BY_STRUCTURE),
}

ROLES_BY_STRUCTURE_TYPE: dict[str, set[str]] = {
    "mission_locale": set(INVITABLE_BY_STRUCTURE),
    "arml": set(INVITABLE_BY_STRUCTURE) | {Role.REFERENT_ARML},
    "unml": set(INVITABLE_BY_STRUCTURE) | {Role.ADMIN_UNML},
}
