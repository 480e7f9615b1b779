"""The versioned référentiel tree (SPEC §1, §10).

Référentiel → sections (nested: 4 → 4.1…4.4) → critères → éléments d'appréciation (with their
sous-éléments), plus reference texts, examples and notes ("aides") and the rating scales.
A published version is immutable: it is only ever replaced by publishing a new version.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReferentielQuerySet(models.QuerySet["Referentiel"]):
    def published(self) -> ReferentielQuerySet:
        return self.filter(statut=Referentiel.Statut.PUBLIE)


class Referentiel(models.Model):
    class Statut(models.TextChoices):
        BROUILLON = "brouillon", _("Brouillon")
        PUBLIE = "publie", _("Publié")

    code = models.SlugField(_("code"), max_length=40)
    version = models.PositiveIntegerField(_("version"))
    titre = models.CharField(_("titre"), max_length=300)
    date_validation = models.DateField(_("date de validation"), null=True, blank=True)
    statut = models.CharField(_("statut"), max_length=20, choices=Statut.choices)
    cible = models.CharField(
        _("structures concernées"),
        max_length=20,
        help_text=_("Type de structure labellisée avec ce référentiel."),
    )
    preambule = models.JSONField(_("préambule"), default=list, blank=True)
    valeurs = models.JSONField(_("valeurs"), default=list, blank=True)
    principes = models.JSONField(_("principes"), default=list, blank=True)
    # SHA-256 of the canonical content: tells "same file again" from "changed file" on import.
    empreinte = models.CharField(max_length=64, editable=False)
    echelle_autoevaluation = models.ForeignKey(
        "Echelle", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    echelle_audit = models.ForeignKey(
        "Echelle", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now=True)

    objects = ReferentielQuerySet.as_manager()

    class Meta:
        verbose_name = _("référentiel")
        verbose_name_plural = _("référentiels")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="referentiel_code_version")
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version} — {self.titre}"

    @property
    def is_published(self) -> bool:
        return self.statut == self.Statut.PUBLIE

    @property
    def echelle_autoevaluation_pk(self) -> int:
        assert self.echelle_autoevaluation_id is not None, "set by every import"
        return self.echelle_autoevaluation_id

    @property
    def echelle_audit_pk(self) -> int:
        assert self.echelle_audit_id is not None, "set by every import"
        return self.echelle_audit_id

    @property
    def label(self) -> str:
        return f"{self.code} v{self.version}"


class Echelle(models.Model):
    class Usage(models.TextChoices):
        AUTOEVALUATION = "autoevaluation", _("Auto-évaluation")
        AUDIT = "audit", _("Évaluation externe")

    referentiel = models.ForeignKey(Referentiel, on_delete=models.CASCADE, related_name="echelles")
    code = models.SlugField(max_length=40)
    usage = models.CharField(max_length=20, choices=Usage.choices)
    libelle = models.CharField(max_length=200)
    ordre = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("échelle")
        verbose_name_plural = _("échelles")
        ordering = ["referentiel", "ordre"]
        constraints = [
            models.UniqueConstraint(fields=["referentiel", "code"], name="echelle_code"),
        ]

    def __str__(self) -> str:
        return self.libelle


class Niveau(models.Model):
    echelle = models.ForeignKey(Echelle, on_delete=models.CASCADE, related_name="niveaux")
    code = models.CharField(max_length=40)
    libelle = models.CharField(max_length=200)
    valeur = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    couleur = models.CharField(max_length=7, blank=True)
    justification_obligatoire = models.BooleanField(default=False)
    ordre = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("niveau")
        verbose_name_plural = _("niveaux")
        ordering = ["echelle", "ordre"]
        constraints = [models.UniqueConstraint(fields=["echelle", "code"], name="niveau_code")]

    def __str__(self) -> str:
        return self.libelle


class Section(models.Model):
    referentiel = models.ForeignKey(Referentiel, on_delete=models.CASCADE, related_name="sections")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="sous_sections"
    )
    code = models.CharField(max_length=20)
    titre = models.CharField(max_length=300)
    ordre = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("partie")
        verbose_name_plural = _("parties")
        ordering = ["referentiel", "ordre"]
        constraints = [
            models.UniqueConstraint(fields=["referentiel", "code"], name="section_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.titre}"


class Critere(models.Model):
    referentiel = models.ForeignKey(Referentiel, on_delete=models.CASCADE, related_name="criteres")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="criteres")
    code = models.CharField(max_length=20)
    titre = models.TextField()
    ordre = models.PositiveIntegerField()
    texte_recherche = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("critère")
        verbose_name_plural = _("critères")
        ordering = ["referentiel", "ordre"]
        constraints = [
            models.UniqueConstraint(fields=["referentiel", "code"], name="critere_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.titre}"


class Element(models.Model):
    referentiel = models.ForeignKey(Referentiel, on_delete=models.CASCADE, related_name="elements")
    critere = models.ForeignKey(Critere, on_delete=models.CASCADE, related_name="elements")
    code = models.CharField(max_length=30)
    texte = models.TextField()
    ordre = models.PositiveIntegerField()
    sans_objet_autorise = models.BooleanField(default=False)
    # Lower-cased, accent-free text of the element and its sous-éléments, for search on any
    # database (SQLite has no unaccent).
    texte_recherche = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("élément d'appréciation")
        verbose_name_plural = _("éléments d'appréciation")
        ordering = ["referentiel", "ordre"]
        constraints = [
            models.UniqueConstraint(fields=["referentiel", "code"], name="element_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.texte[:80]}"


class SousElement(models.Model):
    element = models.ForeignKey(Element, on_delete=models.CASCADE, related_name="sous_elements")
    texte = models.TextField()
    ordre = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("sous-élément")
        verbose_name_plural = _("sous-éléments")
        ordering = ["element", "ordre"]

    def __str__(self) -> str:
        return self.texte[:80]


class Aide(models.Model):
    """Guidance shown as help: reference texts, examples and notes of the référentiel."""

    class Type(models.TextChoices):
        TEXTE_REFERENCE = "texte_reference", _("Texte de référence")
        EXEMPLE = "exemple", _("Exemples")
        NOTE = "note", _("Note")

    critere = models.ForeignKey(Critere, on_delete=models.CASCADE, related_name="aides")
    element = models.ForeignKey(
        Element, on_delete=models.CASCADE, null=True, blank=True, related_name="aides"
    )
    sous_element = models.ForeignKey(
        SousElement, on_delete=models.CASCADE, null=True, blank=True, related_name="aides"
    )
    type = models.CharField(max_length=20, choices=Type.choices)
    texte = models.TextField()
    ordre = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("aide")
        verbose_name_plural = _("aides")
        ordering = ["critere", "ordre"]

    def __str__(self) -> str:
        return f"{self.get_type_display()} — {self.texte[:60]}"
