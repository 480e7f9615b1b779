"""What a dossier of the national data set knows while it is planned: `_DossierState`, the
attributes that the steps (dossier.py, self_assessment.py, audit.py, commission.py) set and
read, and two helpers on the story's time line."""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any

from campagnes.models import Dossier

from .helpers import _aware

if TYPE_CHECKING:
    from .campaign import _Campaign, _Previous, _Profile, _Rows, _Seance
    from .seed import _Ref
    from .structures import _Network


class _DossierState:
    """The attributes of `_Dossier` (set by its steps, in the order `build` calls them)."""

    # __init__
    c: _Campaign
    ml: Any
    stage: str
    profile: _Profile
    rng: random.Random
    seance: _Seance | None
    ordre: int
    previous: _Previous | None  # a renewal: what it starts from
    ref: _Ref
    net: _Network
    rows: _Rows
    direction: Any
    referent: Any
    statut: str
    when: dict[str, dt.datetime]
    # chain
    reopened: bool
    returned: bool
    audit_sub: str
    plan_submitted: bool
    # build
    levels: dict[int, str]
    means: dict[int, float]
    dossier: Dossier
    audit: Any
    point: Any
    # self_assessment, improvement_plan
    autoevaluation: Any
    progress: float
    answers: list[tuple[Any, str | None, str]]
    fingerprints: list[str]
    copied: tuple[int, int]  # a renewal: answers and syntheses copied, to confirm
    carried: int  # a renewal: actions carried over
    plan: Any
    actions_by_critere: dict[int, Any]
    plan_actions: int
    # external_audit
    auditeur: Any
    lead: Any
    debut: dt.date
    fin: dt.date
    codes: dict[int, str]
    constats: dict[int, Any]
    remarques: str
    # commission
    outcome: str
    motivation: str

    # -- helpers -------------------------------------------------------------------------------

    def between(self, start: dt.datetime, stop: dt.datetime) -> dt.datetime:
        if stop <= start:
            return start
        return start + (stop - start) * self.rng.random()

    @property
    def end_at(self) -> dt.datetime:
        """The last moment of the story: yesterday evening for the current campaign."""
        return _aware(self.c.end - dt.timedelta(days=1), 18 * 60)
