"""Admin pages of improvement plans: for support and inspection. Structures edit their plan in
the application, where the workflow rules apply."""

from django.contrib import admin

from .models import Action, PlanAmelioration


class ActionInline(admin.TabularInline):
    model = Action
    extra = 0
    fields = ["titre", "responsable", "echeance", "priorite", "statut", "avancement", "origine"]
    raw_id_fields = ["responsable"]
    show_change_link = True


@admin.register(PlanAmelioration)
class PlanAmeliorationAdmin(admin.ModelAdmin):
    list_display = ["dossier", "soumis_le", "soumis_par"]
    list_filter = ["dossier__campagne", "dossier__statut"]
    search_fields = ["dossier__structure__nom", "dossier__structure__code"]
    list_select_related = ["dossier__structure", "dossier__campagne", "soumis_par"]
    raw_id_fields = ["dossier", "soumis_par"]
    inlines = [ActionInline]


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = [
        "titre",
        "structure",
        "responsable",
        "echeance",
        "priorite",
        "statut",
        "avancement",
        "origine",
    ]
    list_filter = ["statut", "priorite", "origine", "plan__dossier__campagne"]
    search_fields = ["titre", "description", "plan__dossier__structure__nom"]
    list_select_related = ["plan__dossier__structure", "responsable"]
    raw_id_fields = ["plan", "responsable", "element_source", "created_by"]
    filter_horizontal = ["criteres"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    date_hierarchy = "echeance"

    @admin.display(description="Structure", ordering="plan__dossier__structure__nom")
    def structure(self, obj: Action) -> str:
        return obj.plan.dossier.structure.nom
