"""Remarkable practices (issue 18): a structure's specific and innovative action, proposed from an
audit's "point fort", by the structure itself or by its ARML; shared with the network or publicly
once the structure's direction consents, and published by the UNML after a review.

The practice's steps go through the one transition engine (labelml.core.transitions) and are
written in the one journal (campagnes.DossierTransition, subject "pratique"): a practice always
belongs to the dossier it was proposed from.
"""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audits.models import Constat
from campagnes.models import Dossier, DossierTransition
from labelml.structures.models import Structure
from referentiel.models import Critere

ACTION_LABELS = {
    "propose": _("Pratique proposée"),
    "consent_reseau": _("Consentement : partage dans le réseau"),
    "consent_public": _("Consentement : partage public"),
    "withdraw_consent": _("Consentement retiré"),
    "publish": _("Pratique publiée par l'UNML"),
    "refuse": _("Pratique refusée par l'UNML"),
}


def plain(text: str) -> str:
    """Lower-case, accent-free text: the search fallback where the database has no unaccent."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


class PratiqueQuerySet(models.QuerySet["Pratique"]):
    def shared_with_network(self) -> PratiqueQuerySet:
        """Published and consented to (within the network or publicly): the catalogue."""
        return self.filter(
            statut=Pratique.Statut.PUBLIEE,
            consentement__in=[Pratique.Consentement.RESEAU, Pratique.Consentement.PUBLIC],
        )

    def shared_publicly(self) -> PratiqueQuerySet:
        """Published and consented to publicly: the public catalogue and pages."""
        return self.filter(
            statut=Pratique.Statut.PUBLIEE, consentement=Pratique.Consentement.PUBLIC
        )


class Pratique(models.Model):
    class Statut(models.TextChoices):
        PROPOSEE = "proposee", _("Proposée")
        CONSENTIE = "consentie", _("Consentie, en attente de la revue UNML")
        PUBLIEE = "publiee", _("Publiée")
        REFUSEE = "refusee", _("Refusée")
        RETIREE = "retiree", _("Retirée (consentement retiré)")

    class Consentement(models.TextChoices):
        AUCUN = "aucun", _("Aucun partage")
        RESEAU = "reseau", _("Partage dans le réseau des Missions Locales")
        PUBLIC = "public", _("Partage public")

    class Source(models.TextChoices):
        AUDIT = "audit", _("Point fort de l'évaluation externe")
        STRUCTURE = "structure", _("Force mise en avant par la structure")
        ARML = "arml", _("Proposée par l'ARML")

    structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="pratiques")
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="pratiques")
    constat = models.ForeignKey(
        Constat, on_delete=models.SET_NULL, null=True, blank=True, related_name="pratiques"
    )
    source = models.CharField(_("origine"), max_length=10, choices=Source.choices)
    titre = models.CharField(_("titre"), max_length=200)
    description = models.TextField(
        _("description"), help_text=_("Ce qui est fait, avec qui, comment.")
    )
    resultats = models.TextField(_("résultats obtenus"), blank=True)
    public_jeunes = models.BooleanField(_("avec les jeunes"), default=False)
    public_partenaires = models.BooleanField(_("avec les partenaires"), default=False)
    public_entreprises = models.BooleanField(_("avec les entreprises"), default=False)
    criteres = models.ManyToManyField(
        Critere, related_name="pratiques", verbose_name=_("critères du référentiel")
    )
    contact_nom = models.CharField(_("personne à contacter"), max_length=200)
    contact_email = models.EmailField(_("e-mail de contact"), blank=True)
    statut = models.CharField(max_length=10, choices=Statut.choices, default=Statut.PROPOSEE)
    consentement = models.CharField(
        max_length=10, choices=Consentement.choices, default=Consentement.AUCUN
    )
    consentement_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    consentement_le = models.DateTimeField(null=True, blank=True)
    propose_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    publiee_le = models.DateTimeField(null=True, blank=True)
    # Lower-cased, accent-free text of the title, description and results (SQLite search).
    texte_recherche = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PratiqueQuerySet.as_manager()

    class Meta:
        verbose_name = _("pratique remarquable")
        verbose_name_plural = _("pratiques remarquables")
        ordering = ["-publiee_le", "-created_at", "pk"]
        indexes = [models.Index(fields=["statut", "consentement"])]
        constraints = [
            # Published means consented: a withdrawn consent never leaves a practice published.
            models.CheckConstraint(
                condition=~Q(statut="publiee") | ~Q(consentement="aucun"),
                name="pratique_publiee_consentie",
            )
        ]

    def __str__(self) -> str:
        return self.titre

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.texte_recherche = plain(" ".join([self.titre, self.description, self.resultats]))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"titre", "description", "resultats"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "texte_recherche"}
        super().save(*args, **kwargs)

    @property
    def publics(self) -> list[str]:
        return [
            str(label)
            for flag, label in (
                (self.public_jeunes, _("jeunes")),
                (self.public_partenaires, _("partenaires")),
                (self.public_entreprises, _("entreprises")),
            )
            if flag
        ]

    @property
    def is_shared_with_network(self) -> bool:
        return self.statut == self.Statut.PUBLIEE and self.consentement != self.Consentement.AUCUN

    @property
    def is_public(self) -> bool:
        return self.statut == self.Statut.PUBLIEE and self.consentement == self.Consentement.PUBLIC

    @property
    def journal(self) -> models.QuerySet[DossierTransition]:
        return DossierTransition.objects.filter(subject="pratique", subject_id=self.pk)
