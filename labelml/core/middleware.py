"""Request id: taken from the X-Request-ID header the proxy sent when it is a plain token (at
most 64 characters among letters, digits, `.`, `_` and `-`), generated otherwise; kept in a
context variable for the logs (labelml/core/logs.py) and sent back in the response's
X-Request-ID."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

from labelml.core.logs import REQUEST_ID_HEADER, new_request_id, request_id_var, sane_request_id


class RequestIdMiddleware:
    """First in MIDDLEWARE, so that everything logged during the request carries the id and
    every response, redirects included, returns it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = sane_request_id(request.headers.get(REQUEST_ID_HEADER)) or new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response
