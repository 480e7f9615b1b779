"""The follow-up audit (audit de suivi, SPEC §7b): mid-way through a label's validity, a
documentary audit plus a videoconference, not on site, limited to the alert points (gaps) and
improvement areas (pistes de progrès) of the initial audit.

Life of an `AuditSuivi` (audits.suivis.services, one function per step):

    planifie ──(first save of the structure)──▶ dossier_en_cours ──send_file (direction)──▶
    transmis ──start_review (auditor)──▶ en_revue ──conclude (auditor)──▶ conclu

The administrator assigns the auditor at any step before the review; the auditor records the
videoconference's date once assigned. Every step writes a row "suivi" in the dossier's journal
(campagnes.DossierTransition: who, when, from, to, why), apart from the dossier's own steps.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from audits.commission.models import Label
from campagnes.models import Dossier, DossierTransition
from labelml.structures.models import Auditeur, OrganismeAuditeur
from referentiel.models import Critere


class AuditSuivi(models.Model):
    class Statut(models.TextChoices):
        PLANIFIE = "planifie", _("Planifié")
        DOSSIER_EN_COURS = "dossier_en_cours", _("Dossier en préparation par la structure")
        TRANSMIS = "transmis", _("Dossier transmis à l'auditeur")
        EN_REVUE = "en_revue", _("En revue par l'auditeur")
        CONCLU = "conclu", _("Conclu")

    class Conclusion(models.TextChoices):
        MAINTIEN = "maintien", _("Maintien du label")
        MAINTIEN_AVEC_OBSERVATIONS = (
            "maintien_avec_observations",
            _("Maintien du label avec observations"),
        )
        SAISINE_COMMISSION = "saisine_commission", _("Saisine de la commission de labellisation")

    label = models.OneToOneField(
        Label, on_delete=models.PROTECT, related_name="audit_suivi", verbose_name=_("label")
    )
    dossier = models.ForeignKey(
        Dossier,
        on_delete=models.PROTECT,
        related_name="audits_suivi",
        verbose_name=_("dossier d'origine"),
    )
    statut = models.CharField(
        _("statut"), max_length=20, choices=Statut.choices, default=Statut.PLANIFIE
    )
    date_prevue = models.DateField(_("date prévue (mi-parcours)"))
    organisme = models.ForeignKey(
        OrganismeAuditeur,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audits_suivi",
        verbose_name=_("organisme d'évaluation"),
    )
    auditeur = models.ForeignKey(
        Auditeur,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audits_suivi",
        verbose_name=_("auditeur"),
    )
    # The structure's general note on its progress since the label.
    bilan = models.TextField(_("bilan de la structure depuis le label"), blank=True)
    date_visio = models.DateTimeField(_("visioconférence"), null=True, blank=True)
    conclusion = models.CharField(
        _("conclusion"), max_length=30, choices=Conclusion.choices, blank=True
    )
    motivation = models.TextField(_("motivation et observations"), blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)
    transmis_le = models.DateTimeField(null=True, blank=True)
    conclu_le = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("audit de suivi")
        verbose_name_plural = _("audits de suivi")
        ordering = ["date_prevue", "pk"]
        indexes = [models.Index(fields=["statut"])]

    def __str__(self) -> str:
        return f"Audit de suivi — {self.label.structure}"

    @property
    def journal(self) -> models.QuerySet[DossierTransition]:
        """Its steps in the dossier's journal."""
        return DossierTransition.objects.filter(subject="suivi", subject_id=self.pk)

    @property
    def open_for_structure(self) -> bool:
        """The structure assembles its file until it sends it."""
        return self.statut in (self.Statut.PLANIFIE, self.Statut.DOSSIER_EN_COURS)


class PointSuivi(models.Model):
    """One alert point (a gap) or improvement area (a piste de progrès) of the initial audit:
    what the auditor observed then, the structure's answer now, and the auditor's finding."""

    class Nature(models.TextChoices):
        ECART_MAJEUR = "ecart_majeur", _("Écart majeur")
        ECART_MINEUR = "ecart_mineur", _("Écart mineur")
        PISTE_DE_PROGRES = "piste_de_progres", _("Piste de progrès")

    class Avis(models.TextChoices):
        LEVE = "leve", _("Levé")
        EN_COURS = "en_cours", _("En cours de levée")
        NON_LEVE = "non_leve", _("Non levé")

    suivi = models.ForeignKey(AuditSuivi, on_delete=models.CASCADE, related_name="points")
    critere = models.ForeignKey(Critere, on_delete=models.PROTECT, related_name="+")
    nature = models.CharField(_("nature"), max_length=20, choices=Nature.choices)
    constat = models.ForeignKey(
        "audits.Constat", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Copied when the follow-up is scheduled: the file reads the same whatever happens later.
    observation_initiale = models.TextField(_("observation de l'audit initial"), blank=True)
    # The structure's answer.
    reponse = models.TextField(_("réponse de la structure"), blank=True)
    action = models.ForeignKey(
        "plans.Action",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("action du plan liée"),
    )
    preuves = models.ManyToManyField(
        "autoevaluations.Preuve", blank=True, related_name="+", verbose_name=_("preuves")
    )
    # The auditor's finding, on this point only.
    avis = models.CharField(_("constat de suivi"), max_length=10, choices=Avis.choices, blank=True)
    commentaire = models.TextField(_("commentaire de l'auditeur"), blank=True)
    ordre = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("point de suivi")
        verbose_name_plural = _("points de suivi")
        ordering = ["ordre", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["suivi", "critere"], name="one_point_per_critere")
        ]

    def __str__(self) -> str:
        return f"{self.get_nature_display()} — critère {self.critere_id}"

    @property
    def is_gap(self) -> bool:
        return self.nature in (self.Nature.ECART_MAJEUR, self.Nature.ECART_MINEUR)


# The follow-up's steps as the journal shows them (registered in apps.py).
ACTION_LABELS = {
    "schedule": _("Audit de suivi planifié"),
    "assign": _("Auditeur désigné"),
    "start_file": _("Dossier commencé"),
    "action_progress": _("Avancement d'une action du plan mis à jour"),
    "send_file": _("Dossier transmis"),
    "set_visio": _("Visioconférence fixée"),
    "start_review": _("Revue commencée"),
    "conclude": _("Audit de suivi conclu"),
}
