"""A structure's whole label history on one page (SPEC §7b): its dossiers (campaign, state,
dates, ready PDF reports), the commission's decisions, its labels (status on the day, the
suspension / withdrawal events) and their follow-up audits.

The page is the structure's, its facts belong to the apps above structures: each registers a
provider (register_history) in its AppConfig.ready() that fills its part of the history and adds
its events to the chronology — audits the dossiers with their external audit, documents their
ready reports, the commission its decisions and labels, the follow-up audits theirs
(`suivis` stays None without that provider). Providers run in the order they were registered,
that of INSTALLED_APPS (bottom to top), so that an upper app completes the rows a lower one
listed.

A fixed number of queries whatever the number of dossiers or labels: each list is one query,
the per-row details come from prefetches or one query over the list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from labelml.core.hooks import Hook


@dataclass
class HistoryEvent:
    """One line of the chronology: when, what, and a link to the page or report about it."""

    at: dt.datetime
    titre: str
    detail: str = ""
    url: str = ""


@dataclass
class StructureHistory:
    structure: Any
    today: dt.date
    dossiers: list[Any] = field(default_factory=list)
    decisions: list[Any] = field(default_factory=list)
    labels: list[Any] = field(default_factory=list)
    suivis: list[Any] | None = None  # None when the follow-up audit is not available
    events: list[HistoryEvent] = field(default_factory=list)


# Why a registry: structures sits below the apps whose facts make the history; each registers
# its provider in its AppConfig.ready().
HistoryProvider = Callable[[StructureHistory], None]
_PROVIDERS: Hook[HistoryProvider] = Hook("structures.history")


def register_history(name: str, provider: HistoryProvider) -> None:
    """Have `provider(history)` fill its part of every structure's history (registering a name
    again replaces its provider)."""
    _PROVIDERS.register(provider, name=name)


def midnight(day: dt.date) -> dt.datetime:
    """A day as a moment of the chronology (its start, local time)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def structure_history(structure: Any, *, today: dt.date | None = None) -> StructureHistory:
    history = StructureHistory(structure=structure, today=today or timezone.localdate())
    for provider in _PROVIDERS:
        provider(history)
    # Every dated fact of the history, most recent first.
    history.events.sort(key=lambda e: e.at, reverse=True)
    return history
