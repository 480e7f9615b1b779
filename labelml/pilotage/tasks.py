"""The XLSX export task: takes an export id, runs after the request's commit, idempotent
through the export's status (as labelml.documents.tasks.render_document). Building only reads."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils import timezone

from labelml.core import jobs

from .exports import DATASETS, write_xlsx
from .models import Export
from .scope import dossiers_in_scope
from .services import filters_from_snapshot, scope_from_snapshot

logger = logging.getLogger(__name__)


def _fail(export_id: int, message: str) -> str:
    return jobs.fail(Export, export_id, message, finished_at=timezone.now())


@shared_task(
    name="pilotage.build_export",
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
    export = jobs.claim(Export, export_id, running=Export.Statut.RUNNING)
    if export is None:
        return "skipped"
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
    except jobs.TRANSIENT as exc:
        retried = jobs.retry_transient(self, export_id, exc, what="Export")
        if retried is not None:
            return retried
        return _fail(export_id, "La préparation a échoué (erreur passagère répétée) ; relancez-la.")
    except Exception as exc:  # noqa: BLE001 - any other failure is shown to the requester
        logger.exception("Export %s failed", export_id)
        return _fail(export_id, f"La préparation a échoué : {type(exc).__name__} : {exc}")
    Export.objects.filter(pk=export_id).update(
        fichier=export.fichier.name,
        statut=Export.Statut.READY,
        lignes=count,
        finished_at=timezone.now(),
        error="",
    )
    return "ready"


@shared_task(name="pilotage.purge_exports", acks_late=True, reject_on_worker_lost=True)
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
