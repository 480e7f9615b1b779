"""What the apps above structures add to the home page (views.home): each registers a function
of the request that returns its part of the page's context (the commission: the labels coming
to an end, for national administrators)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import ngettext

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


# The worklist ("À faire") of the home page -------------------------------------------------------


@dataclass(frozen=True)
class WorkItem:
    """One piece of the user's work: what to do, in plain French, and the page where it is
    done (`url`), with its deadline when it has one and what situates it (`detail`: the
    structure, the dates, the last activity)."""

    text: str
    url: str
    due: dt.date | None = None
    detail: str = ""
    # Which of the user's hats it belongs to (the home groups the lines under it).
    group: str = ""

    @property
    def late(self) -> bool:
        return self.due is not None and self.due < timezone.localdate()


# A worklist reads, scoped by the user, a fixed number of queries whatever the data (the home
# page's query count is pinned per role in tests/structures/test_worklists.py).
Worklist = Callable[[Any], list[WorkItem]]
_WORKLISTS: Hook[Worklist] = Hook("structures.worklist")


def register_worklist(name: str, worklist: Worklist) -> None:
    """Have `worklist(user)` add its lines to the home page's "À faire" (registering a name
    again replaces it). Each app above structures registers its own in AppConfig.ready()."""
    _WORKLISTS.register(worklist, name=name)


def worklist(user: Any) -> list[WorkItem]:
    """The user's work, soonest deadline first (lines without a deadline last, in the order the
    apps gave them)."""
    items: list[WorkItem] = []
    for lines in _WORKLISTS:
        items.extend(lines(user))
    far = dt.date.max
    return sorted(items, key=lambda item: item.due or far)


# One kind of work is listed line by line up to this many; beyond, one line says how many more
# and leads to the list where they all are (the national administrators see the whole network).
WORKLIST_LIMIT = 10


def capped(
    items: list[WorkItem], more: tuple[str, str], url: str, group: str = ""
) -> list[WorkItem]:
    """The first WORKLIST_LIMIT `items`, then one line saying how many more (`more`: the
    singular and plural phrases, "{n}" for the count) leading to `url`, if there are more."""
    if len(items) <= WORKLIST_LIMIT:
        return items
    rest = len(items) - WORKLIST_LIMIT
    text = ngettext(more[0], more[1], rest).format(n=rest)
    return [*items[:WORKLIST_LIMIT], WorkItem(text, url, group=group)]
