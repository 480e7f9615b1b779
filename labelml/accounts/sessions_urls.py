"""Under /comptes/sessions/, ahead of allauth's own page at that address (labelml/urls.py)."""

from django.urls import path

from labelml.accounts import sessions_views as views

urlpatterns = [
    path("", views.session_list, name="mes_sessions"),
    path("<int:pk>/fermer/", views.session_end, name="session_end"),
    path("fermer-les-autres/", views.session_end_others, name="sessions_end_others"),
]
