"""The render task: takes a document id, runs after the request's commit, idempotent through
the document's status (pretix's base/services/tasks.py pattern)."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from labelml.core import jobs

from .models import Document
from .renderers import render, unavailable_reason

logger = logging.getLogger(__name__)


def _fail(document_id: int, message: str) -> str:
    return jobs.fail(Document, document_id, message)


@shared_task(
    name="documents.render_document",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=3,
    soft_time_limit=settings.DOCUMENT_RENDER_SOFT_TIME_LIMIT,
    time_limit=settings.DOCUMENT_RENDER_TIME_LIMIT,
)
def render_document(self, document_id: int) -> str:  # type: ignore[no-untyped-def]
    """A ready document is not rendered again; a redelivered task (its worker died mid-render)
    finishes the same row instead of creating another. Rendering only reads the dossier."""
    # No join: the dossier is read after the status change is committed.
    document = jobs.claim(Document, document_id, running=Document.Statut.RENDERING)
    if document is None:
        return "skipped"
    dossier = document.dossier
    try:
        reason = unavailable_reason(document.type, dossier)
        if reason:
            return _fail(document_id, reason)
        pdf, pages = render(document.type, dossier)
        document.fichier.save(f"{document.type}.pdf", ContentFile(pdf), save=False)
    except SoftTimeLimitExceeded:
        return _fail(document_id, "La génération a dépassé le temps imparti ; relancez-la.")
    except jobs.TRANSIENT as exc:
        retried = jobs.retry_transient(self, document_id, exc, what="Document")
        if retried is not None:
            return retried
        return _fail(
            document_id, "La génération a échoué (erreur passagère répétée) ; relancez-la."
        )
    except Exception as exc:  # noqa: BLE001 - any other failure is shown to the user
        logger.exception("Rendering of document %s failed", document_id)
        return _fail(document_id, f"La génération a échoué : {type(exc).__name__} : {exc}")
    Document.objects.filter(pk=document_id).update(
        fichier=document.fichier.name,
        statut=Document.Statut.READY,
        pages=pages,
        rendered_at=timezone.now(),
        error="",
    )
    return "ready"


@shared_task(name="documents.requeue_pending", acks_late=True, reject_on_worker_lost=True)
def requeue_pending() -> dict[str, int]:
    """Every minute (CELERY_BEAT_SCHEDULE) and when a worker starts (labelml/celery.py): the
    reports, exports and notification e-mails whose task could not be published while Redis was
    down, or whose message was lost, are published again (labelml/core/jobs.py). Beat itself needs
    Redis, so this runs once Redis is back, which is when it is needed. Repeating it is harmless:
    every task is idempotent through its row's status."""
    return jobs.requeue_all()
