from django.urls import path

from . import views

app_name = "structures"

urlpatterns = [
    path("structures/", views.structure_list, name="structure_list"),
    path("structures/auditeurs/", views.auditeur_list, name="auditeur_list"),
    path(
        "structures/auditeurs/<int:pk>/certification/",
        views.auditeur_certification,
        name="auditeur_certification",
    ),
    path("structures/<int:pk>/", views.structure_detail, name="structure_detail"),
    path("structures/<int:pk>/historique/", views.structure_history, name="structure_history"),
    path("structures/<int:pk>/inviter/", views.structure_invite, name="structure_invite"),
    path(
        "structures/<int:pk>/invitations/<int:invitation_pk>/annuler/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
