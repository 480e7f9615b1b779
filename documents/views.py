from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from campagnes.selectors import get_dossier_for_user
from labelml.types import HtmxHttpRequest

from .models import Document
from .renderers import unavailable_reason
from .services import request_document, retry_document


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
            "pending": any(d.status in ("queued", "rendering") for d in documents),
            "kinds": [
                {"code": code, "label": label, "reason": unavailable_reason(code, dossier)}
                for code, label in Document.Kind.choices
            ]
            if not request.htmx
            else [],
        },
    )


@login_required
@require_POST
def document_request(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    dossier = get_dossier_for_user(request.user, pk)
    try:
        request_document(dossier=dossier, actor=request.user, kind=request.POST.get("kind", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("document_list", pk=dossier.pk)
    messages.success(request, "Document demandé : il sera prêt dans quelques instants.")
    return redirect("document_list", pk=dossier.pk)


@login_required
@require_POST
def document_retry(request: HtmxHttpRequest, pk: int, document_pk: int) -> HttpResponse:
    dossier = get_dossier_for_user(request.user, pk)
    document = get_object_or_404(dossier.documents, pk=document_pk)
    retry_document(document=document)
    return redirect("document_list", pk=dossier.pk)


@login_required
def document_download(request: HtmxHttpRequest, pk: int, document_pk: int) -> FileResponse:
    dossier = get_dossier_for_user(request.user, pk)
    document = get_object_or_404(
        dossier.documents.select_related("dossier__structure"), pk=document_pk
    )
    if document.status != Document.Status.READY or not document.fichier:
        raise Http404("Ce rapport n'est pas prêt.")
    response = FileResponse(
        document.fichier.open("rb"),
        as_attachment=True,
        filename=document.filename,
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
