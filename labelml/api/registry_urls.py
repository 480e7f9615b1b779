"""The open-data registry, under /labels/ (mounted before the commission's public pages)."""

from django.urls import path

from . import registry

urlpatterns = [
    path("registre.csv", registry.registre_csv, name="label_registre_csv"),
    path("registre.json", registry.registre_json, name="label_registre_json"),
]
