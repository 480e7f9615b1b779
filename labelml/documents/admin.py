from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from .models import ParametresDocuments


@admin.register(ParametresDocuments)
class ParametresDocumentsAdmin(admin.ModelAdmin):
    """Read-only here: changes go through the settings page, whose service checks the images
    (PNG or JPEG by content, size) and deletes replaced files."""

    list_display = ["__str__", "emetteur", "signataire_nom", "updated_at", "updated_by"]
    readonly_fields = (
        "page",
        "emetteur",
        "adresse",
        "logo_set",
        "signature_set",
        "signataire_qualite",
        "signataire_nom",
        "updated_at",
        "updated_by",
    )
    fields = readonly_fields

    @admin.display(description="Modifier")
    def page(self, obj: ParametresDocuments) -> str:
        return format_html(
            '<a href="{}">Page « En-tête des lettres et attestations »</a>',
            reverse("documents:document_parametres"),
        )

    # The files themselves are private (MEDIA_ROOT is never served): say only whether one is set.
    @admin.display(description="Logo")
    def logo_set(self, obj: ParametresDocuments) -> str:
        return "Défini" if obj.logo else "Aucun"

    @admin.display(description="Image de la signature")
    def signature_set(self, obj: ParametresDocuments) -> str:
        return "Définie" if obj.signature else "Aucune"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
