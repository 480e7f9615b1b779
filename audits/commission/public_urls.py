from django.urls import path

from . import public_views

urlpatterns = [
    path("", public_views.registry, name="label_registry"),
    path("<str:numero>/", public_views.verify, name="label_verify"),
]
