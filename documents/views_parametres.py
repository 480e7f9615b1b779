"""Letterhead settings of the decision letter and the attestation (national administrators)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from structures.selectors import is_national_admin


@login_required
def parametres(request: HttpRequest) -> HttpResponse:
    if not is_national_admin(request.user):
        raise Http404("Page introuvable.")
    return HttpResponse("À venir")
