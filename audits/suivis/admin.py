from django.contrib import admin

from .models import AuditSuivi, PointSuivi


class PointSuiviInline(admin.TabularInline):
    model = PointSuivi
    extra = 0
    fields = ["critere", "nature", "avis"]
    readonly_fields = ["critere", "nature", "avis"]
    can_delete = False


@admin.register(AuditSuivi)
class AuditSuiviAdmin(admin.ModelAdmin):
    list_display = ["label", "statut", "date_prevue", "auditeur", "conclusion"]
    list_filter = ["statut", "conclusion"]
    search_fields = ["label__numero", "dossier__structure__nom"]
    # State changes go through audits.suivis.services only.
    readonly_fields = [
        "label",
        "dossier",
        "statut",
        "date_prevue",
        "organisme",
        "auditeur",
        "bilan",
        "date_visio",
        "conclusion",
        "motivation",
        "transmis_le",
        "conclu_le",
    ]
    exclude = ["version", "updated_by", "updated_at"]
    inlines = [PointSuiviInline]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
