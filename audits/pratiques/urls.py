"""Routes of the remarkable practices for the network (mounted under /pratiques/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.catalogue, name="pratique_catalogue"),
    path("export.csv", views.export, name="pratique_export"),
    path("a-examiner/", views.review_list, name="pratique_review_list"),
    path("<int:pk>/", views.detail, name="pratique_detail"),
    path("<int:pk>/consentement/", views.consent, name="pratique_consent"),
    path("<int:pk>/revue/", views.review, name="pratique_review"),
]
