"""Pages of the evidence files of a dossier (/dossiers/<pk>/preuves/…).

Every view reaches the dossier through get_dossier_for_user (404 outside the user's scope, 403
without the capability) and the evidence through that dossier, so an id belonging to another
dossier is a 404 too. Files are only ever served by preuve_download."""

from __future__ import annotations

from itertools import groupby
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_safe

from campagnes.models import Dossier
from campagnes.selectors import dossier_capabilities, get_dossier_for_user
from labelml.core.types import AuthenticatedHttpRequest
from labelml.structures.roles import Capability
from referentiel.models import Critere

from .models import Preuve
from .preuves import (
    EXPIRY_WARNING_DAYS,
    add_preuve,
    delete_preuve,
    expiry_status,
    require_delete_right,
    snapshot_preuve,
)
from .preuves_forms import FILE_AGAIN, PreuveForm


def _list_url(dossier: Dossier, critere_code: str = "") -> str:
    url = reverse("autoevaluations:preuve_list", args=[dossier.pk])
    return f"{url}?{urlencode({'critere': critere_code})}" if critere_code else url


def _safe_next(request: HttpRequest) -> str:
    """The ?next= (or posted next) URL when it is a path on this site, else "" (redirect()
    would take anything else without a slash for the name of a view)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


@login_required
@require_safe
def preuve_list(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = get_dossier_for_user(request.user, pk)
    can_upload = Capability.UPLOAD_PREUVE in dossier_capabilities(request.user, dossier)
    referentiel = dossier.campagne.referentiel
    criteres = list(Critere.objects.filter(referentiel=referentiel).order_by("ordre"))
    code = request.GET.get("critere", "")
    selected = None
    if code:
        selected = next((c for c in criteres if c.code == code), None)
        if selected is None:
            raise Http404("Critère introuvable.")
    queryset = dossier.preuves.select_related("critere", "element", "ajoute_par").order_by(
        "critere__ordre", "-ajoute_le", "-pk"
    )
    if selected is not None:
        queryset = queryset.filter(critere=selected)
    preuves = list(queryset)
    groups = [
        {"critere": critere, "preuves": list(items)}
        for critere, items in groupby(preuves, key=lambda p: p.critere)
    ]
    if selected is not None and not groups:
        groups = [{"critere": selected, "preuves": []}]
    today = timezone.localdate()
    expirees = [p for p in preuves if expiry_status(p, today) == "expiree"]
    bientot = [p for p in preuves if expiry_status(p, today) == "bientot"]
    form = None
    if can_upload:
        initial: dict[str, Any] = {"date_effet": today}
        if selected is not None:
            initial["critere"] = selected.code
        form = PreuveForm(initial=initial, referentiel=referentiel)
    return render(
        request,
        "autoevaluations/preuves/preuve_list.html",
        {
            "dossier": dossier,
            "tab": "preuves",
            "criteres": criteres,
            "selected": selected,
            "groups": groups,
            "total": len(preuves),
            "expirees": expirees,
            "bientot": bientot,
            "warning_days": EXPIRY_WARNING_DAYS,
            "can_upload": can_upload,
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def preuve_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    dossier = get_dossier_for_user(request.user, pk, Capability.UPLOAD_PREUVE)
    referentiel = dossier.campagne.referentiel
    next_url = _safe_next(request)
    status = 200
    if request.method == "POST":
        form = PreuveForm(request.POST, request.FILES, referentiel=referentiel)
        if form.is_valid():
            data = form.cleaned_data
            try:
                preuve = add_preuve(
                    dossier=dossier,
                    actor=request.user,
                    critere=data["critere"],
                    element=data["element"],
                    titre=data["titre"],
                    date_effet=data["date_effet"],
                    date_expiration=data["date_expiration"],
                    upload=data["fichier"],
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(
                    request,
                    f"Preuve « {preuve.titre} » ajoutée au critère {preuve.critere.code}.",
                )
                return redirect(next_url or _list_url(dossier, preuve.critere.code))
        status = 400
    else:
        initial: dict[str, Any] = {"date_effet": timezone.localdate()}
        code = request.GET.get("critere", "")
        if code and Critere.objects.filter(referentiel=referentiel, code=code).exists():
            initial["critere"] = code
        form = PreuveForm(initial=initial, referentiel=referentiel)
    return render(
        request,
        "autoevaluations/preuves/preuve_form.html",
        {
            "dossier": dossier,
            "tab": "preuves",
            "form": form,
            "next": next_url,
            "cancel_url": next_url or _list_url(dossier),
            "file_again": FILE_AGAIN if form.errors else "",
        },
        status=status,
    )


def _preuve_of(dossier: Dossier, preuve_pk: int) -> Preuve:
    return get_object_or_404(dossier.preuves.select_related("critere", "element"), pk=preuve_pk)


@login_required
@require_safe
def preuve_download(request: HttpRequest, pk: int, preuve_pk: int) -> FileResponse:
    dossier = get_dossier_for_user(request.user, pk)
    return _attachment(_preuve_of(dossier, preuve_pk))


@login_required
@require_safe
def snapshot_preuve_download(
    request: HttpRequest, pk: int, numero: int, empreinte: str
) -> FileResponse:
    """An evidence as a submitted version lists it, even if deleted from the self-assessment
    since (reopened): whoever reads the version reads its evidence."""
    dossier = get_dossier_for_user(request.user, pk)
    preuve = snapshot_preuve(dossier, numero, empreinte)
    if preuve is None:
        raise Http404("Cette preuve n'est plus conservée pour cette version.")
    return _attachment(preuve)


def _attachment(preuve: Preuve) -> FileResponse:
    try:
        handle = preuve.fichier.storage.open(preuve.fichier.name or "", "rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404("Le fichier de cette preuve est introuvable.") from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=preuve.nom_original,
        content_type=preuve.type_mime,
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Should a browser ever render it anyway, it runs nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def preuve_delete(request: AuthenticatedHttpRequest, pk: int, preuve_pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes."""
    dossier = get_dossier_for_user(request.user, pk, Capability.UPLOAD_PREUVE)
    preuve = _preuve_of(dossier, preuve_pk)
    require_delete_right(request.user, preuve)  # 403 for a contributor on another's evidence
    next_url = _safe_next(request)
    if request.method == "POST":
        titre, code = preuve.titre, preuve.critere.code
        delete_preuve(preuve=preuve, actor=request.user)
        messages.success(request, f"Preuve « {titre} » supprimée.")
        return redirect(next_url or _list_url(dossier, code))
    return render(
        request,
        "autoevaluations/preuves/preuve_confirm_delete.html",
        {
            "dossier": dossier,
            "tab": "preuves",
            "preuve": preuve,
            "next": next_url,
            "cancel_url": next_url or _list_url(dossier, preuve.critere.code),
        },
    )
