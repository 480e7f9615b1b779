"""The transition engine of every workflow (a dossier's, a follow-up's, a label's).

A step runs in one transaction: it locks its row (`Workflow.lock`), checks the actor's right
(PermissionDenied → 403), the state (`Workflow.require_state`) and its preconditions (a
TransitionError with a French message and, when useful, what is missing: nothing
half-applies), then moves the row (`move`) or records a step that keeps the state
(`log_step`): one row each in the dossier's journal (`JournalTable`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, Generic, TypeVar

from django.db import models

from .types import Actor

M = TypeVar("M", bound=models.Model)


@dataclass
class MissingItem:
    label: str
    url: str = ""
    # "a_confirmer": a copied answer or synthesis of a renewal nobody confirmed yet.
    kind: str = ""
    # The words of the element or criterion the label's code names, shown with it: a list of
    # bare codes ("Élément 4.2.3.e2") says nothing to whoever has to fix it.
    words: str = ""


@dataclass
class TransitionError(Exception):
    """An illegal transition or an unmet precondition. Nothing was changed."""

    message: str
    missing: list[MissingItem] = field(default_factory=list)

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class JournalTable:
    """Writes a step in the dossier's journal (`model`): the workflow (`subject`), its row, its
    dossier (`dossier`: the path to its pk), the action, the field `state` before and after, the
    actor (None for the system) and the reason."""

    model: type[models.Model]
    subject: str
    state: str
    dossier: str = "dossier_id"

    def __call__(
        self, obj: Any, actor: Actor | None, action: str, previous: str, reason: str
    ) -> None:
        row = {"dossier_id": attrgetter(self.dossier)(obj), "subject_id": obj.pk, "reason": reason}
        row.update(from_state=previous, to_state=getattr(obj, self.state), action=action)
        actor = actor if getattr(actor, "pk", None) else None
        self.model._default_manager.create(**row, subject=self.subject, actor=actor)


@dataclass(frozen=True)
class Workflow(Generic[M]):
    """The states of one model's rows."""

    model: type[M]
    state: str  # the field holding the state, a field with choices
    subject: str  # how the refusals name a row: "le dossier"
    # (row, actor, action, previous state, reason): writes one journal row (a JournalTable).
    journal: Callable[[M, Actor | None, str, str, str], None]
    related: tuple[str, ...] = ()  # read with the locked row
    lock_of: tuple[str, ...] = ()  # the tables `select_for_update` locks (default: all read)
    touched: tuple[str, ...] = ()  # saved with every move (an `auto_now` date)

    def lock(self, pk: Any) -> M:
        """The row, read again and locked until the step's transaction ends."""
        rows = self.model._default_manager.select_for_update(of=self.lock_of)
        # select_related() without names would follow every foreign key.
        return (rows.select_related(*self.related) if self.related else rows).get(pk=pk)

    def require_state(self, row: M, allowed: Iterable[str], what: str) -> None:
        if getattr(row, self.state) not in set(allowed):
            shown = getattr(row, f"get_{self.state}_display")()
            raise TransitionError(
                f"Impossible de {what} : {self.subject} est à l'étape « {shown} »."
            )

    def move(
        self,
        row: M,
        actor: Actor | None,
        action: str,
        to: str,
        reason: str = "",
        **fields: Any,
    ) -> M:
        """Move `row` to the state `to`, with `fields` changed in the same save."""
        previous = getattr(row, self.state)
        setattr(row, self.state, to)
        for name, value in fields.items():
            setattr(row, name, value)
        row.save(update_fields=[self.state, *fields, *self.touched])
        self.journal(row, actor, action, previous, reason)
        return row

    def log_step(self, row: M, actor: Actor | None, action: str, reason: str = "") -> None:
        """A journal row for a step that keeps the state (a plan submitted, say)."""
        self.journal(row, actor, action, getattr(row, self.state), reason)
