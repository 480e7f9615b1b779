from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from .models import Decision, Label, PointOrdreDuJour, Recusation, Seance


class PointInline(admin.TabularInline):
    model = PointOrdreDuJour
    extra = 0
    fields = ["dossier", "rapporteur", "ordre", "vote"]
    readonly_fields = ["vote"]


@admin.register(Seance)
class SeanceAdmin(admin.ModelAdmin):
    list_display = ["date", "lieu", "president", "statut"]
    filter_horizontal = ["membres"]
    inlines = [PointInline]


@admin.register(Recusation)
class RecusationAdmin(admin.ModelAdmin):
    list_display = ["point", "membre", "automatique", "motif"]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["dossier", "resultat", "decide_le"]
    readonly_fields = [f.name for f in Decision._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # decisions come from the séance, never typed in the admin


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = ["numero", "structure", "date_debut", "date_fin", "statut"]
    list_filter = ["statut"]
    search_fields = ["numero", "structure__nom"]
    # The status changes through the label's page (/commission/labels/<numero>/): motivated,
    # traced and notified.
    readonly_fields = ["statut", "journal"]

    @admin.display(description="vie du label")
    def journal(self, label: Label) -> str:
        """Its events, in the journal of the dossiers (written by audits.commission.services)."""
        url = reverse("admin:campagnes_dossiertransition_changelist")
        return format_html(
            '<a href="{}?subject=label&amp;subject_id={}">Journal</a>',
            url,
            label.pk,
        )
