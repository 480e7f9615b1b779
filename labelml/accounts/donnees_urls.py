"""Under /comptes/donnees/, ahead of allauth's pages (labelml/urls.py)."""

from django.urls import path

from labelml.accounts import donnees_views as views

urlpatterns = [
    path("", views.donnees, name="mes_donnees"),
    path("telecharger/", views.donnees_download, name="mes_donnees_download"),
]
