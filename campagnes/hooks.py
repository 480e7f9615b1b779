"""Where the apps above campagnes plug in. Each registers its functions in its
`AppConfig.ready()` (labelml.core.hooks), so that campagnes never imports them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from django.db.models import Choices, Q

from labelml.core.hooks import Hook
from labelml.structures.roles import Capability

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from labelml.accounts.models import User
    from labelml.structures.models import Structure

    from .models import Campagne, Dossier


class Renewals(Protocol):
    """The labels a campaign renews (SPEC §7b), provided by the commission, which grants them."""

    def current_label(self, structure: Structure) -> Any:
        """The structure's latest label, or None."""

    def refusal(self, label: Any, today: dt.date) -> str | None:
        """Why `label` cannot be renewed on `today` (None when it can)."""

    def blocks_opening(self, label: Any, today: dt.date) -> bool:
        """Whether `label` keeps the structure from getting any dossier (a suspended label in
        force must be lifted first)."""

    def candidates(self, campagne: Campagne, today: dt.date) -> list[Any]:
        """The labels to renew in `campagne`, soonest expiry first."""

    def labelled_dossier(self, label: Any) -> Dossier:
        """The dossier that obtained `label` (a renewal starts from it)."""


# The dossier's first rows in the apps above (its self-assessment, its plan), created when a
# campaign opens it: called with (dossier, previous, actor), `previous` being the labelled
# dossier a renewal continues (None for an initial dossier). Returns what it carried over from
# `previous`, as a phrase for the journal, or "".
dossier_opened: Hook[Callable[[Dossier, Dossier | None, User], str]] = Hook(
    "campagnes.dossier_opened"
)

# What a user may do on a dossier beyond their roles on its structure (the audit assignment).
dossier_grants: Hook[Callable[[User | AnonymousUser, Dossier], set[Capability]]] = Hook(
    "campagnes.dossier_grants"
)

# Dossiers granted to a user beyond the structures they see (a lead auditor's body's audits, a
# commission member's agenda): a condition on Dossier each.
dossier_scopes: Hook[Callable[[User], Q]] = Hook("campagnes.dossier_scopes")

# What the dossier's home page shows of each app above (progress, to-dos, plan): a dict merged
# into its context.
dossier_home: Hook[Callable[[Dossier], dict[str, Any]]] = Hook("campagnes.dossier_home")

renewals: Hook[Renewals] = Hook("campagnes.renewals", single=True)

# How the journal (DossierTransition) words the rows of a workflow above the dossier's,
# registered under its subject ("label", "suivi"): (its states' choices, its actions' labels).
journal_words: Hook[tuple[type[Choices], Mapping[str, Any]]] = Hook("campagnes.journal_words")

# The dates due of the steps the apps above run (the audit's days on site, the deadline of the
# answers to the gaps, the séance): called with the dossier, returns {state: (date, phrase)}
# for the states it knows of. One query at most each (the dossier's path is on every page).
dossier_deadlines: Hook[Callable[[Dossier], dict[str, tuple[dt.date, str]]]] = Hook(
    "campagnes.dossier_deadlines"
)
