"""What the file-producing tasks share (PDF documents, XLSX exports): a row that goes queued →
running → ready | failed. The task claims the row (committed before the work, so a redelivered
task finds it running and does the work again on the same row), retries transient errors, and
otherwise fails the row with a message in French for the person who asked."""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Model

logger = logging.getLogger(__name__)

# Worth another try: files, fonts, the storage and the database connection come back.
TRANSIENT = (OSError, OperationalError, InterfaceError)

M = TypeVar("M", bound=Model)


def claim(model: type[M], pk: int, *, running: str) -> M | None:
    """Lock the row and mark it running; None when it is gone or already finished (a retried
    or duplicated message does nothing twice)."""
    finished = ("ready", "failed")
    with transaction.atomic():
        job = model._default_manager.select_for_update().filter(pk=pk).first()
        if job is None or job.status in finished:  # type: ignore[attr-defined]
            return None
        job.status = running  # type: ignore[attr-defined]
        job.save(update_fields=["status"])
    return job


def fail(model: type[Model], pk: int, message: str, **fields: Any) -> str:
    model._default_manager.filter(pk=pk).update(status="failed", error=message[:2000], **fields)
    return "failed"


def retry_transient(task: Any, pk: int, exc: Exception, *, what: str) -> str | None:
    """Retry the task later (raises Retry), or at once when it runs eagerly (no broker to come
    back through). None once the retries are spent: the caller fails the row."""
    if task.request.retries >= task.max_retries:
        logger.exception("%s %s failed after retries", what, pk)
        return None
    logger.warning("%s %s hit a transient error: %s", what, pk, exc)
    if task.request.is_eager:
        return str(task.apply(args=(pk,), retries=task.request.retries + 1).result)
    raise task.retry(exc=exc, countdown=2 ** (task.request.retries + 1)) from exc
