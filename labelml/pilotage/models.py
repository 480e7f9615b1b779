"""XLSX exports built by a Celery task (SPEC §9): a request creates an `Export`, the task writes
the file. CSV exports are streamed by the view and leave no row."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from labelml.core import jobs


def _export_path(instance: Any, filename: str) -> str:
    return f"exports/{uuid.uuid4().hex}.xlsx"


class Export(models.Model):
    class Dataset(models.TextChoices):
        DOSSIERS = "dossiers", _("Dossiers")
        REPONSES = "reponses", _("Réponses de l'auto-évaluation")
        CONSTATS = "constats", _("Constats de l'évaluation externe")

    class Format(models.TextChoices):
        XLSX = "xlsx", _("Excel (XLSX)")

    class Statut(models.TextChoices):
        QUEUED = "queued", _("En attente")
        RUNNING = "running", _("En cours de préparation")
        READY = "ready", _("Prêt")
        FAILED = "failed", _("Échec")

    dataset = models.CharField(_("données"), max_length=20, choices=Dataset.choices)
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.XLSX)
    # {"campagne": <id>, "region": "<INSEE code>" | null}
    filters = models.JSONField(_("filtres"), default=dict)
    # The requester's scope when they asked: {"national": bool, "armls": [ids], "regions": [...]};
    # the task applies exactly this scope, never a wider one.
    scope = models.JSONField(_("périmètre"), default=dict)
    statut = models.CharField(max_length=10, choices=Statut.choices, default=Statut.QUEUED)
    error = models.TextField(blank=True)
    fichier = models.FileField(upload_to=_export_path, blank=True, max_length=255)
    filename = models.CharField(_("nom du fichier"), max_length=200)
    lignes = models.PositiveIntegerField(_("lignes"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exports"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When its task was last handed to the broker; empty while Redis could not be reached
    # (labelml/core/jobs.py: published again once it is back).
    enqueued_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["requested_by", "-created_at"])]

    def __str__(self) -> str:
        return self.filename

    @property
    def pending(self) -> bool:
        return self.statut in (self.Statut.QUEUED, self.Statut.RUNNING)

    @property
    def waiting_for_service(self) -> bool:
        """Queued while the task queue (Redis) was unreachable: built once it is back."""
        return jobs.waiting_for_broker(self, pending=self.statut == self.Statut.QUEUED)
