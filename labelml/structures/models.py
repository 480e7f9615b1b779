"""Tenants (structures), memberships and roles, auditing bodies, commission members.

A user reaches tenant data only through `Structure.objects.for_user(user)` (see selectors.py);
roles of SPEC §2 are carried by `Membership` and their capabilities live in roles.py.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from .roles import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from labelml.core.types import Actor


class Region(models.TextChoices):
    """French regions, by INSEE code (the ARML network follows them)."""

    AUVERGNE_RHONE_ALPES = "84", "Auvergne-Rhône-Alpes"
    BOURGOGNE_FRANCHE_COMTE = "27", "Bourgogne-Franche-Comté"
    BRETAGNE = "53", "Bretagne"
    CENTRE_VAL_DE_LOIRE = "24", "Centre-Val de Loire"
    CORSE = "94", "Corse"
    GRAND_EST = "44", "Grand Est"
    HAUTS_DE_FRANCE = "32", "Hauts-de-France"
    ILE_DE_FRANCE = "11", "Île-de-France"
    NORMANDIE = "28", "Normandie"
    NOUVELLE_AQUITAINE = "75", "Nouvelle-Aquitaine"
    OCCITANIE = "76", "Occitanie"
    PAYS_DE_LA_LOIRE = "52", "Pays de la Loire"
    PROVENCE_ALPES_COTE_D_AZUR = "93", "Provence-Alpes-Côte d'Azur"
    GUADELOUPE = "01", "Guadeloupe"
    MARTINIQUE = "02", "Martinique"
    GUYANE = "03", "Guyane"
    LA_REUNION = "04", "La Réunion"
    MAYOTTE = "06", "Mayotte"


class StructureQuerySet(models.QuerySet["Structure"]):
    def for_user(self, user: Actor | AnonymousUser) -> StructureQuerySet:
        """Structures the user may see. Fails closed: an unknown user sees nothing."""
        from .selectors import visible_structures_q

        condition = visible_structures_q(user)
        if condition is None:
            return self.none()
        return self.filter(condition)


class Structure(models.Model):
    class Type(models.TextChoices):
        MISSION_LOCALE = "mission_locale", _("Mission Locale")
        ARML = "arml", _("Association régionale (ARML)")
        UNML = "unml", _("Union nationale (UNML)")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    nom = models.CharField(_("nom"), max_length=200)
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    region = models.CharField(_("région"), max_length=3, choices=Region.choices, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("ARML de rattachement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="structures_rattachees",
        limit_choices_to={"type": "arml"},
    )
    ville = models.CharField(_("ville"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail de contact"), blank=True)
    actif = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StructureQuerySet.as_manager()

    class Meta:
        verbose_name = _("structure")
        verbose_name_plural = _("structures")
        ordering = ["type", "nom"]
        constraints = [
            models.CheckConstraint(
                condition=Q(type="unml") | ~Q(region=""),
                name="structure_region_required_except_unml",
            ),
            models.CheckConstraint(
                condition=Q(type="mission_locale") | Q(parent__isnull=True),
                name="structure_only_ml_has_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.nom


class StructureUserObjectPermission(UserObjectPermissionBase):
    """Direct foreign key permissions (guardian): joins instead of generic casts."""

    content_object = models.ForeignKey(Structure, on_delete=models.CASCADE)


class StructureGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Structure, on_delete=models.CASCADE)


class Membership(models.Model):
    """A user's role in a structure (SPEC §2). One role per user and structure."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rôle"), max_length=30, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("adhésion")
        verbose_name_plural = _("adhésions")
        constraints = [
            models.UniqueConstraint(fields=["user", "structure"], name="one_role_per_structure")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.structure}"


class OrganismeAuditeur(models.Model):
    nom = models.CharField(_("nom"), max_length=200, unique=True)
    email = models.EmailField(_("e-mail de contact"), blank=True)

    class Meta:
        verbose_name = _("organisme d'évaluation")
        verbose_name_plural = _("organismes d'évaluation")
        ordering = ["nom"]

    def __str__(self) -> str:
        return self.nom


class Auditeur(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="auditeur"
    )
    organisme = models.ForeignKey(
        OrganismeAuditeur, on_delete=models.PROTECT, related_name="auditeurs"
    )
    est_referent = models.BooleanField(
        _("auditeur référent"),
        default=False,
        help_text=_("Relit les rapports des auditeurs de son organisme."),
    )
    # The auditor's certification (source document 000: audits by "auditeurs certifiés"): the
    # certifying body, the certificate's reference and its end. Kept by the UNML administrator;
    # an auditor without a valid one is never assigned (audits.services.require_certified).
    certification_organisme = models.CharField(
        _("organisme certificateur"), max_length=200, blank=True
    )
    certification_reference = models.CharField(
        _("référence de la certification"), max_length=100, blank=True
    )
    certifie_jusqu_au = models.DateField(_("certifié jusqu'au"), null=True, blank=True)

    class Meta:
        verbose_name = _("auditeur")
        verbose_name_plural = _("auditeurs")

    def __str__(self) -> str:
        return f"{self.user} ({self.organisme})"

    def certifie_le(self, day: date) -> bool:
        """Whether the certification covers `day` (it has a reference and has not ended)."""
        return bool(
            self.certification_reference
            and self.certifie_jusqu_au is not None
            and self.certifie_jusqu_au >= day
        )

    @property
    def certification_etat(self) -> str:
        """`valide`, `expiree` or `absente`, today."""
        if not self.certification_reference or self.certifie_jusqu_au is None:
            return "absente"
        return "valide" if self.certifie_le(timezone.localdate()) else "expiree"

    @property
    def certification_libelle(self) -> str:
        """The certification's state in words, as the assignment screen shows it."""
        statut = self.certification_etat
        if statut == "absente":
            return "non certifié"
        fin = self.certifie_jusqu_au.strftime("%d/%m/%Y") if self.certifie_jusqu_au else ""
        if statut == "expiree":
            return f"certification expirée le {fin}"
        return f"certifié jusqu'au {fin}"


class MembreCommission(models.Model):
    class College(models.TextChoices):
        RESEAU = "reseau", _("Réseau des Missions Locales")
        ETAT = "etat", _("État")
        COLLECTIVITES = "collectivites", _("Collectivités territoriales")
        ASSOCIATIF_ECONOMIQUE = "associatif_economique", _("Monde associatif et économique")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membre_commission"
    )
    college = models.CharField(_("collège"), max_length=30, choices=College.choices)
    actif = models.BooleanField(_("actif"), default=True)

    class Meta:
        verbose_name = _("membre de la commission")
        verbose_name_plural = _("membres de la commission")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_college_display()})"


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def _default_expiry():  # type: ignore[no-untyped-def]
    return timezone.now() + timedelta(days=settings.INVITATION_VALIDITY_DAYS)


class Invitation(models.Model):
    """An e-mail invitation to join a structure with a role (there is no open sign-up)."""

    email = models.EmailField(_("adresse e-mail"))
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(_("rôle"), max_length=30, choices=Role.choices)
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_default_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.structure} ({self.get_role_display()})"

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )
