"""`Authorization: Bearer lml_…`: the token acts as its owner. A missing token answers 401 (the
API has no anonymous reader); a revoked, expired or unknown one, 401 as well."""

from __future__ import annotations

from typing import Any

from rest_framework import authentication, exceptions

from . import tokens


class JetonAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if len(parts) != 2 or parts[0].lower() != self.keyword.lower():
            raise exceptions.AuthenticationFailed(
                "En-tête Authorization invalide : attendu « Bearer <jeton> »."
            )
        jeton = tokens.token_for_secret(parts[1])
        if jeton is None:
            raise exceptions.AuthenticationFailed("Jeton inconnu, révoqué ou expiré.")
        tokens.touch(jeton)
        return jeton.user, jeton

    def authenticate_header(self, request: Any) -> str:
        return f'{self.keyword} realm="api"'
