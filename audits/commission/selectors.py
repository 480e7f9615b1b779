"""Reads of the commission. Votes stay secret until the chair closes the vote."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from campagnes.models import Dossier
from labelml.accounts.models import User
from labelml.structures.models import MembreCommission, Structure
from labelml.structures.roles import Capability
from labelml.structures.selectors import is_national_admin

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
