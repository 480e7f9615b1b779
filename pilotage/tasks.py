"""The XLSX export task: takes an export id, runs after the request's commit, idempotent
through the export's status (as documents.tasks.render_document). Building only reads."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from .exports import DATASETS, write_xlsx
from .models import Export
from .scope import dossiers_in_scope
from .services import filters_from_snapshot, scope_from_snapshot

logger = logging.getLogger(__name__)

# Worth another try: the disk, the storage and the database connection come back.
TRANSIENT = (OSError, OperationalError, InterfaceError)


def _fail(export_id: int, message: str) -> str:
    Export.objects.filter(pk=export_id).update(
        status=Export.Status.FAILED, error=message[:2000], finished_at=timezone.now()
    )
    return "failed"


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=3,
    soft_time_limit=settings.EXPORT_SOFT_TIME_LIMIT,
    time_limit=settings.EXPORT_TIME_LIMIT,
)
def build_export(self, export_id: int) -> str:  # type: ignore[no-untyped-def]
    """A ready or failed export is not built again; a redelivered task (its worker died) builds
    the same row again instead of creating another."""
    with transaction.atomic():
        export = Export.objects.select_for_update().filter(pk=export_id).first()
        if export is None or export.status in (Export.Status.READY, Export.Status.FAILED):
            return "skipped"
        export.status = Export.Status.RUNNING
        export.save(update_fields=["status"])
    try:
        dataset = DATASETS[export.dataset]
        scope = scope_from_snapshot(export.scope)
        filters = filters_from_snapshot(export.filters, scope)
        dossiers = dossiers_in_scope(scope, filters)
        with tempfile.TemporaryFile(suffix=".xlsx") as tmp:
            count = write_xlsx(dataset, dataset.rows(dossiers), tmp, dataset.label)
            tmp.seek(0)
            export.fichier.save(export.filename, File(tmp), save=False)
    except ValidationError as exc:
        return _fail(export_id, " ".join(exc.messages))
    except SoftTimeLimitExceeded:
        return _fail(export_id, "La préparation a dépassé le temps imparti ; relancez-la.")
    except TRANSIENT as exc:
        if self.request.retries < self.max_retries:
            logger.warning("Export %s hit a transient error: %s", export_id, exc)
            if self.request.is_eager:  # no broker to come back through: try again at once
                return str(self.apply(args=(export_id,), retries=self.request.retries + 1).result)
            raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 1)) from exc
        logger.exception("Export %s failed after retries", export_id)
        return _fail(export_id, "La préparation a échoué (erreur passagère répétée) ; relancez-la.")
    except Exception as exc:  # noqa: BLE001 - any other failure is shown to the requester
        logger.exception("Export %s failed", export_id)
        return _fail(export_id, f"La préparation a échoué : {type(exc).__name__} : {exc}")
    Export.objects.filter(pk=export_id).update(
        fichier=export.fichier.name,
        status=Export.Status.READY,
        lignes=count,
        finished_at=timezone.now(),
        error="",
    )
    return "ready"


@shared_task(acks_late=True, reject_on_worker_lost=True)
def purge_exports() -> int:
    """Exports hold personal data (justifications, observations): their files are deleted after
    EXPORT_RETENTION_DAYS. Run daily by Celery beat."""
    limit = timezone.now() - dt.timedelta(days=settings.EXPORT_RETENTION_DAYS)
    purged = 0
    for export in Export.objects.filter(created_at__lt=limit).only("pk", "fichier"):
        if export.fichier:
            export.fichier.delete(save=False)
        export.delete()
        purged += 1
    return purged
