from django.urls import path

from . import views

urlpatterns = [
    path("", views.structure_list, name="structure_list"),
    path("auditeurs/", views.auditeur_list, name="auditeur_list"),
    path(
        "auditeurs/<int:pk>/certification/",
        views.auditeur_certification,
        name="auditeur_certification",
    ),
    path("<int:pk>/", views.structure_detail, name="structure_detail"),
    path("<int:pk>/historique/", views.structure_history, name="structure_history"),
    path("<int:pk>/inviter/", views.structure_invite, name="structure_invite"),
    path(
        "<int:pk>/invitations/<int:invitation_pk>/annuler/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
]
