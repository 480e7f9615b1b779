"""Improvement plan (SPEC §5): actions linked to criteria. The plan stays alive after the label:
follow-up actions for reservations and audit gaps are added to it."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from campagnes.models import Dossier
from referentiel.models import Critere, Element


class PlanAmelioration(models.Model):
    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="plan")
    soumis_le = models.DateTimeField(null=True, blank=True)
    soumis_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("plan d'amélioration")
        verbose_name_plural = _("plans d'amélioration")

    def __str__(self) -> str:
        return f"Plan d'amélioration — {self.dossier}"


class Action(models.Model):
    class Priorite(models.TextChoices):
        HAUTE = "haute", _("Haute")
        MOYENNE = "moyenne", _("Moyenne")
        BASSE = "basse", _("Basse")

    class Statut(models.TextChoices):
        A_FAIRE = "a_faire", _("À faire")
        EN_COURS = "en_cours", _("En cours")
        FAIT = "fait", _("Fait")
        ABANDONNE = "abandonne", _("Abandonné")

    class Origine(models.TextChoices):
        MANUELLE = "manuelle", _("Saisie par la structure")
        SUGGESTION = "suggestion", _("Suggérée par l'auto-évaluation")
        ECART = "ecart", _("Réponse à un écart d'audit")
        RESERVE = "reserve", _("Levée d'une réserve")
        REPRISE = "reprise", _("Reprise du plan précédent")

    plan = models.ForeignKey(PlanAmelioration, on_delete=models.CASCADE, related_name="actions")
    titre = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    criteres = models.ManyToManyField(Critere, related_name="+", verbose_name=_("critères"))
    element_source = models.ForeignKey(
        Element, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    responsable = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions_responsable",
        verbose_name=_("responsable"),
    )
    echeance = models.DateField(_("échéance"), null=True, blank=True)
    priorite = models.CharField(
        _("priorité"), max_length=10, choices=Priorite.choices, default=Priorite.MOYENNE
    )
    statut = models.CharField(
        _("statut"), max_length=10, choices=Statut.choices, default=Statut.A_FAIRE
    )
    avancement = models.PositiveSmallIntegerField(
        _("avancement (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    origine = models.CharField(max_length=12, choices=Origine.choices, default=Origine.MANUELLE)
    # What was done and where its proof is (the lifting of a reservation, SPEC §7).
    realisation = models.TextField(_("réalisation et justificatifs"), blank=True)
    # On a renewal, the open action of the previous plan this one carries on (SPEC §7b).
    reprise_de = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reprises"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["echeance", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(avancement__lte=100), name="action_avancement_max_100"
            )
        ]

    def __str__(self) -> str:
        return self.titre
