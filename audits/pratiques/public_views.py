"""Valorisation outside (no login): the public catalogue of the practices shared publicly, each
labelled structure's public page, and the SVG badge per label a Mission Locale puts on its
website. Everything reads the label's status and the practices' consent on each request and is
served `no-cache`: a suspension or a withdrawn consent shows at once."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from audits.commission.models import Label
from audits.commission.public_views import STATUS_LABELS
from labelml.structures.models import Structure

from . import selectors
from .models import Pratique

# What the badge says, and its colour class, per status of the label on the day.
BADGE = {
    "valide": ("Label valide", "valide"),
    "a_venir": ("Label valide", "valide"),
    "suspendu": ("Label suspendu", "suspendu"),
    "retire": ("Label retiré", "retire"),
    "expire": ("Label expiré", "expire"),
}


@never_cache
def catalogue(request: HttpRequest) -> HttpResponse:
    filters = selectors.parse_catalogue_filters(request.GET)
    page = Paginator(selectors.public_catalogue(filters), selectors.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "pratiques/catalogue.html",
        {"page": page, "filters": filters, **selectors.filter_choices(), "public": True},
    )


@never_cache
def pratique(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.with_relations(Pratique.objects.shared_publicly()).filter(pk=pk).first()
    if found is None:
        raise Http404("Pratique introuvable.")
    # Only a structure that holds or held a label has a public page to link to.
    has_page = found.structure.labels.exists()
    return render(
        request, "pratiques/public_detail.html", {"pratique": found, "structure_page": has_page}
    )


@never_cache
def structure(request: HttpRequest, code: str) -> HttpResponse:
    """A labelled structure's public page: holder, certificate, validity, its publicly shared
    practices. Only structures that hold or held a label have one."""
    found = Structure.objects.filter(code=code).exclude(type=Structure.Type.UNML).first()
    labels = list(found.labels.order_by("-date_debut", "-pk")) if found is not None else []
    if found is None or not labels:
        raise Http404("Aucune structure labellisée ne porte ce code.")
    today = timezone.localdate()
    current = labels[0]
    status = current.statut_le(today)
    return render(
        request,
        "pratiques/public_structure.html",
        {
            "structure": found,
            "label": current,
            "status": status,
            "status_label": STATUS_LABELS[status],
            "pratiques": selectors.with_relations(
                Pratique.objects.shared_publicly().filter(structure=found)
            ),
            "badge_url": request.build_absolute_uri(
                reverse("pratiques:label_badge", args=[current.numero])
            ),
            "verify_url": request.build_absolute_uri(
                reverse("commission:label_verify", args=[current.numero])
            ),
        },
    )


def badge(request: HttpRequest, numero: str) -> HttpResponse:
    """The label's badge (SVG), always current: valid, suspended, withdrawn or expired, as on
    the verification page it links to."""
    label = Label.objects.select_related("structure").filter(numero=numero.strip()).first()
    if label is None:
        raise Http404("Aucun label ne porte ce numéro.")
    status = label.statut_le(timezone.localdate())
    text, kind = BADGE[status]
    svg = render_to_string(
        "pratiques/badge.svg",
        {
            "label": label,
            "text": text,
            "kind": kind,
            "verify_url": request.build_absolute_uri(
                reverse("commission:label_verify", args=[label.numero])
            ),
        },
    )
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    # Embedded on other sites: revalidated on every display, never kept stale by a proxy.
    response["Cache-Control"] = "no-cache, max-age=0, must-revalidate"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
