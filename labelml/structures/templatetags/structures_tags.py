"""{% load structures_tags %}: links to a structure's pages only for those who may open them."""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.auth.models import AnonymousUser

from labelml.core.types import Actor
from labelml.structures.selectors import can_see_structure

register = template.Library()


@register.filter
def sees_structure(user: Actor | AnonymousUser, structure: Any) -> bool:
    """`{% if user|sees_structure:dossier.structure %}<a …>{% endif %}`"""
    if structure is None:
        return False
    return can_see_structure(user, structure)
