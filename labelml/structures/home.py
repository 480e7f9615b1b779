"""What the apps above structures add to the home page (views.home): each registers a function
of the request that returns its part of the page's context (the commission: the labels coming
to an end, for national administrators)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from labelml.core.hooks import Hook

# Why a registry: the home page is structures', the panels of the apps above it are theirs; each
# registers its own in its AppConfig.ready().
HomeContext = Callable[[HttpRequest], dict[str, Any]]
_CONTEXTS: Hook[HomeContext] = Hook("structures.home")


def register_home_context(name: str, context: HomeContext) -> None:
    """Have `context(request)` add to the home page's context (registering a name again
    replaces it)."""
    _CONTEXTS.register(context, name=name)


def home_context(request: HttpRequest) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    for context in _CONTEXTS:
        extra.update(context(request))
    return extra
