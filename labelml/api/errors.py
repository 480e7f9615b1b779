"""Errors as problem details (RFC 9457), in French: `type`, `title`, `status`, `detail`,
`instance`, and for a refused input `erreurs` (field → messages). Django's PermissionDenied and
Http404 raised by the selectors and services become 403 and 404 as on the pages; a refused
workflow step (TransitionError) or a validation error of a service, 400."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from labelml.core.transitions import TransitionError

PROBLEM_TYPE = "application/problem+json"

TITLES = {
    400: "Requête invalide",
    401: "Authentification requise",
    403: "Action interdite",
    404: "Ressource introuvable",
    405: "Méthode non autorisée",
    406: "Format de réponse non disponible",
    409: "Conflit",
    412: "Version périmée",
    415: "Type de contenu non pris en charge",
    428: "En-tête If-Match requis",
    429: "Trop de requêtes",
}


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = (
        "La ressource a été modifiée depuis la version indiquée (If-Match) : relisez-la, rien "
        "n'a été enregistré."
    )
    default_code = "version_perimee"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = (
        "Indiquez la version que vous modifiez dans l'en-tête If-Match (l'ETag de la ressource)."
    )
    default_code = "if_match_requis"


def _as_drf(exc: Exception) -> Exception:
    if isinstance(exc, TransitionError):
        return exceptions.ValidationError({"detail": [str(exc.message)]})
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return exceptions.ValidationError(
                {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
            )
        return exceptions.ValidationError({"detail": [str(m) for m in exc.messages]})
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, Http404):
        return exceptions.NotFound(str(exc) or None)
    return exc


def _flatten(data: Any) -> dict[str, list[str]]:
    if isinstance(data, dict):
        out: dict[str, list[str]] = {}
        for key, value in data.items():
            if isinstance(value, dict):
                for sub, msgs in _flatten(value).items():
                    out[f"{key}.{sub}"] = msgs
            elif isinstance(value, list):
                out[str(key)] = [str(v) for v in value if not isinstance(v, dict)] or [
                    str(v) for v in value
                ]
            else:
                out[str(key)] = [str(value)]
        return out
    if isinstance(data, list):
        return {"detail": [str(v) for v in data]}
    return {"detail": [str(data)]}


def problem(status_code: int, detail: str, instance: str = "", **extra: Any) -> dict[str, Any]:
    return {
        "type": "about:blank",
        "title": TITLES.get(status_code, "Erreur"),
        "status": status_code,
        "detail": detail,
        "instance": instance,
        **extra,
    }


def problem_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    exc = _as_drf(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None
    request = context.get("request")
    instance = request.get_full_path() if request is not None else ""
    data = response.data
    extra: dict[str, Any] = {}
    if isinstance(exc, exceptions.ValidationError):
        erreurs = _flatten(data)
        detail = erreurs.pop("detail", None) or erreurs.pop("non_field_errors", None)
        if erreurs:
            extra["erreurs"] = erreurs
        text = " ".join(detail) if detail else "Certaines valeurs sont refusées : voir « erreurs »."
    elif isinstance(data, dict) and "detail" in data:
        text = str(data["detail"])
    else:
        text = str(data)
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        extra["reessayer_dans"] = int(exc.wait + 0.999)
    response.data = problem(response.status_code, text, instance, **extra)
    response.content_type = PROBLEM_TYPE
    return response
