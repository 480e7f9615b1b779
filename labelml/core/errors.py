"""Error pages (labelml/urls.py: handler400, handler500).

- 413 for a request body over the limits (RequestDataTooBig: DATA_UPLOAD_MAX_MEMORY_SIZE for a
  form, labelml.core.uploads.RequestSizeLimitHandler for a file), 400 for any other malformed
  request: a French page, never a 500.
- 503 with Retry-After when the database cannot be reached (restarting, failing over): the
  request is lost but the next one reconnects (settings: conn_health_checks), and a load
  balancer or a client may retry.
- 400 for a NUL character sent in a text (a form field, a filter, a code in the URL), which
  PostgreSQL refuses wherever the value is used in a query: garbage from the client, not a
  server error, whatever view it reached.
- 500 for any other failure.

The pages are plain HTML with no context: rendering them must not need the database."""

from __future__ import annotations

import sys

from django.core.exceptions import RequestDataTooBig
from django.db import DataError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader

RETRY_AFTER_SECONDS = 5
# psycopg's DataError for a str parameter that holds "\x00" (raised before anything is sent).
NUL_REFUSED = "cannot contain NUL (0x00)"


def _page(template: str, status: int) -> HttpResponse:
    return HttpResponse(
        loader.get_template(template).render(),
        status=status,
        content_type="text/html; charset=utf-8",
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        return _page("413.html", 413)
    return _page("400.html", 400)


def server_error(request: HttpRequest) -> HttpResponse:
    exception = sys.exc_info()[1]  # still being handled (django.core.handlers.exception)
    if isinstance(exception, (OperationalError, InterfaceError)):
        response = _page("503.html", 503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if isinstance(exception, (ValueError, DataError)) and NUL_REFUSED in str(exception):
        return _page("400.html", 400)
    return _page("500.html", 500)


def missing_file(request: HttpRequest, message: str) -> HttpResponse:
    """404 for a row whose file is gone from the storage (deleted, purged, another bucket): the
    page says what is missing and what to do, in French."""
    from django.shortcuts import render

    return render(request, "fichier_introuvable.html", {"message": message}, status=404)
