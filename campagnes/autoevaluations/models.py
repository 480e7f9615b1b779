"""Self-assessment (SPEC §4): a rating and a justification per element, a synthesis per
criterion, evidence files, and the immutable snapshots taken at each submission."""

from __future__ import annotations

import uuid
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from campagnes.models import Dossier
from referentiel.models import Critere, Element, Niveau


class AutoEvaluation(models.Model):
    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="autoevaluation")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("auto-évaluation")
        verbose_name_plural = _("auto-évaluations")

    def __str__(self) -> str:
        return f"Auto-évaluation — {self.dossier}"


class Reponse(models.Model):
    """One element's answer. Created empty with the dossier; `niveau` stays null until a person
    rates it, so progress only counts what people did. `version` drives optimistic concurrency."""

    autoevaluation = models.ForeignKey(
        AutoEvaluation, on_delete=models.CASCADE, related_name="reponses"
    )
    element = models.ForeignKey(Element, on_delete=models.PROTECT, related_name="+")
    niveau = models.ForeignKey(
        Niveau, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    justification = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=0)
    # Set on a renewal copy until a person confirms or changes the answer (SPEC §7b).
    a_confirmer = models.BooleanField(default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("réponse")
        verbose_name_plural = _("réponses")
        constraints = [
            models.UniqueConstraint(
                fields=["autoevaluation", "element"], name="one_reponse_per_element"
            )
        ]

    def __str__(self) -> str:
        return f"Réponse {self.element_id} (v{self.version})"


class SyntheseCritere(models.Model):
    autoevaluation = models.ForeignKey(
        AutoEvaluation, on_delete=models.CASCADE, related_name="syntheses"
    )
    critere = models.ForeignKey(Critere, on_delete=models.PROTECT, related_name="+")
    synthese = models.TextField(_("synthèse"), blank=True)
    points_forts = models.TextField(_("points forts"), blank=True)
    axes_amelioration = models.TextField(_("axes d'amélioration"), blank=True)
    # Set on a renewal copy until a person confirms or changes the synthesis (SPEC §7b).
    a_confirmer = models.BooleanField(default=False)
    contributeur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="criteres_assignes",
        verbose_name=_("contributeur assigné"),
    )
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("synthèse du critère")
        verbose_name_plural = _("synthèses des critères")
        constraints = [
            models.UniqueConstraint(
                fields=["autoevaluation", "critere"], name="one_synthese_per_critere"
            )
        ]

    def __str__(self) -> str:
        return f"Synthèse {self.critere_id} (v{self.version})"


class Saisie(models.Model):
    """Every acknowledged save, in order: nothing a person saved is ever lost, even when a
    later save replaced it."""

    autoevaluation = models.ForeignKey(
        AutoEvaluation, on_delete=models.CASCADE, related_name="saisies"
    )
    reponse = models.ForeignKey(
        Reponse, on_delete=models.CASCADE, null=True, blank=True, related_name="saisies"
    )
    synthese = models.ForeignKey(
        SyntheseCritere, on_delete=models.CASCADE, null=True, blank=True, related_name="saisies"
    )
    champ = models.CharField(max_length=30)
    valeur = models.TextField(blank=True)
    version = models.PositiveIntegerField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("saisie")
        verbose_name_plural = _("historique des saisies")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.champ} v{self.version}"


class Snapshot(models.Model):
    """What was submitted, frozen: the auditor, the commission and the reports refer to it.
    A reopening and a new submission create a new snapshot; an old one never changes."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="snapshots")
    numero = models.PositiveIntegerField()
    contenu = models.JSONField()
    empreinte = models.CharField(max_length=64)
    soumis_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    soumis_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("auto-évaluation soumise")
        verbose_name_plural = _("auto-évaluations soumises")
        ordering = ["dossier", "numero"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "numero"], name="snapshot_numero")
        ]

    def __str__(self) -> str:
        return f"Version {self.numero} — {self.dossier}"


def _preuve_path(instance: Any, filename: str) -> str:
    # Never reuse the uploaded name on disk: it is only kept for display and download.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"preuves/{instance.dossier_id}/{uuid.uuid4().hex}{suffix}"


class PreuveManager(models.Manager["Preuve"]):
    """The evidence of the self-assessment as it stands: without what was deleted."""

    def get_queryset(self) -> models.QuerySet[Preuve]:
        return super().get_queryset().filter(supprimee_le__isnull=True)


class Preuve(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="preuves")
    critere = models.ForeignKey(Critere, on_delete=models.PROTECT, related_name="+")
    element = models.ForeignKey(
        Element, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    titre = models.CharField(_("titre"), max_length=200)
    fichier = models.FileField(upload_to=_preuve_path, max_length=255)
    nom_original = models.CharField(max_length=255)
    type_mime = models.CharField(max_length=100)
    taille = models.PositiveBigIntegerField()
    empreinte = models.CharField(max_length=64)
    date_effet = models.DateField(_("date d'effet"))
    date_expiration = models.DateField(_("date d'expiration"), null=True, blank=True)
    ajoute_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    ajoute_le = models.DateTimeField(auto_now_add=True)
    # Deleted after a reopening while a submitted version names it: gone from the
    # self-assessment, kept (with its file) for that version (campagnes/autoevaluations/preuves.py).
    supprimee_le = models.DateTimeField(_("supprimée le"), null=True, blank=True)
    supprimee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    # Every row, deleted ones included: only for a submitted version's own evidence.
    with_deleted = models.Manager()
    # The default manager (related managers, the admin, forms): current evidence only, so that
    # a forgotten filter never shows a deleted one.
    objects = PreuveManager()

    class Meta:
        verbose_name = _("preuve")
        verbose_name_plural = _("preuves")
        ordering = ["critere", "-ajoute_le"]
        default_manager_name = "objects"
        base_manager_name = "with_deleted"

    def __str__(self) -> str:
        return self.titre


def _fiche_path(instance: Any, filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"fiches/{instance.critere_id}/{uuid.uuid4().hex}{suffix}"


class FicheMethodologique(models.Model):
    """Guidance attached by administrators to a criterion, next to the référentiel's own help."""

    critere = models.ForeignKey(Critere, on_delete=models.CASCADE, related_name="fiches")
    titre = models.CharField(_("titre"), max_length=200)
    fichier = models.FileField(upload_to=_fiche_path, blank=True, max_length=255)
    lien = models.URLField(_("lien"), blank=True)
    description = models.TextField(blank=True)
    ajoute_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("fiche méthodologique")
        verbose_name_plural = _("fiches méthodologiques")
        ordering = ["critere", "titre"]

    def __str__(self) -> str:
        return self.titre
