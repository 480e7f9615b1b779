"""Admin pages of the self-assessment. Only the methodological sheets are edited here: answers,
syntheses, snapshots and evidence are written by the application (with its permission checks,
optimistic concurrency and file checks), so the admin shows them read-only. Evidence files are
never linked to MEDIA_ROOT: the admin links to the permission-checked download view."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html

from .models import AutoEvaluation, FicheMethodologique, Preuve, Reponse, Snapshot, SyntheseCritere
from .preuves import ACCEPT_ATTRIBUTE, check_upload


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


_DOSSIER = ["dossier__structure", "dossier__campagne"]
_AUTOEVALUATION_DOSSIER = [
    "autoevaluation__dossier__structure",
    "autoevaluation__dossier__campagne",
]

_PREUVE_FIELDS = (
    "dossier",
    "critere",
    "element",
    "titre",
    "telecharger",
    "nom_original",
    "type_mime",
    "taille_lisible",
    "empreinte",
    "date_effet",
    "date_expiration",
    "ajoute_par",
    "ajoute_le",
)


class FicheMethodologiqueForm(forms.ModelForm):
    lien = forms.URLField(label="lien", required=False, assume_scheme="https")

    class Meta:
        model = FicheMethodologique
        fields = ["critere", "titre", "description", "fichier", "lien"]
        widgets = {"fichier": forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE})}

    def clean_fichier(self) -> Any:
        fichier = self.cleaned_data.get("fichier")
        if isinstance(fichier, UploadedFile):  # a new upload: same checks as evidence
            check_upload(fichier)
        return fichier

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("fichier") and not data.get("lien"):
            raise forms.ValidationError("Joignez un fichier ou indiquez un lien.")
        return data


@admin.register(FicheMethodologique)
class FicheMethodologiqueAdmin(admin.ModelAdmin):
    form = FicheMethodologiqueForm
    list_display = ["titre", "critere", "lien", "ajoute_le"]
    list_filter = ["critere__referentiel"]
    search_fields = ["titre", "critere__code", "description"]
    list_select_related = ["critere"]
    autocomplete_fields = ["critere"]


@admin.register(Preuve)
class PreuveAdmin(ReadOnlyAdmin):
    list_display = [
        "titre",
        "dossier",
        "critere",
        "element",
        "nom_original",
        "type_mime",
        "taille_lisible",
        "date_effet",
        "date_expiration",
        "ajoute_par",
        "ajoute_le",
    ]
    list_filter = ["type_mime", "dossier__campagne"]
    search_fields = ["titre", "nom_original", "empreinte", "dossier__structure__nom"]
    list_select_related = [*_DOSSIER, "critere", "element", "ajoute_par"]
    date_hierarchy = "ajoute_le"
    fields = _PREUVE_FIELDS
    readonly_fields = _PREUVE_FIELDS

    @admin.display(description="taille")
    def taille_lisible(self, obj: Preuve) -> str:
        return str(filesizeformat(obj.taille))

    @admin.display(description="fichier")
    def telecharger(self, obj: Preuve) -> str:
        url = reverse("autoevaluations:preuve_download", args=[obj.dossier_id, obj.pk])
        return format_html('<a href="{}">Télécharger « {} »</a>', url, obj.nom_original)


@admin.register(AutoEvaluation)
class AutoEvaluationAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "created_at"]
    list_filter = ["dossier__campagne", "dossier__statut"]
    search_fields = ["dossier__structure__nom", "dossier__structure__code"]
    list_select_related = _DOSSIER


@admin.register(Reponse)
class ReponseAdmin(ReadOnlyAdmin):
    list_display = [
        "element",
        "autoevaluation",
        "niveau",
        "version",
        "a_confirmer",
        "updated_by",
        "updated_at",
    ]
    list_filter = ["a_confirmer", "autoevaluation__dossier__campagne"]
    search_fields = ["element__code", "autoevaluation__dossier__structure__nom"]
    list_select_related = [*_AUTOEVALUATION_DOSSIER, "element", "niveau", "updated_by"]


@admin.register(SyntheseCritere)
class SyntheseCritereAdmin(ReadOnlyAdmin):
    list_display = ["critere", "autoevaluation", "contributeur", "version", "updated_at"]
    list_filter = ["autoevaluation__dossier__campagne"]
    search_fields = ["critere__code", "autoevaluation__dossier__structure__nom"]
    list_select_related = [*_AUTOEVALUATION_DOSSIER, "critere", "contributeur"]


@admin.register(Snapshot)
class SnapshotAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "numero", "soumis_par", "soumis_le", "empreinte"]
    list_filter = ["dossier__campagne"]
    search_fields = ["dossier__structure__nom", "empreinte"]
    list_select_related = [*_DOSSIER, "soumis_par"]
    date_hierarchy = "soumis_le"
