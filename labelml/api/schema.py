"""What drf-spectacular cannot guess: the bearer token scheme and the problem details."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import serializers


class JetonScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "labelml.api.authentication.JetonAuthentication"
    name = "jeton"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Jeton d'accès personnel (page « Jetons d'accès » de votre compte).",
        }


class ProblemSerializer(serializers.Serializer):
    """Problem details (RFC 9457)."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField()
    erreurs = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )
    reessayer_dans = serializers.IntegerField(required=False)
