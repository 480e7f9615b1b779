"""The application's URLs plus the floor: a minimal view behind the same middleware (session,
authentication, CSRF, two-factor check, htmx), which does nothing but answer. Bench only."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_POST


@login_required
@require_POST
def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


urlpatterns = [
    path("bench/floor/", floor, name="bench_floor"),
    path("", include("labelml.urls")),
]
