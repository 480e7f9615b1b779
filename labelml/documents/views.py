from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from campagnes.selectors import get_dossier_for_user
from labelml.core import jobs
from labelml.core.errors import missing_file
from labelml.core.security import protect_download
from labelml.core.types import AuthenticatedHttpRequest, HtmxHttpRequest

from .models import Document
from .renderers import unavailable_reason
from .services import request_document, retry_document

SERVICE_UNAVAILABLE = jobs.SERVICE_UNAVAILABLE.format(what="rapport")


@login_required
def document_list(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    dossier = get_dossier_for_user(request.user, pk)
    documents = dossier.documents.select_related("requested_by")[:20]
    template = "documents/_list.html" if request.htmx else "documents/document_list.html"
    return render(
        request,
        template,
        {
            "dossier": dossier,
            "tab": "documents",
            "documents": documents,
            "pending": any(d.statut in ("queued", "rendering") for d in documents),
            "delayed": any(d.waiting_for_service for d in documents),
            "service_unavailable": SERVICE_UNAVAILABLE,
            "kinds": [
                {"code": code, "label": label, "reason": unavailable_reason(code, dossier)}
                for code, label in Document.Type.choices
            ]
            if not request.htmx
            else [],
        },
    )


@login_required
@require_POST
def document_request(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    dossier = get_dossier_for_user(request.user, pk)
    try:
        document = request_document(
            dossier=dossier, actor=request.user, kind=request.POST.get("type", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("documents:document_list", pk=dossier.pk)
    if document.waiting_for_service:
        messages.warning(request, SERVICE_UNAVAILABLE)
    else:
        messages.success(request, "Document demandé : il sera prêt dans quelques instants.")
    return redirect("documents:document_list", pk=dossier.pk)


@login_required
@require_POST
def document_retry(request: HtmxHttpRequest, pk: int, document_pk: int) -> HttpResponse:
    dossier = get_dossier_for_user(request.user, pk)
    document = get_object_or_404(dossier.documents, pk=document_pk)
    document = retry_document(document=document)
    if document.waiting_for_service:
        messages.warning(request, SERVICE_UNAVAILABLE)
    return redirect("documents:document_list", pk=dossier.pk)


@login_required
@require_safe
def document_download(
    request: HtmxHttpRequest, pk: int, document_pk: int
) -> FileResponse | HttpResponse:
    dossier = get_dossier_for_user(request.user, pk)
    document = get_object_or_404(
        dossier.documents.select_related("dossier__structure"), pk=document_pk
    )
    if document.statut != Document.Statut.READY or not document.fichier:
        raise Http404("Ce rapport n'est pas prêt.")
    try:
        handle = document.fichier.open("rb")
    except (FileNotFoundError, ValueError):
        # Said ready but gone from the storage (deleted, another bucket): not a server error.
        return missing_file(
            request, "Le fichier de ce rapport est introuvable : demandez-en un nouveau."
        )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.filename,
        content_type="application/pdf",
    )
    protect_download(response)
    return response
