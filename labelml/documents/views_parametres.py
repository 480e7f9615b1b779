"""Letterhead settings of the decision letter and the attestation (national administrators).
To anyone else these pages do not exist (404), as the other national steering pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_http_methods

from labelml.core.types import AuthenticatedHttpRequest
from labelml.structures.selectors import is_national_admin

from .forms import ParametresDocumentsForm
from .models import ParametresDocuments
from .parametres import IMAGE_FIELDS, IMAGE_SIGNATURES, update_parametres


def _admin_only(request: HttpRequest) -> None:
    if not is_national_admin(request.user):
        raise Http404("Page introuvable.")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def parametres(request: AuthenticatedHttpRequest) -> HttpResponse:
    _admin_only(request)
    form = ParametresDocumentsForm(
        request.POST or None, request.FILES or None, instance=ParametresDocuments.current()
    )
    if request.method == "POST" and form.is_valid():
        try:
            update_parametres(
                actor=request.user,
                data=form.cleaned_data,
                files={name: request.FILES.get(name) for name in IMAGE_FIELDS},
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(name if name in form.fields else None, error)
        else:
            messages.success(
                request,
                "Paramètres enregistrés : ils s'appliquent aux prochaines lettres de décision "
                "et attestations générées.",
            )
            return redirect("documents:document_parametres")
    return render(
        request,
        "documents/parametres.html",
        {
            "form": form,
            # Read again: a bound form has already copied its values onto its instance.
            "saved": ParametresDocuments.current(),
            "file_again": bool(form.errors and request.FILES),
        },
    )


@login_required
@require_GET
def parametres_image(request: HttpRequest, which: str) -> FileResponse:
    """The current logo or signature image, for the settings page's previews (the storage is
    private: never served by URL)."""
    _admin_only(request)
    if which not in IMAGE_FIELDS:
        raise Http404("Page introuvable.")
    field = getattr(ParametresDocuments.current(), which)
    if not field:
        raise Http404("Aucune image.")
    try:
        handle = field.storage.open(field.name, "rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404("Image introuvable.") from exc
    head = handle.read(8)
    handle.seek(0)
    mime = next((m for magic, m in IMAGE_SIGNATURES.items() if head.startswith(magic)), None)
    if mime is None:
        handle.close()
        raise Http404("Image illisible.")
    response = FileResponse(handle, content_type=mime)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    patch_cache_control(response, private=True, no_store=True)
    return response
