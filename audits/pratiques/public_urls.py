"""Public routes (no login), mounted under /valorisation/."""

from django.urls import path

from . import public_views

urlpatterns = [
    path("pratiques/", public_views.catalogue, name="public_pratique_catalogue"),
    path("pratiques/<int:pk>/", public_views.pratique, name="public_pratique_detail"),
    path("structures/<slug:code>/", public_views.structure, name="public_structure"),
    path("badges/<str:numero>.svg", public_views.badge, name="label_badge"),
]
