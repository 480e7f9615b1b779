from django.contrib import admin

from .models import Decision, Label, LabelEvenement, PointOrdreDuJour, Recusation, Seance


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


class LabelEvenementInline(admin.TabularInline):
    model = LabelEvenement
    extra = 0
    fields = ["at", "action", "from_statut", "to_statut", "actor", "motivation"]
    readonly_fields = ["at", "action", "from_statut", "to_statut", "actor", "motivation"]
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # written by audits.commission.services, with the notifications


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = ["numero", "structure", "date_debut", "date_fin", "statut"]
    list_filter = ["statut"]
    search_fields = ["numero", "structure__nom"]
    # The status changes through the label's page (/commission/labels/<numero>/): motivated,
    # traced and notified.
    readonly_fields = ["statut"]
    inlines = [LabelEvenementInline]
