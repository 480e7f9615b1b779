"""What every workflow of the product shares: the error a refused step raises.

A step (a dossier's, an audit's, a follow-up's, a label's) runs in one transaction with a row
lock, checks the actor's right (PermissionDenied → 403) and then the state and preconditions; a
refusal raises TransitionError with a French message and, when useful, what is missing, and
nothing half-applies.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class MissingItem:
    label: str
    url: str = ""
    # "a_confirmer": a copied answer or synthesis of a renewal nobody confirmed yet.
    kind: str = ""


@dataclass
class TransitionError(Exception):
    """An illegal transition or an unmet precondition. Nothing was changed."""

    message: str
    missing: list[MissingItem] = field(default_factory=list)

    def __str__(self) -> str:
        return self.message
