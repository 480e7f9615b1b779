"""Mes données: a person reads what the platform keeps about them and downloads it as JSON
(labelml/accounts/donnees.py). Their own data only: there is no id in these URLs."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from labelml.core.types import AuthenticatedHttpRequest

from .donnees import personal_data_json


@login_required
@require_safe
def donnees(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/donnees.html", {"profil": request.user})


@login_required
@require_safe
def donnees_download(request: AuthenticatedHttpRequest) -> HttpResponse:
    response = HttpResponse(
        personal_data_json(request.user), content_type="application/json; charset=utf-8"
    )
    filename = f"labelml-mes-donnees-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, no_store=True)
    return response
