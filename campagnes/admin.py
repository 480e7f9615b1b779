from django.contrib import admin

from .models import DossierTransition


@admin.register(DossierTransition)
class DossierTransitionAdmin(admin.ModelAdmin):
    """The journal of the dossiers, their labels and follow-ups, read only."""

    list_display = ["dossier", "subject", "subject_id", "action", "from_state", "to_state", "at"]
    list_filter = ["subject"]
    list_select_related = ["dossier__structure", "dossier__campagne"]
    readonly_fields = [f.name for f in DossierTransition._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
