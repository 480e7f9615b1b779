"""Campaigns and dossiers: one structure's journey in one campaign, with its workflow state
(SPEC §3). State changes go through campagnes.workflow only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase

from labelml.structures.models import Structure
from labelml.structures.selectors import visible_structures_q
from referentiel.models import Referentiel

from . import hooks

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from labelml.accounts.models import User


VALIDITE_MAX = 10  # years of validity of a label, at most
DELAI_REPONSE_MAX = 365  # days to answer the gaps, at most


class Campagne(models.Model):
    class RetraitPar(models.TextChoices):
        """Who decides on the suspension or withdrawal of a label granted in this campaign."""

        COMMISSION = "commission", _("La commission de labellisation")
        UNML = "unml", _("L'UNML (administrateurs nationaux)")

    nom = models.CharField(_("nom"), max_length=200)
    referentiel = models.ForeignKey(
        Referentiel,
        on_delete=models.PROTECT,
        related_name="campagnes",
        verbose_name=_("référentiel"),
    )
    date_ouverture = models.DateField(_("ouverture"))
    date_cloture_autoevaluation = models.DateField(_("clôture des auto-évaluations"))
    delai_reponse_jours = models.PositiveSmallIntegerField(
        _("délai de réponse aux écarts (jours)"),
        default=30,
        validators=[
            MinValueValidator(1, _("Le délai de réponse aux écarts est d'au moins 1 jour.")),
            MaxValueValidator(
                DELAI_REPONSE_MAX, _("Le délai de réponse aux écarts est d'au plus 365 jours.")
            ),
        ],
    )
    validite_label_annees = models.PositiveSmallIntegerField(
        _("durée de validité du label (années)"),
        default=3,
        validators=[
            MinValueValidator(1, _("Un label est valable au moins 1 an.")),
            MaxValueValidator(VALIDITE_MAX, _("Un label est valable au plus 10 ans.")),
        ],
    )
    ecart_majeur_bloquant = models.BooleanField(
        _("un écart majeur ouvert interdit « labellisé »"), default=True
    )
    retrait_par = models.CharField(
        _("suspension et retrait du label décidés par"),
        max_length=20,
        choices=RetraitPar.choices,
        default=RetraitPar.COMMISSION,
        help_text=_(
            "La commission : sa décision est enregistrée par un(e) président(e) de séance ou "
            "un administrateur UNML. L'UNML : seuls les administrateurs nationaux décident."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("campagne")
        verbose_name_plural = _("campagnes")
        ordering = ["-date_ouverture"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(validite_label_annees__gte=1)
                & models.Q(validite_label_annees__lte=VALIDITE_MAX),
                name="campagne_validite_1_10_ans",
            ),
            models.CheckConstraint(
                condition=models.Q(delai_reponse_jours__gte=1)
                & models.Q(delai_reponse_jours__lte=DELAI_REPONSE_MAX),
                name="campagne_delai_reponse_1_365_jours",
            ),
            models.CheckConstraint(
                condition=models.Q(date_cloture_autoevaluation__gte=models.F("date_ouverture")),
                name="campagne_cloture_apres_ouverture",
            ),
        ]

    def __str__(self) -> str:
        return self.nom


class DossierQuerySet(models.QuerySet["Dossier"]):
    def for_user(self, user: User | AnonymousUser) -> DossierQuerySet:
        """Dossiers of the structures the user may see, plus those granted to them one by one
        (an auditor's missions). Fails closed for anonymous users."""
        if not user.is_authenticated:
            return self.none()
        condition = visible_structures_q(user)
        structures = Structure.objects.filter(condition) if condition is not None else None
        granted = DossierUserObjectPermission.objects.filter(
            user=user, permission__codename="view_dossier"
        ).values("content_object_id")
        q = models.Q(pk__in=granted)
        # What the apps above grant one by one: a lead auditor's body's audits, a commission
        # member's agenda (campagnes.hooks.dossier_scopes).
        for scope in hooks.dossier_scopes:
            q |= scope(user)
        if structures is not None:
            q |= models.Q(structure__in=structures.values("pk"))
        return self.filter(q)


class Dossier(models.Model):
    class Statut(models.TextChoices):
        AUTOEVALUATION = "autoevaluation", _("Auto-évaluation")
        PLAN_AMELIORATION = "plan_amelioration", _("Plan d'amélioration")
        AUDIT_A_PLANIFIER = "audit_a_planifier", _("Évaluation externe à planifier")
        AUDIT_PLANIFIE = "audit_planifie", _("Évaluation externe planifiée")
        AUDIT_EN_COURS = "audit_en_cours", _("Évaluation externe en cours")
        REPONSE_STRUCTURE = "reponse_structure", _("Réponse de la structure")
        EN_COMMISSION = "en_commission", _("En commission")
        LABELLISE = "labellise", _("Labellisé")
        LABELLISE_SOUS_RESERVE = "labellise_sous_reserve", _("Labellisé sous réserve")
        AJOURNE = "ajourne", _("Ajourné")
        REFUSE = "refuse", _("Refusé")

    campagne = models.ForeignKey(Campagne, on_delete=models.PROTECT, related_name="dossiers")
    structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="dossiers")
    statut = models.CharField(
        _("état"), max_length=30, choices=Statut.choices, default=Statut.AUTOEVALUATION
    )
    # A renewal dossier (SPEC §7b) starts from the labelled dossier it renews: its submitted
    # self-assessment (every answer to confirm) and its open plan actions.
    renouvellement_de = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renouvellements",
        verbose_name=_("renouvellement du dossier"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = _("dossier de labellisation")
        verbose_name_plural = _("dossiers de labellisation")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["campagne", "structure"], name="one_dossier_per_campaign"
            )
        ]
        indexes = [models.Index(fields=["statut"])]

    def __str__(self) -> str:
        return f"{self.structure} — {self.campagne}"

    @property
    def journal(self) -> models.QuerySet[DossierTransition]:
        """Its own steps in its journal (its label's and follow-ups' have their pages)."""
        return DossierTransition.objects.filter(subject="dossier", subject_id=self.pk)

    @cached_property
    def label_renouvele(self) -> Any:
        """The label this renewal dossier renews (None for an initial dossier)."""
        if self.renouvellement_de_id is None:
            return None
        # Through the structure's labels (audits.commission): this app does not import it.
        return (
            self.structure.labels.filter(decision__dossier_id=self.renouvellement_de_id)
            .order_by("-date_fin")
            .first()
        )


class DossierUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Dossier, on_delete=models.CASCADE)


# The French words of the dossier's own steps (subject "dossier"), as its history shows them: a
# person never reads a code name. A new step of the dossier adds its words here (the label's and
# the follow-ups' steps give theirs through hooks.journal_words).
DOSSIER_ACTIONS: dict[str, Any] = {
    "open": _("Dossier ouvert par la campagne"),
    "open_renewal": _("Dossier de renouvellement ouvert"),
    "submit_autoevaluation": _("Auto-évaluation soumise"),
    "reopen_autoevaluation": _("Auto-évaluation rouverte"),
    "submit_plan": _("Plan d'amélioration soumis"),
    "request_audit": _("Évaluation externe demandée"),
    "assign_audit": _("Évaluation externe planifiée"),
    "start_audit": _("Évaluation externe commencée"),
    "submit_audit_report": _("Rapport d'évaluation soumis à l'auditeur référent"),
    "resubmit_audit_report": _("Rapport d'évaluation soumis de nouveau à l'auditeur référent"),
    "return_audit_report": _("Rapport d'évaluation renvoyé à l'auditeur pour reprise"),
    "validate_audit_report": _("Rapport d'évaluation validé"),
    "place_on_agenda": _("Inscription à l'ordre du jour de la commission"),
    "decision_labellise": _("Décision de la commission : labellisé"),
    "decision_labellise_sous_reserve": _("Décision de la commission : labellisé sous réserve"),
    "decision_ajourne": _("Décision de la commission : ajourné"),
    "decision_refuse": _("Décision de la commission : refusé"),
    "extend_closing": _("Clôture des auto-évaluations prolongée"),
}
# What a row whose action has no words yet says (never its code name).
UNNAMED_STEP = _("Étape du dossier")


class DossierTransition(models.Model):
    """The journal of every workflow of a dossier (SPEC §3), its own, its label's and its
    follow-ups': who, when, from, to, why. `subject` and `subject_id` name the workflow's row
    (no foreign key to the apps above). Written by labelml.core.transitions.JournalTable."""

    class Subject(models.TextChoices):
        DOSSIER = "dossier", _("Dossier")
        SUIVI = "suivi", _("Audit de suivi")
        LABEL = "label", _("Label")
        SEANCE = "seance", _("Séance de la commission")
        PRATIQUE = "pratique", _("Pratique remarquable")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="transitions")
    subject = models.CharField(_("objet"), max_length=10, choices=Subject.choices)
    subject_id = models.PositiveBigIntegerField(_("n° de l'objet"))
    action = models.CharField(max_length=50)
    from_state = models.CharField(max_length=30, blank=True)
    to_state = models.CharField(max_length=30, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("étape du dossier")
        verbose_name_plural = _("historique des dossiers")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["subject", "subject_id"])]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.from_state} → {self.to_state} ({self.action})"

    def _words(self) -> tuple[Any, Mapping[str, Any]]:  # (states, actions' labels)
        if self.subject == self.Subject.DOSSIER:
            # The apps above word their own dossier steps, registered as "dossier:<app>".
            actions: dict[str, Any] = dict(DOSSIER_ACTIONS)
            for name, (_states, words) in hooks.journal_words.items():
                if name.startswith("dossier:"):
                    actions.update(words)
            return Dossier.Statut, actions
        return dict(hooks.journal_words.items())[self.subject]

    @property
    def action_label(self) -> str:
        """The step in French; a row without words says "Étape du dossier", never its code."""
        return str(self._words()[1].get(self.action, UNNAMED_STEP))

    @property
    def from_label(self) -> str:
        return str(self._words()[0](self.from_state).label) if self.from_state else ""

    @property
    def to_label(self) -> str:
        return str(self._words()[0](self.to_state).label) if self.to_state else ""


class Echange(models.Model):
    """A message of the support thread between a Mission Locale and its ARML on a dossier (SPEC
    §2: the ARML supports its Missions Locales): the ARML's référent labellisation writes, the
    structure's quality referents and direction answer. Read by the structure's members, its
    ARML's referents and the UNML administrators; never by auditors, the commission or the
    public (docs/decisions.md, "Who sees what"). Written by campagnes.services.post_echange."""

    class Cote(models.TextChoices):
        ARML = "arml", _("ARML")
        STRUCTURE = "structure", _("Structure")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="echanges")
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    cote = models.CharField(_("côté"), max_length=10, choices=Cote.choices)
    texte = models.TextField(_("message"))
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("échange avec l'ARML")
        verbose_name_plural = _("échanges avec l'ARML")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.dossier_id} — {self.get_cote_display()} — {self.at:%d/%m/%Y}"
