"""The account pages of our own; the root mounts them ahead of allauth's pages under /comptes/."""

from django.urls import path

from labelml.accounts import donnees_views, sessions_views, utilisateurs_views

app_name = "accounts"

urlpatterns = [
    # "Mes sessions" replaces allauth.usersessions' page at the same address.
    path("comptes/sessions/", sessions_views.session_list, name="mes_sessions"),
    path("comptes/sessions/<int:pk>/fermer/", sessions_views.session_end, name="session_end"),
    path(
        "comptes/sessions/fermer-les-autres/",
        sessions_views.session_end_others,
        name="sessions_end_others",
    ),
    # "Mes données": the person downloads what the platform keeps about them.
    path("comptes/donnees/", donnees_views.donnees, name="mes_donnees"),
    path(
        "comptes/donnees/telecharger/",
        donnees_views.donnees_download,
        name="mes_donnees_download",
    ),
    # The national administrators' user pages.
    path(
        "administration/utilisateurs/",
        utilisateurs_views.utilisateur_list,
        name="utilisateur_list",
    ),
    path(
        "administration/utilisateurs/<int:pk>/supprimer/",
        utilisateurs_views.utilisateur_delete,
        name="utilisateur_delete",
    ),
]
