"""Under /comptes/jetons/ (labelml/urls.py), ahead of allauth's own /comptes/ pages."""

from django.urls import path

from . import token_views

urlpatterns = [
    path("", token_views.jetons, name="api_jetons"),
    path("<int:pk>/revoquer/", token_views.revoke, name="api_jeton_revoke"),
]
