"""Two-factor authentication is mandatory for auditors, commission members and administrators
(SPEC §2). Until such a user has activated TOTP, every page sends them to the activation page."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from labelml.structures.security import security_profile
from labelml.structures.selectors import requires_two_factor

# Pages reachable before TOTP is set up: the activation itself, logging out, static files, and
# the health probe (labelml/core/health.py), which shows nothing about anyone.
ALLOWED_PREFIXES = (
    "/comptes/2fa/",
    "/comptes/logout/",
    "/static/",
    "/comptes/reauthenticate/",
    "/healthz",
)


class RequireTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(ALLOWED_PREFIXES)
            and requires_two_factor(user)
            and not security_profile(user).has_totp
        ):
            messages.warning(
                request,
                "Votre rôle impose la double authentification : configurez une application "
                "d'authentification (TOTP) pour continuer.",
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
