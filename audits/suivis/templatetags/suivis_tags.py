from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

register = template.Library()


@register.inclusion_tag("suivis/_dossier_link.html", takes_context=True)
def suivi_link(context: dict[str, Any], dossier: Any) -> dict[str, Any]:
    """A link to the follow-up audit of a labelled dossier, for those who may see it (one
    query; nothing when there is none)."""
    from .. import selectors

    user = context.get("user")
    suivi = (
        selectors.suivis_for_user(user).filter(dossier=dossier).order_by("-pk").first()
        if user is not None
        else None
    )
    return {
        "suivi": suivi,
        "url": reverse("suivis:suivi_detail", args=[suivi.pk]) if suivi else "",
    }
