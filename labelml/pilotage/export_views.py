"""Exports pages (SPEC §9): CSV streamed straight from the database, XLSX prepared by a Celery
task and downloaded from the list. Every view starts from the steering scope: anyone who steers
nothing, and anything outside the scope, answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from labelml.accounts.models import User
from labelml.core import jobs
from labelml.core.errors import missing_file
from labelml.core.security import protect_download
from labelml.core.types import AuthenticatedHttpRequest, HtmxHttpRequest

from .exports import DATASETS, csv_chunks, export_filename
from .models import Export
from .scope import Scope, dossiers_in_scope, filter_choices, parse_filters, scope_for_user
from .services import request_export, retry_export, scope_from_snapshot

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SERVICE_UNAVAILABLE = jobs.SERVICE_UNAVAILABLE.format(what="export")


def _exports_of(user: User) -> list[Export]:
    return list(Export.objects.filter(requested_by=user)[:20])


def _page_url(querystring: str) -> str:
    url = reverse("pilotage:pilotage_exports")
    return f"{url}?{querystring}" if querystring else url


@login_required
@require_GET
def exports(request: AuthenticatedHttpRequest) -> HttpResponse:
    scope = scope_for_user(request.user)
    exports = _exports_of(request.user)
    listing = {
        "exports": exports,
        "pending": any(e.pending for e in exports),
        "delayed": any(e.waiting_for_service for e in exports),
        "service_unavailable": SERVICE_UNAVAILABLE,
    }
    if request.htmx:
        return render(request, "pilotage/_exports_list.html", listing)
    filters = parse_filters(request.GET, scope)
    return render(
        request,
        "pilotage/exports.html",
        {
            "scope": scope,
            "filters": filters,
            "querystring": filters.querystring(),
            **filter_choices(scope),
            "datasets": list(DATASETS.values()),
            "dossier_count": dossiers_in_scope(scope, filters).count(),
            **listing,
        },
    )


@login_required
@require_GET
def export_csv(request: HtmxHttpRequest, dataset: str) -> StreamingHttpResponse:
    scope = scope_for_user(request.user)
    filters = parse_filters(request.GET, scope)
    spec = DATASETS.get(dataset)
    if spec is None:
        raise Http404("Export introuvable.")
    # The queryset is lazy: its single query runs while the response streams.
    dossiers = dossiers_in_scope(scope, filters)
    response = StreamingHttpResponse(
        csv_chunks(spec, dossiers), content_type="text/csv; charset=utf-8"
    )
    filename = export_filename(dataset, filters.campagne, filters.region, "csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    protect_download(response)
    return response


@login_required
@require_POST
def export_request(request: AuthenticatedHttpRequest) -> HttpResponse:
    scope = scope_for_user(request.user)
    filters = parse_filters(request.POST, scope)
    try:
        export = request_export(
            user=request.user,
            scope=scope,
            filters=filters,
            dataset=request.POST.get("dataset", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if export.waiting_for_service:
            messages.warning(request, SERVICE_UNAVAILABLE)
        else:
            messages.success(
                request, "Export demandé : le fichier Excel sera prêt dans quelques instants."
            )
    return redirect(_page_url(filters.querystring()))


def _export_for(user: User, scope: Scope, pk: int) -> Export:
    """The requester's own export, or any export for a national administrator; 404 otherwise
    (also when the requester no longer steers what the export covers)."""
    export = get_object_or_404(Export, pk=pk)
    if scope.national:
        return export
    if export.requested_by_id != user.pk:
        raise Http404("Export introuvable.")
    saved = scope_from_snapshot(export.scope)
    if saved.national or not set(saved.armls) <= set(scope.armls):
        raise Http404("Export introuvable.")
    return export


@login_required
@require_GET
def export_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse | HttpResponse:
    scope = scope_for_user(request.user)
    export = _export_for(request.user, scope, pk)
    if export.statut != Export.Statut.READY or not export.fichier:
        raise Http404("Cet export n'est pas prêt.")
    try:
        handle = export.fichier.open("rb")
    except (FileNotFoundError, ValueError):
        # Said ready but gone from the storage (purged, another bucket): not a server error.
        return missing_file(
            request, "Le fichier de cet export est introuvable : demandez-en un nouveau."
        )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=export.filename,
        content_type=XLSX_TYPE,
    )
    protect_download(response)
    return response


@login_required
@require_POST
def export_retry(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    scope = scope_for_user(request.user)
    export = _export_for(request.user, scope, pk)
    export = retry_export(export=export)
    if export.waiting_for_service:
        messages.warning(request, SERVICE_UNAVAILABLE)
    else:
        messages.success(request, "Export relancé.")
    return redirect("pilotage:pilotage_exports")
