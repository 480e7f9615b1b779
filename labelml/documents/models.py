"""Rendered PDF reports (SPEC §8). A request creates a `Document`; a Celery task renders it."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from campagnes.models import Dossier
from labelml.core import jobs


def _document_path(instance: Any, filename: str) -> str:
    return f"documents/{instance.dossier_id}/{uuid.uuid4().hex}.pdf"


class Document(models.Model):
    class Type(models.TextChoices):
        AUTOEVALUATION = "autoevaluation", _("Rapport d'auto-évaluation")
        PLAN = "plan", _("Plan d'amélioration")
        AUDIT = "audit", _("Rapport d'audit")
        DECISION = "decision", _("Lettre de décision")
        ATTESTATION = "attestation", _("Attestation de labellisation")
        SUIVI = "suivi", _("Rapport d'audit de suivi")

    class Statut(models.TextChoices):
        QUEUED = "queued", _("En attente")
        RENDERING = "rendering", _("En cours de génération")
        READY = "ready", _("Prêt")
        FAILED = "failed", _("Échec")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    type = models.CharField(max_length=30, choices=Type.choices)
    statut = models.CharField(max_length=10, choices=Statut.choices, default=Statut.QUEUED)
    error = models.TextField(blank=True)
    fichier = models.FileField(upload_to=_document_path, blank=True, max_length=255)
    pages = models.PositiveIntegerField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When its render task was last handed to the broker; empty while Redis could not be
    # reached (labelml/core/jobs.py: published again once it is back).
    enqueued_at = models.DateTimeField(null=True, blank=True, editable=False)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("rapport PDF")
        verbose_name_plural = _("rapports PDF")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_type_display()} — {self.dossier}"

    @property
    def filename(self) -> str:
        return f"{self.type}-{self.dossier.structure.code}-{self.created_at:%Y%m%d}.pdf"

    @property
    def waiting_for_service(self) -> bool:
        """Queued while the task queue (Redis) was unreachable: rendered once it is back."""
        return jobs.waiting_for_broker(self, pending=self.statut == self.Statut.QUEUED)


def _image_path(instance: Any, filename: str) -> str:
    return f"parametres-documents/{uuid.uuid4().hex}{filename[filename.rfind('.') :][:6]}"


class ParametresDocuments(models.Model):
    """The letterhead of the decision letter and the attestation, set by a national
    administrator: one row (pk=1), read at every render so that a change applies to the next
    document without a deployment."""

    emetteur = models.CharField(
        _("émetteur"), max_length=200, default="Union nationale des Missions Locales"
    )
    adresse = models.TextField(_("adresse"), blank=True, default="")
    logo = models.FileField(_("logo"), upload_to=_image_path, blank=True, max_length=255)
    signature = models.FileField(
        _("image de la signature"), upload_to=_image_path, blank=True, max_length=255
    )
    signataire_nom = models.CharField(_("nom du signataire"), max_length=200, blank=True)
    signataire_qualite = models.CharField(
        _("qualité du signataire"), max_length=200, blank=True, default="Président de l'UNML"
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("paramètres des documents")
        verbose_name_plural = _("paramètres des documents")

    def __str__(self) -> str:
        return "Paramètres des documents"

    @classmethod
    def current(cls) -> ParametresDocuments:
        """The saved settings, or the defaults (unsaved: reading never writes)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)
