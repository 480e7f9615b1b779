"""Public pages (no login): the registry of labelled structures and the verification page of a
certificate number, linked from the attestation's QR code (SPEC §7).

Both read the label's status on each request (an expired label is computed from the day, no job
runs) and are served with `Cache-Control: no-cache, no-store`: a suspension or a withdrawal shows
at once, no browser or proxy keeps an outdated "valide"."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from labelml.structures.models import Region

from .models import Label

STATUS_LABELS = {
    "valide": "Label valide",
    "expire": "Label expiré",
    "a_venir": "Label accordé (renouvellement), pas encore en vigueur",
    "suspendu": "Label suspendu",
    "retire": "Label retiré",
}


@never_cache
def registry(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    labels = (
        Label.objects.filter(statut=Label.Statut.VALIDE, date_debut__lte=today, date_fin__gte=today)
        .select_related("structure")
        .order_by("structure__region", "structure__nom")
    )
    region = request.GET.get("region", "")
    if region in Region.values:
        labels = labels.filter(structure__region=region)
    q = request.GET.get("q", "").strip()[:100]
    if q:
        labels = labels.filter(structure__nom__icontains=q)
    page = Paginator(labels, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "commission/public_registry.html",
        {
            "page": page,
            "regions": Region.choices,
            "region": region,
            "q": q,
        },
    )


@never_cache
def verify(request: HttpRequest, numero: str) -> HttpResponse:
    label = (
        Label.objects.select_related("structure", "decision").filter(numero=numero.strip()).first()
    )
    if label is None:
        # The app's own page, whatever the settings (with DEBUG on, raising Http404 would show
        # Django's technical page to the public): rendered here with its 404 status.
        return render(
            request, "commission/public_verify_unknown.html", {"numero": numero[:40]}, status=404
        )
    status = label.statut_le(timezone.localdate())
    since = None
    if status in (Label.Statut.SUSPENDU, Label.Statut.RETIRE):
        # The date of the change that put the label in its current status.
        since = (
            label.journal.filter(to_state=status)
            .order_by("-at", "-pk")
            .values_list("at", flat=True)
            .first()
        )
    return render(
        request,
        "commission/public_verify.html",
        {
            "label": label,
            "status": status,
            "status_label": STATUS_LABELS[status],
            "since": since,
        },
    )
