"""What the file-producing tasks share (PDF documents, XLSX exports): a row that goes queued →
running → ready | failed. The task claims the row (committed before the work, so a redelivered
task finds it running and does the work again on the same row), retries transient errors, and
otherwise fails the row with a message in French for the person who asked."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from celery import current_app
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from labelml.core.hooks import Hook

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
        if job is None or job.statut in finished:  # type: ignore[attr-defined]
            return None
        job.statut = running  # type: ignore[attr-defined]
        job.save(update_fields=["statut"])
    return job


def fail(model: type[Model], pk: int, message: str, **fields: Any) -> str:
    model._default_manager.filter(pk=pk).update(statut="failed", error=message[:2000], **fields)
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


# --- Publication: a task is sent to the broker after the commit that created its row ----------
# Redis unreachable: the request still succeeds (its data is committed), the row stays queued
# with no publication time, the page says so (SERVICE_UNAVAILABLE), and `requeue` publishes it
# again once Redis is back (labelml.documents.tasks.requeue_pending: every minute from beat, and
# when a
# worker starts). Tasks are idempotent through the row's status, so a second message is harmless.

SERVICE_UNAVAILABLE = (
    "Le service de génération est momentanément indisponible : votre {what} sera généré dès "
    "son retour."
)


def _eager(task: Any) -> bool:
    return bool(task.app.conf.task_always_eager)


def publish(task: Any, pk: int) -> bool:
    """Send the task for this row; False, logged, when the broker cannot be reached (Celery's
    publication gives up within about a second: settings.CELERY_TASK_PUBLISH_RETRY_POLICY)."""
    try:
        task.delay(pk)
    except Exception as exc:  # noqa: BLE001 - kombu OperationalError, result store RuntimeError…
        logger.warning(
            "Publication of %s(%s) failed, left for the recovery run: %s: %s",
            task.name,
            pk,
            type(exc).__name__,
            exc,
        )
        return False
    return True


def enqueue(job: Model, task: Any, *, field: str = "enqueued_at") -> None:
    """Publish the task for `job` once the current transaction commits, and record when (in the
    row and on the instance, for the page that asked). Eager mode (no broker): the task simply
    runs, failures propagate, nothing is recorded."""
    pk = job.pk
    assert pk is not None

    def send() -> None:
        if _eager(task):
            task.delay(pk)
        elif publish(task, pk):
            now = timezone.now()
            type(job)._default_manager.filter(pk=pk).update(**{field: now})
            setattr(job, field, now)

    transaction.on_commit(send)


def waiting_for_broker(job: Model, *, pending: bool, field: str = "enqueued_at") -> bool:
    """True when `job` (still pending) was never published: Redis was down when it was asked."""
    return pending and getattr(job, field) is None and not current_app.conf.task_always_eager


def requeue(
    queryset: QuerySet[M],
    task: Any,
    *,
    field: str = "enqueued_at",
    created_field: str = "created_at",
    limit: int = 500,
) -> int:
    """Publish again the pending rows of `queryset` (the caller's filter says what pending
    means) that were never published (older than JOB_REQUEUE_GRACE: the request that created
    them may still be publishing) or published more than JOB_REQUEUE_LOST_AFTER ago (the
    message was lost). Rows are first stamped in a short transaction that skips rows another
    run holds, then published; those that could not be are un-stamped, and the run stops at the
    first failure (Redis still down). Returns how many were published."""
    now = timezone.now()
    never = Q(**{f"{field}__isnull": True}) & Q(
        **{f"{created_field}__lt": now - dt.timedelta(seconds=settings.JOB_REQUEUE_GRACE)}
    )
    lost = Q(**{f"{field}__lt": now - dt.timedelta(seconds=settings.JOB_REQUEUE_LOST_AFTER)})
    model = queryset.model
    with transaction.atomic():
        pks = list(
            queryset.filter(never | lost)
            .select_for_update(skip_locked=True)
            .order_by(created_field)
            .values_list("pk", flat=True)[:limit]
        )
        model._default_manager.filter(pk__in=pks).update(**{field: now})
    published = 0
    for pk in pks:
        if not publish(task, pk):
            model._default_manager.filter(pk__in=pks[published:], **{field: now}).update(
                **{field: None}
            )
            logger.warning(
                "Recovery of %s stopped: %d not published yet", task.name, len(pks) - published
            )
            break
        published += 1
    if published:
        logger.info("Recovery: %d %s published again", published, task.name)
    return published


# Why a registry: core sits below the apps that own the job rows (documents, pilotage,
# notifications); each registers its recovery function in its AppConfig.ready().
_REQUEUERS: Hook[Callable[[], int]] = Hook("jobs.requeue")


def register_requeue(name: str, requeue_pending: Callable[[], int]) -> None:
    """Have `requeue_all` call `requeue_pending` (it returns how many rows it published again);
    `name` is its key in the counts. Registering a name again replaces the function."""
    _REQUEUERS.register(requeue_pending, name=name)


def requeue_all() -> dict[str, int]:
    """Every kind of row a task is published for (reports, exports, notification e-mails: those
    registered), with how many of each were published again."""
    return {name: requeue_pending() for name, requeue_pending in _REQUEUERS.items()}
