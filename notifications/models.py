from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """An in-app notification; the same text is e-mailed by a Celery task (idempotent through
    `email_envoye_le`)."""

    destinataire = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    dossier = models.ForeignKey(
        "campagnes.Dossier", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    titre = models.CharField(max_length=200)
    message = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    lu_le = models.DateTimeField(null=True, blank=True)
    email_envoye_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["destinataire", "lu_le"])]

    def __str__(self) -> str:
        return self.titre
