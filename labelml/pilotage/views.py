"""The steering dashboard (SPEC §9): one page for the UNML (every region) and for an ARML (its
region only, enforced on the server by the scope). Figures come from labelml.pilotage.selectors in a
fixed number of queries; the charts are drawn by static/js/pilotage.js from a JSON block, and
every chart has its data table next to it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audits.pratiques.positionnement import positionnement
from labelml.core.types import HtmxHttpRequest
from labelml.structures.models import Region

from . import selectors
from .scope import filter_choices, parse_filters, scope_for_user


def _float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def chart_data(data: selectors.Dashboard) -> dict[str, Any]:
    """What the charts draw, as plain JSON (rendered with json_script, read by pilotage.js)."""
    statuts = data.regions.statuts
    # States nobody is in would only clutter the legend of the region chart.
    used = [i for i, total in enumerate(data.regions.totals) if total]
    levels = data.niveaux
    return {
        "statuts": {
            "codes": [r.statut for r in data.statuts.rows],
            "labels": [r.label for r in data.statuts.rows],
            "values": [r.count for r in data.statuts.rows],
        },
        "regions": {
            "labels": [r.label for r in data.regions.rows],
            "datasets": [
                {
                    "code": statuts[i][0],
                    "label": statuts[i][1],
                    "data": [r.counts[i] for r in data.regions.rows],
                }
                for i in used
            ],
        },
        "semaines": {
            "labels": [w.semaine.isoformat() for w in data.semaines],
            "autoevaluations": [w.autoevaluations_cumul for w in data.semaines],
            "audits": [w.audits_cumul for w in data.semaines],
            "decisions": [w.decisions_cumul for w in data.semaines],
        },
        "sections": {
            "labels": [s.code for s in levels.sections],
            "titles": [s.titre for s in levels.sections],
            "autoevaluation": [_float(s.autoevaluation) for s in levels.sections],
            "audit": [_float(s.audit) for s in levels.sections],
        },
        "criteres": {
            "labels": [c.code for c in levels.criteres],
            "titles": [c.titre for c in levels.criteres],
            "autoevaluation": [_float(c.autoevaluation) for c in levels.criteres],
            "audit": [_float(c.audit) for c in levels.criteres],
        },
        "ecarts": {
            "labels": [g.code for g in data.ecarts],
            "titles": [g.titre for g in data.ecarts],
            "mineurs": [g.mineurs for g in data.ecarts],
            "majeurs": [g.majeurs for g in data.ecarts],
        },
    }


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    scope = scope_for_user(request.user)  # 404 for anyone who steers nothing
    filters = parse_filters(request.GET, scope)  # 404 outside the scope
    data = selectors.dashboard(scope, filters)
    labels = dict(Region.choices)
    return render(
        request,
        "pilotage/dashboard.html",
        {
            "scope": scope,
            "filters": filters,
            "region_label": str(labels[filters.region]) if filters.region else "",
            **filter_choices(scope),
            "data": data,
            "charts": chart_data(data),
        },
    )


@login_required
def repartition(request: HtmxHttpRequest) -> HttpResponse:
    """The distribution of the Missions Locales' levels (median and quartiles by part and
    criterion; issue 18): the same figures as a structure's "Se situer", never over fewer than
    five structures, never a name. Its own page, and loaded into the dashboard by htmx (the
    dashboard keeps its query budget). The region: the filter's, or an ARML's only one."""
    scope = scope_for_user(request.user)  # 404 for anyone who steers nothing
    filters = parse_filters(request.GET, scope)
    only_region = scope.regions[0] if not scope.national and len(scope.regions) == 1 else None
    context = {
        "scope": scope,
        "filters": filters,
        **filter_choices(scope),
        "positionnement": positionnement(filters.campagne, region=filters.region or only_region),
    }
    if request.htmx:
        return render(request, "pilotage/_repartition.html", context)
    return render(request, "pilotage/repartition.html", context)
