from typing import TYPE_CHECKING

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:
    from labelml.accounts.models import User


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware (typing only)."""

    htmx: HtmxDetails


class AuthenticatedHttpRequest(HttpRequest):
    """A request of a logged-in user (behind @login_required; typing only)."""

    user: "User"  # type: ignore[assignment]
