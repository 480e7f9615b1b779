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
    # When the e-mail task was last handed to the broker; empty while Redis could not be
    # reached (labelml/core/jobs.py: published again once it is back, within a day).
    email_enqueued_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["destinataire", "lu_le"])]

    def __str__(self) -> str:
        return self.titre


class Rappel(models.Model):
    """A deadline reminder that was sent. The unique constraint makes each one go out once,
    however often (or concurrently) the daily job runs; a moved deadline is a new reminder."""

    class Type(models.TextChoices):
        AUTOEVALUATION_J14 = "autoevaluation_j14", _("Clôture de l'auto-évaluation dans 14 jours")
        AUTOEVALUATION_J3 = "autoevaluation_j3", _("Clôture de l'auto-évaluation dans 3 jours")
        ECARTS_J7 = "ecarts_j7", _("Réponse aux écarts : échéance dans 7 jours")
        LABEL_M6 = "label_m6", _("Expiration du label dans 6 mois")
        LABEL_M1 = "label_m1", _("Expiration du label dans 1 mois")
        SUIVI_J30 = "suivi_j30", _("Audit de suivi : dossier à transmettre")

    type = models.CharField(_("type"), max_length=30, choices=Type.choices)
    # The dossier (self-assessment, gaps), the label (expiry) or the follow-up audit the
    # reminder is about.
    object_id = models.PositiveBigIntegerField(_("objet"))
    deadline = models.DateField(_("échéance"))
    recipients = models.PositiveIntegerField(_("destinataires"), default=0)
    sent_at = models.DateTimeField(_("envoyé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("rappel")
        verbose_name_plural = _("rappels")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["type", "object_id", "deadline"], name="one_rappel_per_deadline"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} — {self.object_id} ({self.deadline})"
