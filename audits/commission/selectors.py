"""Reads of the commission. Votes stay secret until the chair closes the vote."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q

from audits.models import Audit, Constat
from audits.selectors import Comparison, audit_for_dossier, comparison, demande
from audits.selectors import gaps as audit_gaps
from campagnes.models import Dossier, DossierTransition
from campagnes.plans.models import Action
from labelml.accounts.models import User
from labelml.structures.models import MembreCommission, Structure
from labelml.structures.roles import Capability
from labelml.structures.selectors import is_national_admin
from referentiel.models import Niveau

from .models import PointOrdreDuJour, Seance, Vote


def agenda_dossiers(user: User) -> Q:
    """campagnes.hooks.dossier_scopes: commission members read the dossiers on the agenda of
    the séances they sit on."""
    return Q(
        pk__in=Dossier.objects.filter(
            points_commission__seance__membres__user=user,
            points_commission__seance__membres__actif=True,
        ).values("pk")
    )


def sitting_member(user: User | AnonymousUser, seance: Seance) -> MembreCommission | None:
    """The user's row as an active member sitting at `seance`, or None (kept on the séance
    object: a page or a service asks it again)."""
    memo: dict[Any, MembreCommission | None] = seance.__dict__.setdefault("_sitting", {})
    pk = getattr(user, "pk", None)
    if pk not in memo:
        memo[pk] = seance.membres.filter(user_id=pk or 0, actif=True).first()
    return memo[pk]


def seance_capabilities(user: User | AnonymousUser, seance: Seance) -> frozenset[Capability]:
    """What `user` may do at `seance`: its active members sit (vote, declare a conflict of
    interest: SIT_COMMISSION); its chair closes the votes and records the decisions
    (CHAIR_SEANCE)."""
    caps = {Capability.SIT_COMMISSION} if sitting_member(user, seance) is not None else set()
    if seance.president.user_id == getattr(user, "pk", None):
        caps.add(Capability.CHAIR_SEANCE)
    return frozenset(caps)


def visible_votes(point: PointOrdreDuJour, user: User | AnonymousUser) -> list[Vote]:
    """The individual votes of a dossier: nobody sees them before the vote is closed."""
    if point.vote != PointOrdreDuJour.Vote.CLOS:
        return []
    return list(point.votes.select_related("membre__user"))


def own_vote(point: PointOrdreDuJour, user: User | AnonymousUser) -> Vote | None:
    """A member sees their own vote (to change it) while the vote is open."""
    return point.votes.filter(membre__user_id=getattr(user, "pk", 0) or 0).first()


def labels_expiring(within_days: int = 183) -> Any:
    """Valid labels whose validity ends within about six months: flagged to the UNML."""
    import datetime as dt

    from django.utils import timezone

    from .models import Label

    today = timezone.localdate()
    return (
        Label.objects.filter(
            statut=Label.Statut.VALIDE,
            date_fin__gte=today,
            date_fin__lte=today + dt.timedelta(days=within_days),
        )
        .select_related("structure")
        .order_by("date_fin")
    )


def labels_for(user: User | AnonymousUser) -> Any:
    """The labels `user` may read in the application (beyond the public page): national
    administrators and active commission members, all; others, the labels of the structures
    they may see (their own, their ARML's Missions Locales). Fails closed."""
    from .models import Label

    if not user.is_authenticated or not user.is_active:
        return Label.objects.none()
    if (
        is_national_admin(user)
        or MembreCommission.objects.filter(user_id=user.pk, actif=True).exists()
    ):
        return Label.objects.all()
    return Label.objects.filter(structure__in=Structure.objects.for_user(user).values("pk"))


# --- The decision-ready item page -------------------------------------------------------------


@dataclass
class FindingClass:
    """A class of findings (a level of the audit scale) and its criteria."""

    niveau: Niveau | None  # None: not rated
    constats: list[Constat]


@dataclass
class DecisionFile:
    """All a commission member reads before voting on an item, in a fixed number of queries
    whatever the size of the dossier."""

    audit: Audit | None
    comparison: Comparison | None
    classes: list[FindingClass]
    gaps: list[Constat]
    plan_counts: list[tuple[str, int]]
    plan_total: int
    demande: DossierTransition | None


def decision_file(point: PointOrdreDuJour) -> DecisionFile:
    dossier = point.dossier
    audit = audit_for_dossier(dossier)
    comp: Comparison | None = None
    classes: list[FindingClass] = []
    gap_rows: list[Constat] = []
    if audit is not None:
        constats = list(
            audit.constats.select_related("critere", "niveau").order_by("critere__ordre")
        )
        comp = comparison(dossier, audit, constats=constats)
        by_niveau: dict[int | None, FindingClass] = {}
        for c in constats:
            by_niveau.setdefault(c.niveau_id, FindingClass(c.niveau, [])).constats.append(c)
        # The gaps first (the lowest levels), unrated last.
        classes = sorted(
            by_niveau.values(),
            key=lambda k: (k.niveau is None, k.niveau.valeur if k.niveau else 0),
        )
        gap_rows = list(audit_gaps(audit))
    counts = dict(
        Action.objects.filter(plan__dossier=dossier)
        .values_list("statut")
        .annotate(n=Count("pk"))
        .values_list("statut", "n")
    )
    plan_counts = [(str(label), counts.get(value, 0)) for value, label in Action.Statut.choices]
    return DecisionFile(
        audit=audit,
        comparison=comp,
        classes=classes,
        gaps=gap_rows,
        plan_counts=plan_counts,
        plan_total=sum(counts.values()),
        demande=demande(dossier),
    )
