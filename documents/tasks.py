from __future__ import annotations

import logging

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from .models import Document
from .renderers import render

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=120,
    time_limit=150,
)
def render_document(self, document_id: int) -> str:  # type: ignore[no-untyped-def]
    """Idempotent through the status: a ready document is not rendered again, and a redelivered
    task finishes the same row instead of creating another."""
    with transaction.atomic():
        document = Document.objects.select_for_update().filter(pk=document_id).first()
        if document is None or document.status == Document.Status.READY:
            return "skipped"
        document.status = Document.Status.RENDERING
        document.save(update_fields=["status"])
    dossier = document.dossier
    try:
        pdf, pages = render(document.kind, dossier)
    except OSError:
        raise  # transient (files, fonts): retried
    except Exception as exc:  # noqa: BLE001 - any other failure is shown to the user
        logger.exception("Rendering of document %s failed", document_id)
        Document.objects.filter(pk=document_id).update(
            status=Document.Status.FAILED, error=f"{type(exc).__name__} : {exc}"[:2000]
        )
        return "failed"
    document.fichier.save(f"{document.kind}.pdf", ContentFile(pdf), save=False)
    Document.objects.filter(pk=document_id).update(
        fichier=document.fichier.name,
        status=Document.Status.READY,
        pages=pages,
        rendered_at=timezone.now(),
        error="",
    )
    return "ready"
