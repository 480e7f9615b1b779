"""The optimistic save of every per-field save (self-assessment, audit, follow-up): the row
changes only if nobody saved it since the version the client started from (`UPDATE … WHERE
version = v`, atomic in the database); otherwise the save is refused with the other person's
value. The callers keep their checks, transaction and history, and pass their result type."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import models
from django.db.models import F, QuerySet

M = TypeVar("M", bound=models.Model)
R = TypeVar("R")


def save_if_current(target: QuerySet[M] | type[M], pk: Any, version: int, **changes: Any) -> bool:
    """Write `changes` on the row `pk` of `target` and bump its version if it is still at
    `version` (False: somebody saved it since). A queryset `target` narrows the rows with
    direct columns only, which PostgreSQL re-checks on the row it locks."""
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
