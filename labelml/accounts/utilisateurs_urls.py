"""Under /administration/utilisateurs/: the national administrators' user pages."""

from django.urls import path

from labelml.accounts import utilisateurs_views as views

urlpatterns = [
    path("", views.utilisateur_list, name="utilisateur_list"),
    path("<int:pk>/supprimer/", views.utilisateur_delete, name="utilisateur_delete"),
]
