"""The optimistic save, shared by every per-field save (the self-assessment's answers and
syntheses, the audit's findings and report, the follow-up's file and points).

The client sends the version it started from, and the row changes only if nobody saved it in
between: `UPDATE … WHERE version = v`, atomic in the database. Otherwise the save is refused
with the other person's value, never silently overwritten. The callers keep their own checks,
transaction and history; they build their answer with `result` (the autosave's SaveResult), so
that this layer imports no app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import models
from django.db.models import F, QuerySet

M = TypeVar("M", bound=models.Model)
R = TypeVar("R")


def save_if_current(target: QuerySet[M] | type[M], pk: Any, version: int, **changes: Any) -> bool:
    """Write `changes` on the row `pk` of `target` and bump its version, only if it is still at
    `version`. False (nothing written) when somebody saved it since. `target` may narrow the
    rows (a point of this follow-up, an answer still to confirm): only direct columns there, so
    that PostgreSQL re-checks them on the row it locks."""
    rows = target if isinstance(target, QuerySet) else target._default_manager.all()
    return rows.filter(pk=pk, version=version).update(**changes, version=F("version") + 1) > 0


def stored_value(row: models.Model, champ: str) -> str:
    """A field's value as the form posts it: a foreign key's id ("" for none), else the text."""
    if isinstance(row._meta.get_field(champ), models.ForeignKey):
        return str(getattr(row, f"{champ}_id") or "")
    return str(getattr(row, champ))


def refusal(
    model: type[M], pk: Any, champ: str, result: Callable[[bool, int, str, Any, Any], R]
) -> R:
    """The answer to a refused save: the row as stored now, with its version, the value of
    `champ` and, where the model records them, who saved it last and when."""
    stamped = hasattr(model, "updated_by")
    rows = model._default_manager.all()
    current: Any = (rows.select_related("updated_by") if stamped else rows).get(pk=pk)
    return result(
        False,
        current.version,
        stored_value(current, champ),
        getattr(current, "updated_by", None),
        getattr(current, "updated_at", None),
    )
