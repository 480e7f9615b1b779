"""Scoped reads on campaigns and dossiers."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from structures.roles import Capability
from structures.selectors import capabilities_for, is_national_admin

from .models import Campagne, Dossier

# What each role may do depends on the dossier's state: editing the self-assessment only makes
# sense while it is open, and so on. The view layer asks `dossier_capabilities`.
EDITABLE_AUTOEVALUATION = {Dossier.Etat.AUTOEVALUATION}
EDITABLE_PLAN = {Dossier.Etat.AUTOEVALUATION, Dossier.Etat.PLAN_AMELIORATION}
AUDIT_STATES = {
    Dossier.Etat.AUDIT_PLANIFIE,
    Dossier.Etat.AUDIT_EN_COURS,
    Dossier.Etat.REPONSE_STRUCTURE,
    Dossier.Etat.EN_COMMISSION,
    Dossier.Etat.LABELLISE,
    Dossier.Etat.LABELLISE_SOUS_RESERVE,
    Dossier.Etat.AJOURNE,
    Dossier.Etat.REFUSE,
}


def dossiers_for_user(user: Any) -> QuerySet[Dossier]:
    return Dossier.objects.for_user(user).select_related(
        "structure", "structure__parent", "campagne", "campagne__referentiel"
    )


def get_dossier_for_user(user: Any, pk: int, capability: Capability | None = None) -> Dossier:
    """404 outside the user's scope (as for a missing dossier), 403 when the member lacks
    `capability` on the dossier's structure."""
    dossier = dossiers_for_user(user).filter(pk=pk).first()
    if dossier is None:
        raise Http404("Dossier introuvable.")
    if capability is not None and capability not in dossier_capabilities(user, dossier):
        raise PermissionDenied("Votre rôle ne permet pas cette action sur ce dossier.")
    return dossier


def audit_capabilities(user: Any, dossier: Dossier) -> set[Capability]:
    """What the audit assignment gives: the assigned auditor records findings, the lead
    auditors of the body review the report. Both read the dossier."""
    from audits.models import Audit

    if not getattr(user, "is_authenticated", False):
        return set()
    from django.db.models import Exists, OuterRef

    from structures.models import Auditeur

    # One query: the audit's assigned auditor and whether the user leads its body.
    row = (
        Audit.objects.filter(dossier=dossier)
        .annotate(
            is_lead=Exists(
                Auditeur.objects.filter(
                    organisme_id=OuterRef("organisme_id"), user=user, est_referent=True
                )
            )
        )
        .values("auditeur__user_id", "is_lead")
        .first()
    )
    if row is None:
        return set()
    caps: set[Capability] = set()
    if row["auditeur__user_id"] == user.pk:
        caps |= {Capability.VIEW, Capability.RECORD_FINDINGS}
    # A lead auditor never reviews a report of their own.
    elif row["is_lead"]:
        caps |= {Capability.VIEW, Capability.REVIEW_AUDIT}
    return caps


def dossier_capabilities(user: Any, dossier: Dossier) -> frozenset[Capability]:
    """The member's capabilities on the dossier's structure, narrowed by the dossier's state,
    plus those of an audit assignment."""
    caps = set(capabilities_for(user, dossier.structure))
    if dossier.etat in AUDIT_STATES:
        caps |= audit_capabilities(user, dossier)
    if dossier.etat not in EDITABLE_AUTOEVALUATION:
        caps -= {Capability.EDIT_AUTOEVALUATION, Capability.EDIT_ASSIGNED}
    if dossier.etat not in EDITABLE_PLAN:
        caps.discard(Capability.EDIT_PLAN)
    if dossier.etat != Dossier.Etat.AUTOEVALUATION:
        caps.discard(Capability.UPLOAD_PREUVE)
    if dossier.etat != Dossier.Etat.AUDIT_EN_COURS:
        caps.discard(Capability.RECORD_FINDINGS)
    if dossier.etat != Dossier.Etat.REPONSE_STRUCTURE:
        caps.discard(Capability.ANSWER_CONSTATS)
    return frozenset(caps)


def campagnes_for_admin(user: Any) -> QuerySet[Campagne]:
    if not is_national_admin(user):
        return Campagne.objects.none()
    return Campagne.objects.select_related("referentiel")


def lock_state_for_write(dossier_id: int) -> str:
    """The dossier's state, read under a shared row lock (PostgreSQL `FOR SHARE`).

    Saves of answers and findings take it: they do not block one another, but a transition
    (which locks the dossier `FOR UPDATE`) waits for the saves in flight, and a save that comes
    after a transition sees its new state. So no save can land in a self-assessment or a report
    once it has been submitted. Django's `select_for_update` has no shared mode, hence raw SQL.
    SQLite serialises writes anyway."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Bandit B608 accepted: the table name is the model's own, the id a bound parameter.
            sql = f"SELECT etat FROM {Dossier._meta.db_table} WHERE id = %s FOR SHARE"  # noqa: S608  # nosec
            cursor.execute(sql, [dossier_id])
            row = cursor.fetchone()
    else:
        row = Dossier.objects.filter(pk=dossier_id).values_list("etat").first()
    if row is None:
        raise Dossier.DoesNotExist
    return str(row[0])
