"""{% load structures_tags %}: links to a structure's pages only for those who may open them."""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.auth.models import AnonymousUser

from labelml.core.types import Actor
from labelml.structures.selectors import can_see_structure, roles_for

register = template.Library()


@register.filter
def sees_structure(user: Actor | AnonymousUser, structure: Any) -> bool:
    """`{% if user|sees_structure:dossier.structure %}<a …>{% endif %}`"""
    if structure is None:
        return False
    return can_see_structure(user, structure)


@register.filter
def has_role_on(user: Actor | AnonymousUser, structure: Any) -> bool:
    """Whether `user` holds a role on `structure` (its members, its ARML's referent, the UNML
    administrators): `{% if user|has_role_on:dossier.structure %}`."""
    if structure is None:
        return False
    return bool(roles_for(user, structure))
