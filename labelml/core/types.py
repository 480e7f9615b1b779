from django.contrib.auth.models import AbstractUser
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware (typing only)."""

    htmx: HtmxDetails


class AuthenticatedHttpRequest(HttpRequest):
    """A request of a logged-in user (behind @login_required; typing only). The user is typed
    as Django's AbstractUser, which labelml.accounts.models.User extends: core imports no app."""

    user: AbstractUser  # type: ignore[assignment]
