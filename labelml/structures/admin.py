from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from .models import Auditeur, Invitation, Membership, MembreCommission, OrganismeAuditeur, Structure


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Structure)
class StructureAdmin(GuardedModelAdmin):
    list_display = ["nom", "code", "type", "region", "parent", "actif"]
    list_filter = ["type", "region", "actif"]
    search_fields = ["nom", "code", "ville"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "structure", "role", "created_at"]
    list_filter = ["role", "structure__type"]
    search_fields = ["user__email", "structure__nom"]
    list_select_related = ["user", "structure"]
    autocomplete_fields = ["user", "structure"]


@admin.register(OrganismeAuditeur)
class OrganismeAuditeurAdmin(admin.ModelAdmin):
    search_fields = ["nom"]


@admin.register(Auditeur)
class AuditeurAdmin(admin.ModelAdmin):
    list_display = ["user", "organisme", "est_referent", "certifie_jusqu_au"]
    list_filter = ["organisme", "est_referent"]
    list_select_related = ["user", "organisme"]
    autocomplete_fields = ["user"]


@admin.register(MembreCommission)
class MembreCommissionAdmin(admin.ModelAdmin):
    list_display = ["user", "college", "actif"]
    list_filter = ["college", "actif"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "structure",
        "role",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    list_filter = ["role"]
    search_fields = ["email", "structure__nom"]
    readonly_fields = ["token", "accepted_at"]
    list_select_related = ["structure"]
