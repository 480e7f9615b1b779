"""Routes of the remarkable practices: the network's catalogue under /pratiques/, a dossier's
tabs under /dossiers/<pk>/, and the public pages (no login) under /valorisation/."""

from django.urls import path

from . import public_views, views

app_name = "pratiques"

urlpatterns = [
    # The network's catalogue and the UNML's review.
    path("pratiques/", views.catalogue, name="pratique_catalogue"),
    path("pratiques/export.csv", views.export, name="pratique_export"),
    path("pratiques/a-examiner/", views.review_list, name="pratique_review_list"),
    path("pratiques/<int:pk>/", views.detail, name="pratique_detail"),
    path("pratiques/<int:pk>/consentement/", views.consent, name="pratique_consent"),
    path("pratiques/<int:pk>/revue/", views.review, name="pratique_review"),
    # A dossier's tabs.
    path("dossiers/<int:pk>/pratiques/", views.dossier_pratiques, name="dossier_pratiques"),
    path(
        "dossiers/<int:pk>/se-situer/",
        views.dossier_positionnement,
        name="dossier_positionnement",
    ),
    # Valorisation, public.
    path("valorisation/pratiques/", public_views.catalogue, name="public_pratique_catalogue"),
    path(
        "valorisation/pratiques/<int:pk>/",
        public_views.pratique,
        name="public_pratique_detail",
    ),
    path("valorisation/structures/<slug:code>/", public_views.structure, name="public_structure"),
    path("valorisation/badges/<str:numero>.svg", public_views.badge, name="label_badge"),
]
