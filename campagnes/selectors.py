"""Scoped reads on campaigns and dossiers."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from labelml.accounts.models import User
from labelml.structures.home import WorkItem, capped
from labelml.structures.roles import Capability
from labelml.structures.selectors import capabilities_for, is_national_admin, roles_for

from . import hooks
from .models import Campagne, Dossier

# What each role may do depends on the dossier's state: editing the self-assessment only makes
# sense while it is open, and so on. The view layer asks `dossier_capabilities`.
EDITABLE_AUTOEVALUATION = {Dossier.Statut.AUTOEVALUATION}
EDITABLE_PLAN = {Dossier.Statut.AUTOEVALUATION, Dossier.Statut.PLAN_AMELIORATION}
AUDIT_STATES = {
    Dossier.Statut.AUDIT_PLANIFIE,
    Dossier.Statut.AUDIT_EN_COURS,
    Dossier.Statut.REPONSE_STRUCTURE,
    Dossier.Statut.EN_COMMISSION,
    Dossier.Statut.LABELLISE,
    Dossier.Statut.LABELLISE_SOUS_RESERVE,
    Dossier.Statut.AJOURNE,
    Dossier.Statut.REFUSE,
}


# The référentiel's texts (preamble, values, principles: kilobytes of JSON) are never shown
# through a dossier; decoding them on every autosave was measurable.
_REFERENTIEL_TEXTS = (
    "campagne__referentiel__preambule",
    "campagne__referentiel__valeurs",
    "campagne__referentiel__principes",
)


def _with_relations(queryset: QuerySet[Dossier]) -> QuerySet[Dossier]:
    return queryset.select_related(
        "structure", "structure__parent", "campagne", "campagne__referentiel"
    ).defer(*_REFERENTIEL_TEXTS)


def dossiers_for_user(user: User | AnonymousUser) -> QuerySet[Dossier]:
    return _with_relations(Dossier.objects.for_user(user))


def get_dossier_for_user(
    user: User | AnonymousUser, pk: int, capability: Capability | None = None
) -> Dossier:
    """404 outside the user's scope (as for a missing dossier), 403 when the member lacks
    `capability` on the dossier's structure.

    Fast path, for every page and autosave of the structure's own people: the dossier is
    fetched by its key and granted at once when the user holds a role on its structure (a
    member, the ARML referent of its region, a national administrator: all inside the scope of
    `Dossier.objects.for_user`, and the roles are needed anyway for the capabilities). Only the
    others (auditors, commission members, grants) pay for the scope query."""
    if not user.is_authenticated or not user.is_active:
        raise Http404("Dossier introuvable.")
    dossier = _with_relations(Dossier.objects.filter(pk=pk)).first()
    if dossier is None or (
        not _in_scope_at_once(user, dossier)
        and not Dossier.objects.for_user(user).filter(pk=pk).exists()
    ):
        raise Http404("Dossier introuvable.")
    if capability is not None and capability not in dossier_capabilities(user, dossier):
        raise PermissionDenied("Votre rôle ne permet pas cette action sur ce dossier.")
    return dossier


def _in_scope_at_once(user: User, dossier: Dossier) -> bool:
    """What the capabilities need anyway proves the dossier is in the user's scope: a role on
    its structure, or a grant of the apps above (`hooks.dossier_grants`: the assigned auditor
    was granted the dossier by `audits.services.assign_audit`, the lead auditors of the body
    see their body's audits)."""
    if roles_for(user, dossier.structure):
        return True
    return any(grant(user, dossier) for grant in hooks.dossier_grants)


def dossier_capabilities(user: User | AnonymousUser, dossier: Dossier) -> frozenset[Capability]:
    """The member's capabilities on the dossier's structure plus those granted by the apps
    above (an audit assignment: `hooks.dossier_grants`), narrowed by the dossier's state."""
    caps = set(capabilities_for(user, dossier.structure))
    for grant in hooks.dossier_grants:
        caps |= grant(user, dossier)
    if dossier.statut not in EDITABLE_AUTOEVALUATION:
        caps -= {Capability.EDIT_AUTOEVALUATION, Capability.EDIT_ASSIGNED}
    if dossier.statut not in EDITABLE_PLAN:
        caps.discard(Capability.EDIT_PLAN)
    if dossier.statut != Dossier.Statut.AUTOEVALUATION:
        caps.discard(Capability.UPLOAD_PREUVE)
    if dossier.statut != Dossier.Statut.AUDIT_EN_COURS:
        caps.discard(Capability.RECORD_FINDINGS)
    if dossier.statut != Dossier.Statut.REPONSE_STRUCTURE:
        caps.discard(Capability.ANSWER_CONSTATS)
    return frozenset(caps)


def campagnes_for_admin(user: User | AnonymousUser) -> QuerySet[Campagne]:
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
            sql = f"SELECT statut FROM {Dossier._meta.db_table} WHERE id = %s FOR SHARE"  # noqa: S608  # nosec
            cursor.execute(sql, [dossier_id])
            row = cursor.fetchone()
    else:
        row = Dossier.objects.filter(pk=dossier_id).values_list("statut").first()
    if row is None:
        raise Dossier.DoesNotExist
    return str(row[0])


# The home's worklist (labelml.structures.home.register_worklist) ------------------------------

# The dossier's journey is over in these states: nothing late, nothing stuck.
FINAL_STATES = {
    Dossier.Statut.LABELLISE,
    Dossier.Statut.LABELLISE_SOUS_RESERVE,
    Dossier.Statut.AJOURNE,
    Dossier.Statut.REFUSE,
}
# A dossier whose journal has not moved for this long is flagged to its ARML as stuck.
STUCK_AFTER_DAYS = 30


def member_roles(user: User | AnonymousUser) -> dict[int, str]:
    """The user's role on each structure they belong to (one query)."""
    from labelml.structures.models import Membership

    if not user.is_authenticated:
        return {}
    # Kept on the user object: every app's worklist asks it during the same request.
    memo: dict[int, str] | None = user.__dict__.get("_member_roles")
    if memo is None:
        memo = dict(Membership.objects.filter(user_id=user.pk).values_list("structure_id", "role"))
        user.__dict__["_member_roles"] = memo
    return memo


def worklist(user: User | AnonymousUser) -> list[WorkItem]:
    """What campaigns and dossiers give the home's "À faire": to a lecteur, where each dossier
    of its structure stands and who acts next; to an ARML's référent labellisation, the
    dossiers of its region that are late (self-assessment past its closing date) or stuck (no
    step for STUCK_AFTER_DAYS days, after the self-assessment: while it is filled in, its answers
    are its activity and its closing date its deadline), with their last activity. Two queries
    at most."""
    from django.db.models import Max
    from django.urls import reverse
    from django.utils import timezone

    from labelml.structures.roles import Role

    from .path import next_actor

    roles = member_roles(user)
    items: list[WorkItem] = []
    readers = [pk for pk, role in roles.items() if role == Role.LECTEUR]
    armls = [pk for pk, role in roles.items() if role == Role.REFERENT_ARML]
    if readers:
        for d in _with_relations(Dossier.objects.filter(structure_id__in=readers)).order_by(
            "structure__nom", "-campagne__date_ouverture"
        ):
            items.append(
                WorkItem(
                    text=f"Suivre le dossier {d.structure.nom} : {d.get_statut_display()}",
                    url=reverse("campagnes:dossier_detail", args=[d.pk]),
                    detail=f"{d.campagne.nom}. {next_actor(d.statut)}",
                    group="Lecture",
                )
            )
    if armls:
        today = timezone.localdate()
        stuck_before = timezone.now() - dt.timedelta(days=STUCK_AFTER_DAYS)
        region = (
            _with_relations(Dossier.objects.filter(structure__parent_id__in=armls))
            .exclude(statut__in=FINAL_STATES)
            .annotate(last=Max("transitions__at"))
            .order_by("structure__nom")
        )
        flagged: list[WorkItem] = []
        for d in region:
            last = d.last or d.updated_at
            seen = f"dernière activité le {timezone.localdate(last):%d/%m/%Y}"
            if (
                d.statut == Dossier.Statut.AUTOEVALUATION
                and d.campagne.date_cloture_autoevaluation < today
            ):
                flagged.append(
                    WorkItem(
                        text=f"Dossier en retard : {d.structure.nom}, auto-évaluation non soumise",
                        url=reverse("campagnes:dossier_detail", args=[d.pk]),
                        due=d.campagne.date_cloture_autoevaluation,
                        detail=f"{d.campagne.nom} · {seen}",
                        group="Accompagnement de la région",
                    )
                )
            elif d.statut != Dossier.Statut.AUTOEVALUATION and last < stuck_before:
                days = (timezone.now() - last).days
                flagged.append(
                    WorkItem(
                        text=f"Dossier sans activité depuis {days} jours : {d.structure.nom} "
                        f"({d.get_statut_display()})",
                        url=reverse("campagnes:dossier_detail", args=[d.pk]),
                        detail=f"{d.campagne.nom} · {seen}. {next_actor(d.statut)}",
                        group="Accompagnement de la région",
                    )
                )
        items += capped(
            flagged,
            (
                "Et {n} autre dossier de la région à suivre (voir le tableau de bord régional)",
                "Et {n} autres dossiers de la région à suivre (voir le tableau de bord régional)",
            ),
            reverse("pilotage:pilotage_dashboard"),
            "Accompagnement de la région",
        )
    return items


# --- The support thread between a Mission Locale and its ARML ------------------------------------
#
# Who reads: whoever holds a role on the dossier's structure (its members, lecteur included; the
# référent labellisation of its ARML; the UNML administrators). Who writes: the ARML's referent
# (Capability.COMMENT) and the structure's quality referents and direction. An auditor, a
# commission member, another region's ARML: the thread does not exist for them (404), even when
# they see the dossier. See docs/decisions.md, "Who sees what".


def echanges_readable(user: User | AnonymousUser, dossier: Dossier) -> bool:
    return bool(roles_for(user, dossier.structure))


def get_dossier_for_echanges(user: User | AnonymousUser, pk: int, write: bool = False) -> Dossier:
    """The dossier whose thread `user` reads (404 otherwise); with `write`, 403 to a reader who
    may not write."""
    dossier = get_dossier_for_user(user, pk)
    if not echanges_readable(user, dossier):
        raise Http404("Dossier introuvable.")
    if write and Capability.COMMENT not in capabilities_for(user, dossier.structure):
        raise PermissionDenied("Votre rôle ne permet pas d'écrire dans les échanges avec l'ARML.")
    return dossier
