from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("campagnes/_dossier_path.html")
def dossier_path(dossier: Any) -> dict[str, Any]:
    """The dossier's path (campagnes/path.py), on every page of a dossier."""
    from ..path import dossier_path as build

    return {"path": build(dossier), "dossier": dossier}
