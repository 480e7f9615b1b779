"""XLSX export requests: an `Export` row per request, built after commit by a Celery task that
re-applies the requester's scope and filters as they were when they asked."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from campagnes.models import Campagne
from labelml.accounts.models import User
from labelml.core import jobs

from .exports import DATASETS, export_filename
from .models import Export
from .scope import Filters, Scope


def scope_snapshot(scope: Scope) -> dict[str, Any]:
    return {"national": scope.national, "armls": list(scope.armls), "regions": list(scope.regions)}


def scope_from_snapshot(data: dict[str, Any]) -> Scope:
    """The saved scope; anything malformed reads as an ARML scope over no ARML (nothing)."""
    national = data.get("national") is True
    return Scope(
        national=national,
        armls=tuple(int(pk) for pk in data.get("armls") or ()),
        regions=tuple(str(r) for r in data.get("regions") or ()),
    )


def filters_snapshot(filters: Filters) -> dict[str, Any]:
    return {
        "campagne": filters.campagne.pk if filters.campagne else None,
        "region": filters.region,
    }


def filters_from_snapshot(data: dict[str, Any], scope: Scope) -> Filters:
    campagne = Campagne.objects.filter(pk=data.get("campagne") or 0).first()
    if campagne is None:
        raise ValidationError("La campagne de cet export n'existe plus.")
    region = data.get("region") or None
    if region is not None and region not in scope.regions:
        raise ValidationError("Cette région n'est pas dans le périmètre de l'export.")
    return Filters(campagne=campagne, region=region)


@transaction.atomic
def request_export(*, user: User, scope: Scope, filters: Filters, dataset: str) -> Export:
    """Queue an XLSX export. The same export already queued or running for the same person is
    reused (a double click builds one file)."""
    if dataset not in DATASETS:
        raise ValidationError("Jeu de données inconnu.")
    if filters.campagne is None:
        raise ValidationError("Aucune campagne à exporter.")
    # Serialise this person's concurrent requests so that only one build is queued.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    wanted = filters_snapshot(filters)
    snapshot = scope_snapshot(scope)
    pending = Export.objects.filter(
        requested_by=user,
        dataset=dataset,
        format=Export.Format.XLSX,
        statut__in=[Export.Statut.QUEUED, Export.Statut.RUNNING],
    )
    for export in pending:
        if export.filters == wanted and export.scope == snapshot:
            return export
    export = Export.objects.create(
        dataset=dataset,
        format=Export.Format.XLSX,
        filters=wanted,
        scope=snapshot,
        filename=export_filename(dataset, filters.campagne, filters.region, "xlsx"),
        requested_by=user,
    )
    enqueue(export)
    return export


def enqueue(export: Export) -> None:
    """Build after commit; Redis unreachable: the export stays queued, published again by
    requeue_pending once it is back (labelml/core/jobs.py)."""
    from .tasks import build_export

    jobs.enqueue(export, build_export)


def requeue_pending() -> int:
    from .tasks import build_export

    return jobs.requeue(Export.objects.filter(statut=Export.Statut.QUEUED), build_export)


@transaction.atomic
def retry_export(*, export: Export) -> Export:
    export = Export.objects.select_for_update().get(pk=export.pk)
    if export.statut == Export.Statut.FAILED:
        export.statut = Export.Statut.QUEUED
        export.error = ""
        export.finished_at = None
        export.enqueued_at = None
        export.save(update_fields=["statut", "error", "finished_at", "enqueued_at"])
        enqueue(export)
    return export
