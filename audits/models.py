"""External audit (SPEC §6): the on-site audit of a dossier, one finding per criterion, the lead
auditor's review, and the structure's answers to the gaps."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from campagnes.models import Dossier
from labelml.structures.models import Auditeur, OrganismeAuditeur
from referentiel.models import Critere, Niveau

GAP_CODES = ("ecart_mineur", "ecart_majeur")


class Audit(models.Model):
    class Statut(models.TextChoices):
        PLANIFIE = "planifie", _("Planifiée")
        EN_COURS = "en_cours", _("En cours")
        SOUMIS = "soumis", _("Rapport soumis à l'auditeur référent")
        A_REVOIR = "a_revoir", _("Rapport renvoyé avec remarques")
        VALIDE = "valide", _("Rapport validé")

    class Recommandation(models.TextChoices):
        FAVORABLE = "favorable", _("Favorable")
        RESERVE = "reserve", _("Réservé")
        DEFAVORABLE = "defavorable", _("Défavorable")

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="audit")
    organisme = models.ForeignKey(
        OrganismeAuditeur,
        on_delete=models.PROTECT,
        related_name="audits",
        verbose_name=_("organisme d'évaluation"),
    )
    auditeur = models.ForeignKey(
        Auditeur, on_delete=models.PROTECT, related_name="audits", verbose_name=_("auditeur")
    )
    date_debut = models.DateField(_("premier jour sur site"))
    date_fin = models.DateField(_("dernier jour sur site"))
    sites = models.TextField(_("sites à visiter"), blank=True)
    statut = models.CharField(max_length=10, choices=Statut.choices, default=Statut.PLANIFIE)
    # The report opens with strengths and the progress made ("bienveillant", SPEC §6).
    points_forts = models.TextField(_("points forts de la structure"), blank=True)
    progres = models.TextField(_("progrès constatés depuis l'auto-évaluation"), blank=True)
    avis_global = models.TextField(_("avis global"), blank=True)
    recommandation = models.CharField(
        _("recommandation"), max_length=12, choices=Recommandation.choices, blank=True
    )
    version = models.PositiveIntegerField(default=0)
    soumis_le = models.DateTimeField(null=True, blank=True)
    valide_le = models.DateTimeField(null=True, blank=True)
    # A UNML administrator may give the structure more time to answer the gaps
    # (services.extend_gap_deadline); selectors.gap_deadline reads it.
    echeance_ecarts_prolongee = models.DateField(
        _("échéance de réponse aux écarts prolongée"), null=True, blank=True
    )
    valide_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("évaluation externe")
        verbose_name_plural = _("évaluations externes")

    def __str__(self) -> str:
        return f"Évaluation externe — {self.dossier}"

    @property
    def locked(self) -> bool:
        """Findings cannot change once the report is submitted (until a return) or validated."""
        return self.statut in (self.Statut.SOUMIS, self.Statut.VALIDE)


class Constat(models.Model):
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="constats")
    critere = models.ForeignKey(Critere, on_delete=models.PROTECT, related_name="+")
    niveau = models.ForeignKey(
        Niveau, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    observation = models.TextField(_("observation"), blank=True)
    preuves_examinees = models.TextField(_("preuves examinées"), blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("constat")
        verbose_name_plural = _("constats")
        ordering = ["critere__ordre"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "critere"], name="one_constat_per_critere")
        ]

    def __str__(self) -> str:
        return f"Constat {self.critere_id} (v{self.version})"

    @property
    def is_gap(self) -> bool:
        return self.niveau is not None and self.niveau.code in GAP_CODES


class Revue(models.Model):
    """The lead auditor's review of a report: returned with remarks, or validated."""

    class Decision(models.TextChoices):
        RENVOYE = "renvoye", _("Renvoyé avec remarques")
        VALIDE = "valide", _("Validé")

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="revues")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    remarques = models.TextField(blank=True)
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("revue du rapport")
        verbose_name_plural = _("revues des rapports")
        ordering = ["le", "pk"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} — {self.audit_id}"


class ReponseEcart(models.Model):
    """The structure's answer to a gap: corrective action, evidence, optional plan action.
    Read-only once sent."""

    constat = models.OneToOneField(Constat, on_delete=models.CASCADE, related_name="reponse_ecart")
    action_corrective = models.TextField(_("action corrective"))
    preuves = models.TextField(_("preuves apportées"), blank=True)
    action_plan = models.ForeignKey(
        "plans.Action",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("action du plan liée"),
    )
    envoye_le = models.DateTimeField(null=True, blank=True)
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("réponse à un écart")
        verbose_name_plural = _("réponses aux écarts")

    def __str__(self) -> str:
        return f"Réponse à l'écart {self.constat_id}"
