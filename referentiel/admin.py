"""Admin pages for référentiels. Content comes from the import command; a published version is
read-only here too, so the admin cannot bypass immutability."""

from django.contrib import admin

from .models import Aide, Critere, Element, Referentiel, Section


class ReadOnlyWhenPublished:
    def _published(self, obj) -> bool:  # type: ignore[no-untyped-def]
        ref = getattr(obj, "referentiel", obj)
        return bool(obj) and getattr(ref, "is_published", False)

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return not self._published(obj) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return not self._published(obj) and super().has_delete_permission(request, obj)  # type: ignore[misc]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # created by `manage.py import_referentiel`


@admin.register(Referentiel)
class ReferentielAdmin(ReadOnlyWhenPublished, admin.ModelAdmin):
    list_display = ["code", "version", "titre", "statut", "date_validation", "imported_at"]
    list_filter = ["statut", "cible"]
    readonly_fields = ["empreinte", "imported_at"]


class ElementInline(admin.StackedInline):
    model = Element
    extra = 0
    fields = ["code", "texte", "sans_objet_autorise"]
    show_change_link = True


@admin.register(Critere)
class CritereAdmin(ReadOnlyWhenPublished, admin.ModelAdmin):
    list_display = ["code", "titre", "referentiel"]
    list_filter = ["referentiel"]
    search_fields = ["code", "titre"]
    inlines = [ElementInline]
    list_select_related = ["referentiel"]


@admin.register(Section)
class SectionAdmin(ReadOnlyWhenPublished, admin.ModelAdmin):
    list_display = ["code", "titre", "referentiel"]
    list_filter = ["referentiel"]


@admin.register(Element)
class ElementAdmin(ReadOnlyWhenPublished, admin.ModelAdmin):
    list_display = ["code", "texte", "critere"]
    list_filter = ["referentiel"]
    search_fields = ["code", "texte"]
    list_select_related = ["critere"]


@admin.register(Aide)
class AideAdmin(ReadOnlyWhenPublished, admin.ModelAdmin):
    list_display = ["critere", "type", "texte"]
    list_filter = ["type"]

    def _published(self, obj):  # type: ignore[no-untyped-def]
        return bool(obj) and obj.critere.referentiel.is_published
