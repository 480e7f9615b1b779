""" "Pratiques remarquables du réseau" under each criterion of the référentiel's page and of the
self-assessment (registered as referentiel.hooks.critere_panels): where a référent needs them,
while writing. One query for the whole page, whatever the number of criteria."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from referentiel.models import Critere

from .models import Pratique

SHOWN = 3  # per criterion; the catalogue, filtered on the criterion, has the rest


def pratiques_du_reseau(user: Any, criteres: Sequence[Critere]) -> Mapping[int, SafeString]:
    if not getattr(user, "is_authenticated", False):
        return {}
    links = (
        Pratique.criteres.through.objects.filter(
            critere_id__in=[c.pk for c in criteres],
            pratique__in=Pratique.objects.shared_with_network(),
        )
        .select_related("pratique__structure")
        .order_by("-pratique__publiee_le", "pratique_id")
    )
    by_critere: dict[int, list[Pratique]] = {c.pk: [] for c in criteres}
    for link in links:
        by_critere[link.critere_id].append(link.pratique)
    return {
        c.pk: mark_safe(  # noqa: S308  # nosec B308 B703 # the output of a template: escaped
            render_to_string(
                "pratiques/_panel.html",
                {
                    "critere": c,
                    "pratiques": by_critere[c.pk][:SHOWN],
                    "total": len(by_critere[c.pk]),
                },
            )
        )
        for c in criteres
    }
