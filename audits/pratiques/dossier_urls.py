"""A dossier's tabs of this app (mounted under /dossiers/<pk>/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("pratiques/", views.dossier_pratiques, name="dossier_pratiques"),
    path("se-situer/", views.dossier_positionnement, name="dossier_positionnement"),
]
