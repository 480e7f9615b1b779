"""A token with the read scope may only read; every call needs a token."""

from __future__ import annotations

from typing import Any

from rest_framework import permissions

from .models import JetonAcces


class JetonScope(permissions.BasePermission):
    message = "Ce jeton est en lecture seule : créez un jeton « lecture et écriture »."

    def has_permission(self, request: Any, view: Any) -> bool:
        jeton = request.auth
        if not isinstance(jeton, JetonAcces):
            # Not authenticated: DRF answers 401 (NotAuthenticated) for a False here.
            return False
        return request.method in permissions.SAFE_METHODS or jeton.ecriture
