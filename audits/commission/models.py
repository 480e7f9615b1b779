"""The labelling commission (SPEC §7): séances, agenda, recusals, votes, decisions, labels."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from campagnes.models import Dossier, DossierTransition
from labelml.structures.models import MembreCommission, Structure

from . import tally as t


class Seance(models.Model):
    class Statut(models.TextChoices):
        PLANIFIEE = "planifiee", _("Planifiée")
        OUVERTE = "ouverte", _("Ouverte")
        CLOSE = "close", _("Close")

    class Action(models.TextChoices):
        """The séance's steps, in the journal of each dossier on its agenda (subject "seance")."""

        MODIFICATION = "modification_seance", _("Séance modifiée")
        OUVERTURE = "ouverture_seance", _("Séance ouverte")
        CLOTURE = "cloture_seance", _("Séance close")

    date = models.DateTimeField(_("date"))
    lieu = models.CharField(_("lieu"), max_length=200, blank=True)
    president = models.ForeignKey(
        MembreCommission,
        on_delete=models.PROTECT,
        related_name="seances_presidees",
        verbose_name=_("président(e) de séance"),
    )
    membres = models.ManyToManyField(
        MembreCommission, related_name="seances", verbose_name=_("membres")
    )
    statut = models.CharField(max_length=10, choices=Statut.choices, default=Statut.PLANIFIEE)
    quorum_pourcentage = models.PositiveSmallIntegerField(
        _("quorum (%)"),
        default=50,
        validators=[MaxValueValidator(99)],
        help_text=_(
            "Quorum : strictement plus de ce pourcentage des membres non récusés "
            "doivent prendre part au vote (50 % par défaut : plus de la moitié)."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("séance de la commission")
        verbose_name_plural = _("séances de la commission")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"Séance du {self.date:%d/%m/%Y}"


class PointOrdreDuJour(models.Model):
    """One dossier on a séance's agenda, with its vote and, once closed, its decision."""

    class Vote(models.TextChoices):
        OUVERT = "ouvert", _("Vote ouvert")
        CLOS = "clos", _("Vote clos")
        # Closed without quorum: no decision; the item goes back to the agenda (reopened, or
        # placed on a later séance).
        SANS_QUORUM = "sans_quorum", _("Vote clos sans quorum")

    seance = models.ForeignKey(Seance, on_delete=models.CASCADE, related_name="points")
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="points_commission")
    rapporteur = models.ForeignKey(
        MembreCommission,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rapporteur"),
    )
    ordre = models.PositiveIntegerField(default=0)
    vote = models.CharField(max_length=12, choices=Vote.choices, default=Vote.OUVERT)
    clos_le = models.DateTimeField(null=True, blank=True)
    note_rapporteur = models.TextField(_("note du rapporteur"), blank=True)

    class Meta:
        verbose_name = _("point de l'ordre du jour")
        verbose_name_plural = _("ordre du jour")
        ordering = ["seance", "ordre", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["seance", "dossier"], name="dossier_once_per_seance")
        ]

    def __str__(self) -> str:
        return f"{self.seance} — {self.dossier}"


class Recusation(models.Model):
    point = models.ForeignKey(
        PointOrdreDuJour, on_delete=models.CASCADE, related_name="recusations"
    )
    membre = models.ForeignKey(MembreCommission, on_delete=models.CASCADE, related_name="+")
    automatique = models.BooleanField(default=False)
    motif = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("récusation")
        verbose_name_plural = _("récusations")
        constraints = [
            models.UniqueConstraint(fields=["point", "membre"], name="one_recusal_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.membre} récusé(e) — {self.point}"


class Vote(models.Model):
    class Choix(models.TextChoices):
        FAVORABLE = t.FAVORABLE, _("Favorable")
        FAVORABLE_AVEC_RESERVES = t.FAVORABLE_AVEC_RESERVES, _("Favorable avec réserves")
        DEFAVORABLE = t.DEFAVORABLE, _("Défavorable")
        ABSTENTION = t.ABSTENTION, _("Abstention")

    point = models.ForeignKey(PointOrdreDuJour, on_delete=models.CASCADE, related_name="votes")
    membre = models.ForeignKey(MembreCommission, on_delete=models.CASCADE, related_name="+")
    choix = models.CharField(max_length=30, choices=Choix.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["point", "membre"], name="one_vote_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.membre}: {self.choix}"


class Decision(models.Model):
    class Resultat(models.TextChoices):
        LABELLISE = t.LABELLISE, _("Labellisé")
        LABELLISE_SOUS_RESERVE = t.LABELLISE_SOUS_RESERVE, _("Labellisé sous réserve")
        AJOURNE = t.AJOURNE, _("Ajourné")
        REFUSE = t.REFUSE, _("Refusé")

    point = models.OneToOneField(
        PointOrdreDuJour, on_delete=models.PROTECT, related_name="decision"
    )
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="decisions")
    resultat = models.CharField(max_length=30, choices=Resultat.choices)
    motivation = models.TextField()
    decompte = models.JSONField(default=dict)
    decide_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decide_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("décision")
        verbose_name_plural = _("décisions")

    def __str__(self) -> str:
        return f"{self.get_resultat_display()} — {self.dossier}"


class Label(models.Model):
    class Statut(models.TextChoices):
        VALIDE = "valide", _("Valide")
        SUSPENDU = "suspendu", _("Suspendu")
        RETIRE = "retire", _("Retiré")

    class Action(models.TextChoices):
        """The label's life after the decision (SPEC §7b), in the dossier's journal (subject
        "label"): who, when, from, to, why."""

        SUSPENSION = "suspension", _("Suspension")
        RETABLISSEMENT = "retablissement", _("Levée de la suspension")
        RETRAIT = "retrait", _("Retrait")
        LEVEE_RESERVES = "levee_reserves", _("Levée des réserves")

    structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="labels")
    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="label")
    numero = models.CharField(_("numéro de certificat"), max_length=30, unique=True)
    date_debut = models.DateField(_("valable du"))
    date_fin = models.DateField(_("valable jusqu'au"))
    reserves = models.TextField(_("réserves"), blank=True)
    reserves_levees_le = models.DateTimeField(_("réserves levées le"), null=True, blank=True)
    statut = models.CharField(max_length=10, choices=Statut.choices, default=Statut.VALIDE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("label")
        verbose_name_plural = _("labels")
        ordering = ["-date_debut"]

    def __str__(self) -> str:
        return f"{self.numero} — {self.structure}"

    @property
    def journal(self) -> models.QuerySet[DossierTransition]:
        """Its suspensions, liftings and withdrawal in the dossier's journal."""
        return DossierTransition.objects.filter(subject="label", subject_id=self.pk)

    def statut_le(self, day) -> str:  # type: ignore[no-untyped-def]
        """The status on a given day: an expired label shows as expired without any job."""
        if self.statut != self.Statut.VALIDE:
            return self.statut
        if day > self.date_fin:
            return "expire"
        # A renewal decided before the old label ends starts the day after it (no gap).
        return "a_venir" if day < self.date_debut else "valide"


class CompteurCertificat(models.Model):
    """The last certificate number given in a year. Taken under a row lock by each decision that
    grants a label, so that numbers are unique and without gaps, even for simultaneous
    decisions."""

    annee = models.PositiveSmallIntegerField(_("année"), primary_key=True)
    dernier = models.PositiveIntegerField(_("dernier numéro attribué"), default=0)

    class Meta:
        verbose_name = _("compteur de certificats")
        verbose_name_plural = _("compteurs de certificats")

    def __str__(self) -> str:
        return f"{self.annee} : {self.dernier}"
