"""Report requests: a `Document` row per request, rendered after commit by a Celery task."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from campagnes.models import Dossier
from labelml.accounts.models import User
from labelml.core import jobs

from .models import Document
from .renderers import unavailable_reason


@transaction.atomic
def request_document(*, dossier: Dossier, actor: User | None, kind: str) -> Document:
    """Queue a render. A render already queued or running for the same dossier and kind is
    reused (a double click does not render twice). A document that cannot exist yet (an audit
    report before validation, an attestation without a label) is refused with the reason."""
    if kind not in Document.Type.values:
        raise ValidationError("Type de rapport inconnu.")
    reason = unavailable_reason(kind, dossier)
    if reason:
        raise ValidationError(reason)
    # Serialise concurrent requests for the same dossier so that only one render is queued.
    Dossier.objects.select_for_update().filter(pk=dossier.pk).first()
    pending = Document.objects.filter(
        dossier=dossier, type=kind, statut__in=[Document.Statut.QUEUED, Document.Statut.RENDERING]
    ).first()
    if pending is not None:
        return pending
    document = Document.objects.create(dossier=dossier, type=kind, requested_by=actor)
    enqueue(document)
    return document


def enqueue(document: Document) -> None:
    """Render after commit; Redis unreachable: the document stays queued, published again by
    requeue_pending once it is back (labelml/core/jobs.py)."""
    from .tasks import render_document

    jobs.enqueue(document, render_document)


def requeue_pending() -> int:
    from .tasks import render_document

    return jobs.requeue(Document.objects.filter(statut=Document.Statut.QUEUED), render_document)


@transaction.atomic
def retry_document(*, document: Document) -> Document:
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.statut == Document.Statut.FAILED:
        document.statut = Document.Statut.QUEUED
        document.error = ""
        document.enqueued_at = None
        document.save(update_fields=["statut", "error", "enqueued_at"])
        enqueue(document)
    return document
