"""Personal API tokens ("Jetons d'accès"): a token acts as its owner, within the owner's scope,
read-only or read and write. Only a SHA-256 digest of the secret is stored; the secret is shown
once, when it is created."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JetonAcces(models.Model):
    class Portee(models.TextChoices):
        LECTURE = "lecture", _("Lecture")
        ECRITURE = "ecriture", _("Lecture et écriture")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jetons_acces"
    )
    nom = models.CharField(_("nom"), max_length=100)
    # The first characters of the secret, shown in the list to tell tokens apart.
    prefixe = models.CharField(max_length=16)
    empreinte = models.CharField(max_length=64, unique=True)
    portee = models.CharField(_("portée"), max_length=10, choices=Portee.choices)
    expire_le = models.DateTimeField(_("expire le"))
    created_at = models.DateTimeField(auto_now_add=True)
    dernier_usage = models.DateTimeField(null=True, blank=True)
    revoque_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("jeton d'accès")
        verbose_name_plural = _("jetons d'accès")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.nom} ({self.prefixe}…)"

    @property
    def actif(self) -> bool:
        return self.revoque_le is None and self.expire_le > timezone.now()

    @property
    def ecriture(self) -> bool:
        return self.portee == self.Portee.ECRITURE
