"""Scoped reads on tenants. Every view reaches a structure through these functions."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from labelml.core.types import Actor

from .roles import ROLE_CAPABILITIES, Capability, Role
from .security import security_profile


def is_national_admin(user: Actor | AnonymousUser) -> bool:
    """Superusers and members of the UNML with the administrator role."""
    if not user.is_authenticated:
        return False
    return security_profile(user).is_national_admin


def visible_structures_q(user: Actor | AnonymousUser) -> Q | None:
    """The condition selecting the structures `user` may see, or None for nothing.

    Sub-queries (pk__in) rather than joins: no duplicate rows, no DISTINCT, and the guardian
    grants are read from the direct foreign key table, not the generic one.
    """
    from .models import Membership, StructureUserObjectPermission

    if not user.is_authenticated or not user.is_active:
        return None
    if is_national_admin(user):
        return Q()
    own = Membership.objects.filter(user=user).values("structure_id")
    region_of_arml = Membership.objects.filter(
        user=user, role=Role.REFERENT_ARML, structure__type="arml"
    ).values("structure_id")
    granted = StructureUserObjectPermission.objects.filter(
        user=user, permission__codename="view_structure"
    ).values("content_object_id")
    return Q(pk__in=own) | Q(parent_id__in=region_of_arml) | Q(pk__in=granted)


def roles_for(user: Actor | AnonymousUser, structure: Any) -> set[str]:
    """The roles `user` holds on `structure`, including the ARML's role on its MLs."""
    from .models import Membership

    if not user.is_authenticated:
        return set()
    cache: dict[int, set[str]] = user.__dict__.setdefault("_roles_cache", {})
    if structure.pk in cache:
        return cache[structure.pk]
    condition = Q(structure_id=structure.pk)
    if structure.parent_id:
        condition |= Q(structure_id=structure.parent_id, role=Role.REFERENT_ARML)
    roles = set(Membership.objects.filter(condition, user=user).values_list("role", flat=True))
    if is_national_admin(user):
        roles.add(Role.ADMIN_UNML)
    cache[structure.pk] = roles
    return roles


def capabilities_for(user: Actor | AnonymousUser, structure: Any) -> frozenset[Capability]:
    caps: set[Capability] = set()
    for role in roles_for(user, structure):
        caps |= ROLE_CAPABILITIES.get(role, frozenset())
    return frozenset(caps)


def has_capability(user: Actor | AnonymousUser, structure: Any, capability: Capability) -> bool:
    return capability in capabilities_for(user, structure)


def can_see_structure(user: Actor | AnonymousUser, structure: Any) -> bool:
    """Whether the structure's page opens for `user` (so that a page links to it only then).
    A role on the structure settles it without a query of its own (the roles are asked by the
    page anyway); the others, an auditor say, take the scope's."""
    from .models import Structure

    if roles_for(user, structure):
        return True
    return Structure.objects.for_user(user).filter(pk=structure.pk).exists()


def structures_for_user(user: Actor | AnonymousUser) -> QuerySet[Any]:
    from .models import Structure

    return Structure.objects.for_user(user).select_related("parent")


def get_structure_for_user(
    user: Actor | AnonymousUser, pk: int, capability: Capability | None = None
) -> Any:
    """Fetch a structure the user may see: 404 outside their scope (like a missing one), 403
    when they may see it but lack `capability`."""
    structure = structures_for_user(user).filter(pk=pk).first()
    if structure is None:
        raise Http404("Structure introuvable.")
    if capability is not None and not has_capability(user, structure, capability):
        raise PermissionDenied("Votre rôle ne permet pas cette action sur cette structure.")
    return structure


def requires_two_factor(user: Actor | AnonymousUser) -> bool:
    """SPEC §2: TOTP is mandatory for auditors, commission members and administrators."""
    if not user.is_authenticated:
        return False
    return user.is_staff or security_profile(user).requires_two_factor
