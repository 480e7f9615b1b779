"""Report requests: a `Document` row per request, rendered after commit by a Celery task."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from campagnes.models import Dossier

from .models import Document


@transaction.atomic
def request_document(*, dossier: Dossier, actor: Any, kind: str) -> Document:
    """Reuse a render already queued or running for the same dossier and kind (a double click
    does not render twice); otherwise queue a new one."""
    if kind not in Document.Kind.values:
        raise ValueError(f"Type de rapport inconnu : {kind}")
    pending = Document.objects.filter(
        dossier=dossier, kind=kind, status__in=[Document.Status.QUEUED, Document.Status.RENDERING]
    ).first()
    if pending is not None:
        return pending
    document = Document.objects.create(dossier=dossier, kind=kind, requested_by=actor)
    enqueue(document.pk)
    return document


def enqueue(document_id: int) -> None:
    from .tasks import render_document

    transaction.on_commit(lambda: render_document.delay(document_id))


@transaction.atomic
def retry_document(*, document: Document) -> Document:
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.status == Document.Status.FAILED:
        document.status = Document.Status.QUEUED
        document.error = ""
        document.save(update_fields=["status", "error"])
        enqueue(document.pk)
    return document
