"""Permissions-Policy header: the browser features the application never uses are turned off for
its pages and anything they could embed (settings.PERMISSIONS_POLICY: feature -> allowed origins,
an empty list meaning none). The other security headers come from Django's SecurityMiddleware
and XFrameOptionsMiddleware, the Content-Security-Policy from django-csp (docs/security.md)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control


def permissions_policy(features: dict[str, list[str]]) -> str:
    return ", ".join(f"{name}=({' '.join(origins)})" for name, origins in features.items())


class PermissionsPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.header = permissions_policy(getattr(settings, "PERMISSIONS_POLICY", {}))

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


def protect_download(response: HttpResponseBase) -> HttpResponseBase:
    """Headers of a served file (evidence, sheet, PDF, export): the browser takes the declared
    type as it is (nosniff), and should it ever render the file, it runs nothing in it
    (a sandboxing policy, instead of the pages' own); never kept by a shared cache."""
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    patch_cache_control(response, private=True, no_store=True)
    return response
