from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:
    # django-stubs' placeholder for the user model: mypy's Django plugin reads it as
    # AUTH_USER_MODEL, labelml.accounts.models.User (a name only the stubs have).
    from django.contrib.auth.models import _User as Actor
else:
    Actor = AbstractUser

# `Actor`: the user model (labelml.accounts.models.User) as the layers below accounts name it
# (core and structures may not import accounts). To mypy it is accounts' User itself, so the
# ORM's lookups and foreign keys accept it; at run time it is Django's AbstractUser, which User
# extends: a name for annotations, not a model to query. The layers above import User.


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware (typing only)."""

    htmx: HtmxDetails


class AuthenticatedHttpRequest(HtmxHttpRequest):
    """A request of a logged-in user (behind @login_required; typing only): its user is the
    user model (`Actor`), never the anonymous one. It went through django-htmx's middleware, as
    every request does."""

    user: Actor
