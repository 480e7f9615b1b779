"""Where the apps above the référentiel plug in (labelml.core.hooks): they register their parts
in their `AppConfig.ready()`, so that this app never imports them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from labelml.core.hooks import Hook

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from labelml.accounts.models import User

    from .models import Critere

# What the apps above show under a criterion wherever it is read or filled (the référentiel's
# page, the self-assessment's criterion page): the network's remarkable practices. Called once
# per page with (user, criteria); returns {criterion pk: safe HTML}, in a fixed number of queries.
critere_panels: Hook[Callable[[Any, Sequence[Critere]], Mapping[int, SafeString]]] = Hook(
    "referentiel.critere_panels"
)


def attach_panels(user: User | AnonymousUser, criteres: Sequence[Critere]) -> None:
    """Sets `panneaux` (safe HTML, maybe empty) on each criterion, for its template."""
    parts = [panels(user, criteres) for panels in critere_panels] if criteres else []
    for critere in criteres:
        critere.panneaux = format_html_join(  # type: ignore[attr-defined]
            "", "{}", ((part[critere.pk],) for part in parts if critere.pk in part)
        )
